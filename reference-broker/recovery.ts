// Startup from the durable log: rebuild every home channel's serials, history and
// idempotency keys, then compact the file when most of it is history that was trimmed
// (keeping a key record for each remembered key whose message is no longer retained).
import { ChannelLog } from './channel-log';
import type { HistoryLimits } from './channel-log';
import type { KeyLimits } from './key-window';
import { DurableLog, recoverLog } from './durable-log';
import { DEFAULTS } from './options';

const DEFAULT_KEY_LIMITS: KeyLimits = { count: DEFAULTS.dedupeKeys, maxAgeMs: DEFAULTS.dedupeSeconds * 1000 };

export interface RecoveredState {
  logs: Map<string, ChannelLog>;
  messages: number;        // message records read
  retained: number;        // messages still within the history limits
  compacted: boolean;
  corruptLines: number;
  tornTail: boolean;
}

export function recoverChannels(dir: string, limits: HistoryLimits, keyLimits: KeyLimits = DEFAULT_KEY_LIMITS): RecoveredState {
  const logs = new Map<string, ChannelLog>();
  let messages = 0;
  let log: ChannelLog | undefined;
  let logCh = '';
  const { corruptLines, tornTail } = recoverLog(dir, (ch, s, at, id, frame) => {
    if (ch !== logCh || !log) { // consecutive records are often of one channel: skip the lookup
      log = logs.get(ch);
      if (!log) logs.set(ch, (log = new ChannelLog(limits, keyLimits)));
      logCh = ch;
    }
    if (frame === undefined || id === undefined) { // a floor, or a key whose message was compacted away
      if (s > log.newest) log.restartAt(s);
      if (id !== undefined) log.keys?.remember(id, s, at);
      return;
    }
    messages++;
    if (s <= log.newest) return;                 // cannot happen with one writer; never go back
    if (s > log.newest + 1) log.restartAt(s - 1); // history before it was compacted away
    log.append({ s, id, at, frame });
  });
  let retained = 0;
  for (const log of logs.values()) {
    log.trim();
    retained += log.size;
  }
  // Rewrite only when it pays: the file is then mostly what history has trimmed.
  const compacted = messages > 2 * retained + 10_000;
  if (compacted) DurableLog.rewrite(dir, compactLines(logs));
  return { logs, messages, retained, compacted, corruptLines, tornTail };
}

function* compactLines(logs: Map<string, ChannelLog>): Iterable<string> {
  const now = Date.now();
  for (const [ch, log] of logs) {
    // The floor keeps the newest serial alive even when no message of the channel is retained.
    if (log.oldest > 1) yield DurableLog.floorLine(now, ch, log.oldest - 1);
    // Keys outlive history: a retry after compaction must still find its serial.
    for (const k of log.keys?.entries() ?? []) if (k.s < log.oldest) yield DurableLog.keyLine(k.at, ch, k.s, k.id);
    for (const e of log.after(0)) yield DurableLog.messageLine(e.at, ch, e.s, e.id, typeof e.frame === 'string' ? e.frame : e.frame.toString('utf8'));
  }
}
