// Process entry of one broker node:
//   node dist/reference-broker/main.js --id node-1 --port 0 [--peers ...] [--data-dir DIR] ...
// Prints exactly one JSON line on stdout once listening; diagnostics go to stderr.
import { EXIT, UserError } from '../src/util/errors';
import { exitWithParent } from '../src/util/exit-with-parent';
import { profileOnSignal } from '../src/util/profile-on-signal';
import { parseBrokerArgs } from './args';
import { startBrokerNode } from './server';
import type { BrokerNode } from './server';

async function main(): Promise<void> {
  exitWithParent(); // only when started by chat-bench
  const opts = parseBrokerArgs(process.argv.slice(2));
  profileOnSignal(`broker-${opts.id}`); // benchmarks only (CHAT_BENCH_PROFILE_DIR)
  // Handlers first: a supervisor may signal as soon as it reads the listening line.
  let node: BrokerNode | null = null;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (!node) return; // still starting: stopped right after start
    node.close().then(() => process.exit(EXIT.ok), () => process.exit(EXIT.infrastructure));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  node = await startBrokerNode({ ...opts, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify({ event: 'listening', id: node.id, port: node.port })}\n`);
  if (stopping) {
    stopping = false;
    stop();
  }
}

main().catch((err: unknown) => {
  if (err instanceof UserError) {
    process.stderr.write(`${err.oneLine()}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`chat-bench broker: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(EXIT.infrastructure);
});
