// The open-files limit every process of a run lives under (spawned processes inherit it), and
// the arithmetic shared by the load processes' and the cluster's budgets.
import { readFileSync } from 'node:fs';

/** Descriptors a process needs besides its client sockets: stdio, IPC, libuv, logs, listeners. */
export const FD_RESERVE = 200;
/** Headroom for sockets still closing while their replacement opens (reconnect storms). */
export const FD_CHURN = 1.05;

export interface FdLimits { soft: number; hard: number }

/** This process's RLIMIT_NOFILE from /proc/self/limits; null where that file does not exist. */
export function readFdLimits(): FdLimits | null {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) return null;
  const num = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return { soft: num(m[1]), hard: num(m[2]) };
}

/**
 * The open-files limit of this process and of every process it starts. Node raises its soft
 * limit to the hard one at startup (and children inherit), so this is in effect the hard
 * limit, which only root can raise (ulimit -Hn, limits.conf, docker --ulimit nofile=…).
 */
export const fdLimit = (): number => readFdLimits()?.soft ?? Infinity;

export const limitNow = (limit?: number): number => limit ?? fdLimit();
export const overLimit = (limit: number): string => `over the open-files limit of ${limit} (ulimit -n; hard limit ${readFdLimits()?.hard ?? 'unknown'})`;
