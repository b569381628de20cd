// The node's append-only log (one file per node, all channels). Each stored message is one
// line written with writeSync BEFORE its ack, so a SIGKILLed process loses nothing it acked
// (the data is in the kernel's page cache; a power cut is out of scope).
//
// Line format, chosen so that recovery parses only a tiny header and keeps the message frame
// as the exact bytes to send again:
//   [at,"channel",serial,"key"]<TAB><msg frame JSON>\n     a stored message
//   [at,"channel",serial]\n                                 a floor: serials up to here existed
//   [at,"channel",serial,"key"]\n                           a key whose message compaction dropped
// JSON never contains a raw TAB, so the first TAB ends the header.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureOutputDir } from '../src/util/output-dir';

/** Receives the log's records in order: a message (frame set), a floor (id and frame undefined) or a key record (frame undefined). */
export type RecordVisitor = (ch: string, s: number, at: number, id: string | undefined, frame: string | undefined) => void;

export const LOG_FILE = 'broker.log';

export interface Recovery { records: number; corruptLines: number; tornTail: boolean }

// Decoded a slice at a time (each ending at a newline): one string per slice is much faster
// than one per line, and slices keep clear of V8's maximum string length.
const DECODE_SLICE_BYTES = 64 * 1024 * 1024;

/**
 * Reads every record of the log in `dir` (none if there is no log yet) and cuts off a torn
 * last line, so that lines appended from now on start clean.
 */
export function recoverLog(dir: string, visit: RecordVisitor): Recovery {
  const path = join(dir, LOG_FILE);
  const out: Recovery = { records: 0, corruptLines: 0, tornTail: false };
  if (!existsSync(path)) return out;
  const buf = readFileSync(path);
  const complete = buf.lastIndexOf(0x0a) + 1; // a write cut short by a kill was never acked
  if (complete < buf.length) {
    out.tornTail = true;
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, complete);
    closeSync(fd);
  }
  let sliceStart = 0;
  while (sliceStart < complete) {
    const sliceEnd = sliceStart + DECODE_SLICE_BYTES >= complete ? complete : buf.lastIndexOf(0x0a, sliceStart + DECODE_SLICE_BYTES) + 1;
    const text = buf.toString('utf8', sliceStart, sliceEnd > sliceStart ? sliceEnd : complete);
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (visitLine(text, pos, nl, visit)) out.records++;
      else out.corruptLines++;
      pos = nl + 1;
    }
    sliceStart = sliceEnd > sliceStart ? sliceEnd : complete;
  }
  return out;
}

function visitLine(text: string, from: number, to: number, visit: RecordVisitor): boolean {
  const tab = text.indexOf('\t', from);
  const headerEnd = tab >= 0 && tab < to ? tab : to;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(from, headerEnd));
  } catch {
    return false;
  }
  if (!Array.isArray(header) || typeof header[0] !== 'number' || typeof header[1] !== 'string' || !Number.isSafeInteger(header[2])) return false;
  const [at, ch, s, id] = header as [number, string, number, unknown];
  if (headerEnd === to) {
    if (id !== undefined && (typeof id !== 'string' || s < 1)) return false;
    visit(ch, s, at, id as string | undefined, undefined);
    return true;
  }
  if (typeof id !== 'string' || s < 1) return false;
  // The frame stays text (a slice of the decoded file): it is only sent again on replays.
  visit(ch, s, at, id, text.slice(tab + 1, to));
  return true;
}

export class DurableLog {
  private fd: number;

  private constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  /** Opens (creating) the log in `dir` for appending. Call recoverLog first. */
  static open(dir: string): DurableLog {
    ensureOutputDir(dir, 'data folder'); // recursive mkdir would loop forever on /proc
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

  static keyLine(at: number, ch: string, s: number, id: string): string {
    return `${JSON.stringify([at, ch, s, id])}\n`;
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
