// Who a pid is, read from /proc (Linux): its start time (clock ticks since boot, field 22 of
// /proc/PID/stat) and command line. A pid written down earlier may have been reused by another
// program since; both must match before we signal it.
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  start: string;   // starttime from /proc/PID/stat
  cmdline: string; // NUL-separated arguments joined with spaces
}

/** The live (non-zombie) process `pid`, or null when gone or unreadable (or not Linux). */
export function identityOf(pid: number): ProcessIdentity | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces or ')': fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, start: fields[19], cmdline };
  } catch {
    return null;
  }
}

/** True when `pid` is still the process recorded (same start time, same command line). */
export function isSameProcess(recorded: ProcessIdentity): boolean {
  const now = identityOf(recorded.pid);
  return now !== null && now.start === recorded.start && now.cmdline === recorded.cmdline;
}
