// Live progress while a run is going. A terminal gets one line redrawn in place; a log file
// (CI) gets a plain line every few seconds and at each phase change, so it stays readable.
import { formatCount, formatUs } from './format';

export interface LiveStats {
  elapsedMs: number;
  totalMs: number;
  connected: number;
  targetClients: number;
  msgsPerSec: number;
  p99LastSecUs: number | null;
  activeFaults: string[];
  lostSoFar: number;
  phase: string;
}

export interface ProgressOptions {
  tty: boolean;
  quiet: boolean;
  write: (s: string) => void;
  intervalMs?: number;              // non-TTY: at most one line per interval of run time (default 5000)
  columns?: () => number | undefined; // terminal width; default: stderr's, else stdout's, else 80
}

export interface Progress {
  update(stats: LiveStats): void;
  stop(): void;
}

const CLEAR_LINE = '\r\x1b[2K';

export function createProgress(opts: ProgressOptions): Progress {
  if (opts.quiet) return { update() {}, stop() {} };
  const interval = opts.intervalMs ?? 5000;
  const columns = () => opts.columns?.() || process.stderr.columns || process.stdout.columns || 80;

  if (opts.tty) {
    let drawn = false;
    return {
      update(stats) {
        // One column short of the width: writing into the last column makes some terminals wrap.
        opts.write(CLEAR_LINE + truncate(progressLine(stats), Math.max(10, columns() - 1)));
        drawn = true;
      },
      stop() {
        if (drawn) opts.write(CLEAR_LINE);
        drawn = false;
      },
    };
  }

  // Decided on the run's own clock (elapsedMs), not on wall time: deterministic and testable.
  let lastAt = -Infinity;
  let lastPhase: string | undefined;
  return {
    update(stats) {
      if (stats.elapsedMs - lastAt < interval && stats.phase === lastPhase) return;
      lastAt = stats.elapsedMs;
      lastPhase = stats.phase;
      opts.write(progressLine(stats) + '\n');
    },
    stop() {},
  };
}

/** "[0:23/1:15] steady · clients 1,998/2,000 · 1,012 msg/s · p99 12.3ms · lost 0 · faults: latency 300ms on clients:node-2" */
export function progressLine(s: LiveStats): string {
  const parts = [
    `[${clock(s.elapsedMs)}/${clock(s.totalMs)}] ${s.phase}`,
    `clients ${formatCount(s.connected)}/${formatCount(s.targetClients)}`,
    `${formatCount(Math.round(s.msgsPerSec))} msg/s`,
    `p99 ${formatUs(s.p99LastSecUs)}`,
    `lost ${formatCount(s.lostSoFar)}`,
  ];
  if (s.activeFaults.length) parts.push(`faults: ${s.activeFaults.join(', ')}`);
  return parts.join(' · ');
}

function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/** Cut to `width` characters (code points), marking the cut with an ellipsis. */
export function truncate(line: string, width: number): string {
  const chars = Array.from(line);
  return chars.length <= width ? line : chars.slice(0, width - 1).join('') + '…';
}
