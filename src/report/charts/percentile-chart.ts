// Latency by percentile, drawn the HdrHistogram way: x = log10(1 / (1 − p)), so 90%, 99%,
// 99.9% … are evenly spaced and the tail gets the room it deserves. Phase curves (steady, fault,
// recovery) are overlaid from their summaries so "how much worse under faults" is one glance.
import { escapeHtml } from '../escape';
import { formatUs } from '../format';
import { latencyScale } from './scale';
import { PALETTE, attrs, linePath, r1 } from './svg';
import { figure, legend, type RefLine } from './time-chart';

export interface PercentileCurve {
  name: string;
  points: Array<{ percentile: number; valueUs: number }>;
  color: string;
  dash?: string;
  markers?: boolean;              // summary curves (few points) get a marker per point
}

export interface PercentileChartSpec {
  id: string;
  title: string;
  subtitle?: string;
  curves: PercentileCurve[];
  targetUs?: number;              // the 100 ms target line
  maxUs?: number;                 // the run's maximum, drawn as a dotted line
}

const W = 900;
const H = 300;
const M = { left: 70, right: 18, top: 36, bottom: 40 };

/** x position of a percentile on the 1/(1−p) log axis; 100 % has no finite place. */
export const percentileX = (p: number): number => Math.log10(1 / (1 - Math.min(p, 99.99999) / 100));

export function renderPercentileChart(spec: PercentileChartSpec): string {
  const x0 = M.left;
  const x1 = W - M.right;
  const y0 = H - M.bottom;
  const y1 = M.top;
  const finite = spec.curves.flatMap((c) => c.points.filter((p) => p.percentile < 100 && Number.isFinite(p.valueUs)));
  const maxX = Math.max(2, Math.ceil(Math.max(0, ...finite.map((p) => percentileX(p.percentile))) - 1e-9));
  const x = (p: number) => x0 + (percentileX(p) / maxX) * (x1 - x0);
  const refs = [spec.targetUs, spec.maxUs].filter((v): v is number => v !== undefined && v > 0);
  const y = latencyScale(finite.map((p) => p.valueUs), refs, y0, y1);
  const yTop = y.ticks[y.ticks.length - 1];
  const clampY = (v: number) => Math.max(y1, Math.min(y0, y(Math.min(v, yTop))));

  const parts: string[] = [];
  parts.push('<g class="grid">');
  for (const v of y.ticks) {
    const py = y(v);
    if (py < y1 - 0.5 || py > y0 + 0.5) continue;
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${r1(py)}" y2="${r1(py)}"/>`);
    parts.push(`<text class="ytick" x="${x0 - 6}" y="${r1(py + 4)}" text-anchor="end">${escapeHtml(v === 0 ? '0' : formatUs(v))}</text>`);
  }
  for (let k = 0; k <= maxX; k++) {
    const px = x0 + (k / maxX) * (x1 - x0);
    const label = k === 0 ? '0%' : `${(100 - 100 / 10 ** k).toFixed(Math.max(0, k - 2))}%`;
    parts.push(`<line class="xgrid" x1="${r1(px)}" x2="${r1(px)}" y1="${y1}" y2="${y0}"/>`);
    parts.push(`<text class="xtick" x="${r1(px)}" y="${y0 + 18}" text-anchor="${k === maxX ? 'end' : 'middle'}">${label}</text>`);
  }
  parts.push(`</g><line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/>`);
  parts.push(`<text class="ylabel" x="${x0 - 6}" y="${y1 - 20}">latency${y.kind === 'log' ? ' (log scale)' : ''}</text>`);
  parts.push(`<text class="xlabel" x="${(x0 + x1) / 2}" y="${H - 2}" text-anchor="middle">percentile (axis: log of 1/(1−p))</text>`);

  for (const c of spec.curves) {
    const pts = c.points.filter((p) => p.percentile < 100 && p.valueUs > 0).map((p): [number, number] => [x(p.percentile), clampY(p.valueUs)]);
    parts.push(`<path class="series line" data-series="${escapeHtml(c.name)}" d="${linePath(pts)}"${attrs({
      fill: 'none', stroke: c.color, 'stroke-width': c.markers ? 1.5 : 2.5, 'stroke-dasharray': c.dash, 'stroke-linejoin': 'round',
    })}/>`);
    if (c.markers) {
      parts.push(`<g class="markers" fill="${c.color}">` + c.points.filter((p) => p.percentile < 100 && p.valueUs > 0).map((p) =>
        `<circle cx="${r1(x(p.percentile))}" cy="${r1(clampY(p.valueUs))}" r="3.5"><title>${escapeHtml(`${c.name} p${p.percentile}: ${formatUs(p.valueUs)}`)}</title></circle>`).join('') + '</g>');
    } else {
      // Hover targets on the main curve at the round percentiles people quote.
      parts.push('<g class="hover-points">' + [50, 90, 99, 99.9, 99.99, 99.999].map((p) => {
        const v = valueAt(c.points, p);
        return v === null || percentileX(p) > maxX ? '' : `<circle cx="${r1(x(p))}" cy="${r1(clampY(v))}" r="6"><title>${escapeHtml(`${c.name} p${p}: ${formatUs(v)}`)}</title></circle>`;
      }).join('') + '</g>');
    }
  }

  if (finite.length === 0) {
    parts.push(`<text class="nodata" x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle">no deliveries recorded</text>`);
  }
  const refLines: RefLine[] = [];
  if (spec.targetUs) refLines.push({ value: spec.targetUs, label: `target ${formatUs(spec.targetUs)}`, color: PALETTE.black, dash: '10 4' });
  if (spec.maxUs) refLines.push({ value: spec.maxUs, label: `max ${formatUs(spec.maxUs)}`, color: PALETTE.grey, dash: '2 3' });
  for (const r of refLines) {
    const py = y(Math.min(r.value, yTop));
    if (py < y1 || py > y0) continue;
    parts.push(`<g class="ref"><line x1="${x0}" x2="${x1}" y1="${r1(py)}" y2="${r1(py)}" stroke="${r.color}" stroke-width="1.5" stroke-dasharray="${r.dash}"/>` +
      `<text x="${x0 + 6}" y="${r1(py - 5)}" class="reflabel">${escapeHtml(r.label)}</text></g>`);
  }

  const svg = `<svg class="chart-svg wide" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(spec.title)}" ` +
    `preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
  const legendSeries = spec.curves.map((c) => ({ kind: 'line' as const, name: c.name, color: c.color, dash: c.dash, width: c.markers ? 1.5 : 2.5 }));
  return figure(spec.id, spec.title, spec.subtitle, svg, legend(legendSeries, false, refLines));
}

/** Latency at percentile p read off a curve (first point at or above p). */
export function valueAt(points: Array<{ percentile: number; valueUs: number }>, p: number): number | null {
  const hit = points.find((q) => q.percentile >= p - 1e-9);
  return hit ? hit.valueUs : null;
}
