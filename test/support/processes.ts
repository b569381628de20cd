// What is running, read from /proc (Linux): the tests' proof that nothing a run started
// survives it. A zombie waiting for a reaper counts as gone.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

/** Stops a child a test started: SIGTERM, SIGKILL after 5 s; waits for its exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || !alive(child.pid) || child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
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

/** TCP ports in LISTEN state on this machine (IPv4 and IPv6), from /proc/net/tcp*. */
export function listeningPorts(): Map<number, string> {
  const ports = new Map<number, string>(); // port -> socket inode
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A') continue; // 0A = LISTEN
      ports.set(parseInt(f[1].split(':')[1], 16), f[9]);
    }
  }
  return ports;
}

/** The listening sockets `pids` hold, as port -> socket inode (matched through their open fds). */
export function listeningSocketsOf(pids: number[]): Map<number, string> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch { /* closed meanwhile */ }
    }
  }
  return new Map([...listeningPorts()].filter(([, inode]) => inodes.has(inode)));
}

/** Which of `sockets` (port -> inode) are still listening: same port, same socket. */
export function stillListening(sockets: Map<number, string>): number[] {
  const now = listeningPorts();
  return [...sockets].filter(([port, inode]) => now.get(port) === inode).map(([port]) => port);
}

/** Process state letter (R, S, T = stopped, Z …), or '' when gone. */
export function stateOf(pid: number): string {
  return statOf(pid)?.state ?? '';
}
