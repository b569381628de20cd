// The node's append-only log (one file per node, all channels). Each stored message is one
// line written with writeSync BEFORE its ack, so a SIGKILLed process loses nothing it acked
// (the data is in the kernel's page cache; a power cut is out of scope).
//
// Line format, chosen so that recovery parses only a tiny header and keeps the message frame
// as the exact bytes to send again:
//   [at,"channel",serial,"key"]<TAB><msg frame JSON>\n     a stored message
//   [at,"channel",serial]\n                                 a floor: serials up to here existed
// JSON never contains a raw TAB, so the first TAB ends the header.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RecoveredMessage { kind: 'msg'; ch: string; s: number; id: string; at: number; frame: Buffer }
export interface RecoveredFloor { kind: 'floor'; ch: string; s: number; at: number }
export type RecoveredRecord = RecoveredMessage | RecoveredFloor;

export const LOG_FILE = 'broker.log';

export interface Recovery { records: RecoveredRecord[]; corruptLines: number; tornTail: boolean }

/**
 * Reads every record of the log in `dir` (none if there is no log yet) and cuts off a torn
 * last line, so that lines appended from now on start clean.
 */
export function recoverLog(dir: string): Recovery {
  const path = join(dir, LOG_FILE);
  const out: Recovery = { records: [], corruptLines: 0, tornTail: false };
  if (!existsSync(path)) return out;
  const buf = readFileSync(path);
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) { // a write cut short by a kill: it was never acked
      out.tornTail = true;
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, pos);
      closeSync(fd);
      break;
    }
    const record = parseLine(buf, pos, nl);
    if (record) out.records.push(record);
    else out.corruptLines++;
    pos = nl + 1;
  }
  return out;
}

function parseLine(buf: Buffer, from: number, to: number): RecoveredRecord | null {
  const tab = buf.indexOf(0x09, from);
  const headerEnd = tab >= 0 && tab < to ? tab : to;
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', from, headerEnd));
  } catch {
    return null;
  }
  if (!Array.isArray(header) || typeof header[0] !== 'number' || typeof header[1] !== 'string' || !Number.isSafeInteger(header[2])) return null;
  const [at, ch, s, id] = header as [number, string, number, unknown];
  if (headerEnd === to) return { kind: 'floor', ch, s, at };
  if (typeof id !== 'string' || s < 1) return null;
  // Copy: a subarray would pin the whole file buffer for as long as any message lives.
  return { kind: 'msg', ch, s, id, at, frame: Buffer.from(buf.subarray(tab + 1, to)) };
}

export class DurableLog {
  private fd: number;

  private constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Opens (creating) the log in `dir` for appending. Call recoverLog first. */
  static open(dir: string): DurableLog {
    mkdirSync(dir, { recursive: true });
    return new DurableLog(join(dir, LOG_FILE));
  }

  /**
   * Replaces the log with only what is still retained (plus floors for channels whose newest
   * serial must survive without its history). Write-then-rename: a kill midway leaves the old log.
   */
  static rewrite(dir: string, lines: Iterable<string>): void {
    const path = join(dir, LOG_FILE);
    const tmp = `${path}.compact`;
    const fd = openSync(tmp, 'w');
    const chunk: string[] = [];
    let size = 0;
    for (const line of lines) {
      chunk.push(line);
      size += line.length;
      if (size > 1 << 20) { writeSync(fd, chunk.join('')); chunk.length = 0; size = 0; }
    }
    if (chunk.length) writeSync(fd, chunk.join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  }

  static messageLine(at: number, ch: string, s: number, id: string, frameText: string): string {
    return `${JSON.stringify([at, ch, s, id])}\t${frameText}\n`;
  }

  static floorLine(at: number, ch: string, s: number): string {
    return `${JSON.stringify([at, ch, s])}\n`;
  }

  /** Synchronous: returns once the kernel has the line. Throws if the disk refuses. */
  append(line: string): void {
    writeSync(this.fd, line);
  }

  close(): void {
    if (this.fd < 0) return;
    try { fsyncSync(this.fd); } catch { /* closing anyway */ }
    closeSync(this.fd);
    this.fd = -1;
  }
}
