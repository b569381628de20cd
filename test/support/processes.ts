// What is running, read from /proc (Linux): the tests' proof that nothing a run started
// survives it. A zombie waiting for a reaper counts as gone.
import { readdirSync, readFileSync } from 'node:fs';

function statOf(pid: string | number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

const cmdlineOf = (pid: string | number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};

const pids = (): string[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d));

/** Running (not a zombie). */
export function alive(pid: number): boolean {
  const s = statOf(pid);
  return s !== null && s.state !== 'Z';
}

/** Live processes whose parent is `ppid` (and whose command line mentions `text`, if given). */
export function childrenOf(ppid: number, text = ''): number[] {
  return pids().filter((pid) => {
    const s = statOf(pid);
    return s !== null && s.ppid === ppid && s.state !== 'Z' && cmdlineOf(pid).includes(text);
  }).map(Number);
}

/** Live processes whose command line mentions `text`. */
export function processesMentioning(text: string): number[] {
  return pids().filter((pid) => {
    const s = statOf(pid);
    return s !== null && s.state !== 'Z' && cmdlineOf(pid).includes(text);
  }).map(Number);
}
