// cluster.auth's credentials: the JWT is a standard one (the RFC/jwt.io HS256 example byte for
// byte; RS256 verified with the public key), every template is filled per client, a token is
// made again before it expires, and a missing or wrong key is refused naming the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { CredentialSource, checkAuthEnvironment, signJwt } from '../../src/adapters/credentials';
import { UserError } from '../../src/util/errors';
import type { AuthSpec } from '../../src/contracts/scenario';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

test('HS256 gives the well-known example token exactly', () => {
  const token = signJwt('HS256', { sub: '1234567890', name: 'John Doe', iat: 1516239022 }, 'your-256-bit-secret');
  assert.equal(token, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c');
});

test('RS256 with a PEM key from the environment verifies with the public key', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const env = { KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const auth: AuthSpec = { jwt: { secretEnv: 'KEY', alg: 'RS256', claims: { sub: '{{clientId}}' } }, headers: { Authorization: 'Bearer {{jwt}}' } };
  checkAuthEnvironment(auth, env);
  const token = new CredentialSource(auth, 'c7', env).current().headers.Authorization.slice(7);
  const [head, body, sig] = token.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(head, 'base64url').toString()), { alg: 'RS256', typ: 'JWT' });
  assert.ok(verify('sha256', Buffer.from(`${head}.${body}`), publicKey, Buffer.from(sig, 'base64url')));
  assert.equal(claimsOf(token).sub, 'c7');
});

test('every template is filled per client; env values are read at connect time', () => {
  const auth: AuthSpec = {
    jwt: { secretEnv: 'K', alg: 'HS256', claims: { sub: '{{clientId}}', rooms: ['r-{{clientId}}'], org: '{{env.ORG}}' }, expiresInMs: 3_600_000 },
    headers: { Authorization: 'Bearer {{jwt}}', 'X-Id': 'id={{ clientId }}' },
    query: { token: '{{jwt}}', tenant: '{{env.ORG}}' },
    subprotocols: ['chat', 'user.{{clientId}}'],
    username: '{{clientId}}', password: '{{env.PASS}}',
  };
  const env = { K: 'secret', ORG: 'acme', PASS: 'pw' };
  const now = 1_700_000_000_000;
  const sourceA = new CredentialSource(auth, 'c1', env, () => now);
  const a = sourceA.current();
  const b = new CredentialSource(auth, 'c2', env, () => now).current();
  assert.equal(a.headers['X-Id'], 'id=c1');
  assert.equal(b.headers['X-Id'], 'id=c2');
  assert.deepEqual(a.subprotocols, ['chat', 'user.c1']);
  assert.equal(a.query.tenant, 'acme');
  assert.equal(a.username, 'c1');
  assert.equal(a.password, 'pw');
  assert.equal(a.query.token, a.headers.Authorization.slice(7), 'one token per connection');
  assert.notEqual(a.query.token, b.query.token);
  assert.deepEqual(claimsOf(a.query.token), { sub: 'c1', rooms: ['r-c1'], org: 'acme', iat: 1_700_000_000, exp: 1_700_003_600 });
  // read again on the next connect, not kept from the first (the token lives until it is half over)
  env.ORG = 'acme-2';
  env.PASS = 'pw-2';
  const again = sourceA.current();
  assert.deepEqual([again.query.tenant, again.password], ['acme-2', 'pw-2']);
});

test('a token is reused, and made again once half its lifetime is over', () => {
  let now = 1_700_000_000_000;
  const auth: AuthSpec = { jwt: { secretEnv: 'K', alg: 'HS256', claims: {}, expiresInMs: 60_000 }, headers: { A: '{{jwt}}' } };
  const source = new CredentialSource(auth, 'c1', { K: 's' }, () => now);
  const first = source.current().headers.A;
  now += 29_000;
  assert.equal(source.current().headers.A, first);
  now += 1_000;
  const second = source.current().headers.A;
  assert.notEqual(second, first);
  assert.equal(claimsOf(second).exp, 1_700_000_030 + 60);
});

test('a missing key, an RS256 key that is not PEM, a missing {{env.NAME}}: usage errors naming the variable', () => {
  const refused = (auth: AuthSpec, env: NodeJS.ProcessEnv, pattern: RegExp) => assert.throws(() => checkAuthEnvironment(auth, env),
    (e: unknown) => e instanceof UserError && e.exitCode === 2 && pattern.test(e.oneLine()));
  refused({ jwt: { secretEnv: 'JWT_KEY', alg: 'HS256', claims: {} } }, {}, /environment variable JWT_KEY is not set/);
  refused({ jwt: { secretEnv: 'JWT_KEY', alg: 'HS256', claims: {} } }, { JWT_KEY: '' }, /JWT_KEY is not set/);
  refused({ jwt: { secretEnv: 'JWT_KEY', alg: 'RS256', claims: {} } }, { JWT_KEY: 'not a pem' }, /JWT_KEY does not hold a PEM private key/);
  refused({ headers: { A: '{{env.TOKEN_X}}' } }, {}, /environment variable TOKEN_X \(in \{\{env\.TOKEN_X\}\}\) is not set/);
  checkAuthEnvironment({ headers: { A: '{{env.TOKEN_X}}' } }, { TOKEN_X: 'v' });
});

test('socketio payload: any JSON, its texts filled per client (the token too); numbers and nesting kept', () => {
  const auth: AuthSpec = {
    jwt: { secretEnv: 'K', alg: 'HS256', claims: { sub: '{{clientId}}' } },
    payload: { token: '{{jwt}}', user: { id: '{{clientId}}', tenant: '{{env.TENANT}}', roles: ['chat', '{{clientId}}'] }, v: 2, on: true },
  };
  const p = new CredentialSource(auth, 'c4', { K: 's', TENANT: 't1' }).current().payload!;
  assert.equal(claimsOf(p.token as string).sub, 'c4');
  assert.deepEqual({ ...p, token: 'x' }, { token: 'x', user: { id: 'c4', tenant: 't1', roles: ['chat', 'c4'] }, v: 2, on: true });
  // a variable only the payload reads is checked before the run, like the others
  assert.throws(() => checkAuthEnvironment({ payload: { t: '{{env.TOKEN_Y}}' } }, {}), (e: unknown) => e instanceof UserError && /TOKEN_Y/.test(e.oneLine()));
});
