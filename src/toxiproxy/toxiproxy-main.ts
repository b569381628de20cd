// Process entry: `node dist/src/toxiproxy/toxiproxy-main.js --host 127.0.0.1 --port 8474`. Prints one
// JSON line {"event":"listening","port":N} on stdout when ready and stops cleanly on
// SIGTERM/SIGINT. Runs as its own process so relaying never skews the load driver's timing.
import { parseArgs } from 'node:util';
import { EXIT, UserError, usageError } from '../util/errors';
import { DEFAULT_API_PORT, startToxiproxyServer } from './toxiproxy-server';
import { exitWithParent } from '../util/exit-with-parent';
import { profileOnSignal } from '../util/profile-on-signal';

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw usageError(`--port must be 0..65535, got "${text}"`, 'e.g. --port 8474');
  return port;
}

/** Runs the server until SIGTERM/SIGINT. argv: the arguments after the script name. */
export async function main(argv: string[]): Promise<void> {
  let values: { host?: string; port?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw usageError((err as Error).message.split('\n')[0], 'usage: toxiproxy [--host 127.0.0.1] [--port 8474]');
  }
  const port = values.port === undefined ? DEFAULT_API_PORT : parsePort(values.port);
  const server = await startToxiproxyServer({ host: values.host ?? '127.0.0.1', port });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.port })}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await server.close();
}

if (require.main === module) {
  exitWithParent(); // only when started by chat-bench
  profileOnSignal('proxy'); // benchmarks only (CHAT_BENCH_PROFILE_DIR)
  main(process.argv.slice(2)).then(
    () => process.exit(EXIT.ok),
    (err: unknown) => {
      if (err instanceof UserError) {
        process.stderr.write(`${err.oneLine()}\n`);
        process.exit(err.exitCode);
      }
      process.stderr.write(`chat-bench toxiproxy: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(EXIT.infrastructure);
    },
  );
}
