// Certificates made at test time with the openssl CLI, in a fresh temp folder: a CA, a server
// certificate it signs for one DNS name, and a second CA that signed nothing (the "wrong CA").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caFile: string;
  wrongCaFile: string;
  key: string;        // the server's private key (PEM)
  cert: string;       // the server's certificate (PEM), for `name` only
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

function makeCa(dir: string, base: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', `${base}.key`, '-out', `${base}.pem`, '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

export function makeTestCerts(name: string): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'cb-certs-'));
  makeCa(dir, 'ca', 'chat-bench test CA');
  makeCa(dir, 'wrong-ca', 'chat-bench unrelated CA');
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:${name}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'server.ext', '-out', 'server.pem']);
  return {
    dir, caFile: join(dir, 'ca.pem'), wrongCaFile: join(dir, 'wrong-ca.pem'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'), cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
}
