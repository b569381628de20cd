// Small helpers for writing SVG as strings: rounded coordinates (smaller, deterministic files),
// paths that break at missing values, and the shared fault-window hatch pattern.
import { escapeHtml } from '../escape';

/** Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = {
  black: '#000000', orange: '#E69F00', sky: '#56B4E9', green: '#009E73',
  yellow: '#F0E442', blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7', grey: '#6b6b6b',
} as const;

export const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();

/** "M x y L x y …" through the points, starting a new sub-path after each gap (null). */
export function linePath(points: Array<[number, number] | null>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${r1(p[0])} ${r1(p[1])}`;
    pen = true;
  }
  return d;
}

/** Closed areas under each unbroken run of points, down to `baseY`. */
export function areaPath(points: Array<[number, number] | null>, baseY: number): string {
  let d = '';
  let run: Array<[number, number]> = [];
  const flush = () => {
    if (run.length) {
      d += `M${r1(run[0][0])} ${r1(baseY)}` + run.map(([x, y]) => `L${r1(x)} ${r1(y)}`).join('') + `L${r1(run[run.length - 1][0])} ${r1(baseY)}Z`;
    }
    run = [];
  };
  for (const p of points) { if (p) run.push(p); else flush(); }
  flush();
  return d;
}

export const attrs = (a: Record<string, string | number | undefined>): string =>
  Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escapeHtml(String(v))}"`).join('');

/** Diagonal hatch used for fault windows (a cue that does not rely on colour). */
export function hatchPattern(id: string, color: string, strong = false): string {
  const size = strong ? 5 : 8;
  return `<pattern id="${escapeHtml(id)}" width="${size}" height="${size}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="${size}" height="${size}" fill="${color}" fill-opacity="${strong ? 0.3 : 0.12}"/>` +
    `<line x1="0" y1="0" x2="0" y2="${size}" stroke="${color}" stroke-width="${strong ? 2.5 : 3}" stroke-opacity="${strong ? 1 : 0.45}"/></pattern>`;
}

/** Seconds on the run clock → "0s", "45s", "1m", "1m30s", "1h05m". */
export function formatTick(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s ? `${m}m${String(s).padStart(2, '0')}s` : `${m}m`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return m ? `${h}h${String(m).padStart(2, '0')}m` : `${h}h`;
}
