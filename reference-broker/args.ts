// The broker's command line. Every refusal names the flag and says what would be accepted.
import { usageError } from '../src/util/errors';
import { DEFAULTS } from './options';
import { MISBEHAVIOUR_MODES, type MisbehaviourMode } from './misbehaviour';
import type { BrokerNodeOptions, PeerSpec } from './options';

export const BROKER_USAGE =
  'usage: main.js --id node-1 [--host 127.0.0.1] [--port 0] [--peers node-2=ws://host:port,...] [--data-dir DIR] ' +
  '[--history 10000] [--history-seconds 3600] [--dedupe-keys 10000] [--dedupe-seconds 300] [--max-frame-bytes 65536] ' +
  '[--misbehave ' + MISBEHAVIOUR_MODES.join('|') + '] [--misbehave-rate 0.05] ' +
  '[--max-subs-per-connection 10000] [--max-buffered-bytes 67108864] [--client-ping-ms 25000] [--client-timeout-ms 20000]';

const FLAGS = ['id', 'host', 'port', 'peers', 'data-dir', 'history', 'history-seconds', 'dedupe-keys', 'dedupe-seconds', 'max-frame-bytes', 'misbehave', 'misbehave-rate',
  'max-subs-per-connection', 'max-buffered-bytes', 'client-ping-ms', 'client-timeout-ms'] as const;
type Flag = (typeof FLAGS)[number];

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw usageError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw usageError(`--${flag} must be a number > 0, got "${text}"`);
  return n;
}

function nodeId(flag: string, text: string): string {
  if (!NODE_ID.test(text)) throw usageError(`--${flag}: "${text}" is not a node id`, 'use letters, digits, "-", "_" or ".", e.g. node-1');
  return text;
}

export function parsePeers(text: string, selfId: string): PeerSpec[] {
  const peers: PeerSpec[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 1) throw usageError(`--peers: "${part}" is not id=url`, 'e.g. --peers node-2=ws://127.0.0.1:7002,node-3=ws://127.0.0.1:7003');
    const id = nodeId('peers', part.slice(0, eq));
    const url = part.slice(eq + 1);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw usageError(`--peers: "${url}" (of ${id}) is not a URL`, 'e.g. ws://127.0.0.1:7002');
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw usageError(`--peers: ${id}'s URL must start with ws:// or wss://, got "${url}"`);
    if (id === selfId) throw usageError(`--peers lists this node's own id ${id}`, 'list only the other nodes');
    if (peers.some((p) => p.id === id)) throw usageError(`--peers lists ${id} twice`);
    peers.push({ id, url });
  }
  return peers;
}

/** Reads the flags (`--flag value` or `--flag=value`); throws a UserError (exit 2) on anything else. */
export function parseBrokerArgs(argv: string[]): BrokerNodeOptions {
  const raw = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw usageError(`unexpected argument "${arg}"`, BROKER_USAGE);
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)) as Flag;
    if (!FLAGS.includes(name)) throw usageError(`unknown flag --${name}`, BROKER_USAGE);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw usageError(`--${name} needs a value`, BROKER_USAGE);
    if (raw.has(name)) throw usageError(`--${name} is given twice`);
    raw.set(name, value);
  }
  const id = nodeId('id', raw.get('id') ?? DEFAULTS.id);
  const opts: BrokerNodeOptions = { id };
  if (raw.has('host')) {
    const host = raw.get('host')!;
    if (host === '') throw usageError('--host must not be empty', 'e.g. 127.0.0.1 or 0.0.0.0');
    opts.host = host;
  }
  if (raw.has('port')) opts.port = integer('port', raw.get('port')!, 0, 65535);
  if (raw.has('peers')) opts.peers = parsePeers(raw.get('peers')!, id);
  if (raw.has('data-dir')) {
    const dir = raw.get('data-dir')!;
    if (dir === '') throw usageError('--data-dir must not be empty');
    opts.dataDir = dir;
  }
  if (raw.has('history')) opts.history = integer('history', raw.get('history')!, 1, 100_000_000);
  if (raw.has('history-seconds')) opts.historySeconds = positive('history-seconds', raw.get('history-seconds')!);
  if (raw.has('dedupe-keys')) opts.dedupeKeys = integer('dedupe-keys', raw.get('dedupe-keys')!, 1, 100_000_000);
  if (raw.has('dedupe-seconds')) opts.dedupeSeconds = positive('dedupe-seconds', raw.get('dedupe-seconds')!);
  if (raw.has('max-frame-bytes')) opts.maxFrameBytes = integer('max-frame-bytes', raw.get('max-frame-bytes')!, 64, 64 * 1024 * 1024);
  if (raw.has('max-subs-per-connection')) opts.maxSubsPerConnection = integer('max-subs-per-connection', raw.get('max-subs-per-connection')!, 1, 10_000_000);
  if (raw.has('max-buffered-bytes')) opts.maxBufferedBytes = integer('max-buffered-bytes', raw.get('max-buffered-bytes')!, 1024, 4 * 1024 * 1024 * 1024);
  if (raw.has('client-ping-ms')) opts.clientPingMs = integer('client-ping-ms', raw.get('client-ping-ms')!, 10, 3_600_000);
  if (raw.has('client-timeout-ms')) opts.clientTimeoutMs = integer('client-timeout-ms', raw.get('client-timeout-ms')!, 10, 3_600_000);
  if (raw.has('misbehave-rate') && !raw.has('misbehave')) throw usageError('--misbehave-rate needs --misbehave', 'e.g. --misbehave drop --misbehave-rate 0.1');
  if (raw.has('misbehave')) {
    const mode = raw.get('misbehave')! as MisbehaviourMode;
    if (!MISBEHAVIOUR_MODES.includes(mode)) throw usageError(`--misbehave must be one of ${MISBEHAVIOUR_MODES.join(', ')}; got "${mode}"`);
    let rate: number = DEFAULTS.misbehaviourRate;
    if (raw.has('misbehave-rate')) {
      const text = raw.get('misbehave-rate')!;
      rate = Number(text);
      if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) throw usageError(`--misbehave-rate must be a number from 0 to 1, got "${text}"`);
    }
    opts.misbehaviour = { mode, rate };
  }
  return opts;
}
