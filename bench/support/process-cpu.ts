// CPU time of this process and every process below it, by role (driver, worker, proxy,
// broker node), read from /proc: which process saturates when a step fails. Linux only
// (elsewhere: an empty sample).
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface ProcessCpu { pid: number; role: string; cpuMs: number }

const TICKS_PER_SECOND = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

/** The role a chat-bench process plays, from its command line. */
function roleOf(pid: number, rootPid: number): string {
  if (pid === rootPid) return 'driver';
  let args: string[] = [];
  try { args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return 'gone'; }
  const script = args.find((a) => a.endsWith('.js')) ?? args[0] ?? '';
  if (script.endsWith('reference-broker/main.js')) return `broker ${args[args.indexOf('--id') + 1] ?? ''}`.trim();
  if (script.endsWith('toxiproxy-main.js')) return 'proxy';
  if (script.endsWith('worker-main.js')) return 'worker';
  return script.split('/').pop() ?? 'other';
}

/** [ppid, utime + stime in ms] of one process, or null once it is gone. */
function statOf(pid: number): [number, number] | null {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on (the name may hold spaces)
  return [Number(f[1]), ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND];
}

/** Every process in the tree under rootPid (itself included) with its CPU time so far. */
export function sampleProcessTree(rootPid = process.pid): ProcessCpu[] {
  let pids: number[];
  try { pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number); } catch { return []; }
  const stats = new Map<number, [number, number]>();
  for (const pid of pids) { const s = statOf(pid); if (s) stats.set(pid, s); }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) { if (p === rootPid) return true; p = stats.get(p)?.[0] ?? 0; }
    return false;
  };
  return [...stats].filter(([pid]) => inTree(pid)).map(([pid, [, cpuMs]]) => ({ pid, role: roleOf(pid, rootPid), cpuMs }));
}

/** Share of one core each role used between two samples (a role's processes summed; their count in the name). */
export function cpuByRole(before: ProcessCpu[], after: ProcessCpu[], wallMs: number): Array<{ role: string; processes: number; percentOfCore: number }> {
  const start = new Map(before.map((p) => [p.pid, p.cpuMs]));
  const byRole = new Map<string, { processes: number; ms: number }>();
  for (const p of after) {
    const role = p.role.startsWith('broker') ? 'broker' : p.role;
    const r = byRole.get(role) ?? { processes: 0, ms: 0 };
    r.processes++;
    r.ms += p.cpuMs - (start.get(p.pid) ?? 0);
    byRole.set(role, r);
  }
  return [...byRole].map(([role, r]) => ({ role, processes: r.processes, percentOfCore: (100 * r.ms) / wallMs }))
    .sort((a, b) => b.percentOfCore - a.percentOfCore);
}

/** Machine-wide CPU time so far (/proc/stat, all cores), in ms: idle and stolen by the host. */
export interface MachineCpu { idleMs: number; stealMs: number }

export function sampleMachine(): MachineCpu {
  let line = '';
  try { line = readFileSync('/proc/stat', 'utf8').split('\n')[0]; } catch { return { idleMs: NaN, stealMs: NaN }; }
  // cpu user nice system idle iowait irq softirq steal …
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { idleMs: ms(f[3] + f[4]), stealMs: ms(f[7] ?? 0) };
}

/**
 * Of the machine's capacity (cores × wall time) between two samples: % left idle and % taken
 * by the hypervisor for other guests (steal). On a shared VM a step can fail on latency with
 * its own processes below 200 % because the host took the rest.
 */
export function machineShare(before: MachineCpu, after: MachineCpu, wallMs: number, cores: number): { idlePercent: number; stealPercent: number } {
  const capacity = wallMs * cores;
  return { idlePercent: (100 * (after.idleMs - before.idleMs)) / capacity, stealPercent: (100 * (after.stealMs - before.stealMs)) / capacity };
}
