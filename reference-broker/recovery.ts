// Startup from the durable log: rebuild every home channel's serials, history and
// idempotency keys, then compact the file when most of it is history that was trimmed.
import { ChannelLog } from './channel-log';
import type { HistoryLimits } from './channel-log';
import { DurableLog, recoverLog } from './durable-log';

export interface RecoveredState {
  logs: Map<string, ChannelLog>;
  messages: number;        // message records read
  retained: number;        // messages still within the history limits
  compacted: boolean;
  corruptLines: number;
  tornTail: boolean;
}

export function recoverChannels(dir: string, limits: HistoryLimits): RecoveredState {
  const { records, corruptLines, tornTail } = recoverLog(dir);
  const logs = new Map<string, ChannelLog>();
  const logOf = (ch: string) => {
    let log = logs.get(ch);
    if (!log) logs.set(ch, (log = new ChannelLog(limits, true)));
    return log;
  };
  let messages = 0;
  for (const r of records) {
    const log = logOf(r.ch);
    if (r.kind === 'floor') {
      if (r.s > log.newest) log.restartAt(r.s);
      continue;
    }
    messages++;
    if (r.s <= log.newest) continue;             // cannot happen with one writer; never go back
    if (r.s > log.newest + 1) log.restartAt(r.s - 1); // history before it was compacted away
    log.append({ s: r.s, id: r.id, at: r.at, frame: r.frame });
  }
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
    for (const e of log.after(0)) yield DurableLog.messageLine(e.at, ch, e.s, e.id, e.frame.toString('utf8'));
  }
}
