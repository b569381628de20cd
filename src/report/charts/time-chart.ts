// A chart over the run's clock (x = seconds since start) as static SVG: lines, areas or bars,
// fault windows hatched and tagged (F1, F2, …), reference lines (e.g. the 100 ms target), and a
// transparent hover strip per time bucket whose <title> gives the exact numbers.
import { escapeHtml } from '../escape';
import { latencyScale, linearScale, logScale, timeTicks, type Scale } from './scale';
import { PALETTE, areaPath, attrs, formatTick, hatchPattern, linePath, r1 } from './svg';

export interface TimeSeriesSpec {
  kind: 'line' | 'area' | 'bars';
  name: string;
  values: Array<number | null>;   // one per bucket; null = no data (a gap)
  color: string;
  dash?: string;                  // stroke-dasharray, the non-colour cue between lines
  width?: number;
  hatch?: boolean;                // bars: hatched instead of solid
}

export interface TimeBand {
  startS: number;
  endS: number | null;            // null: an instant (kill, restart), drawn as a line
  tag: string;                    // "F1"
  label: string;                  // full text, in the tooltip
  failed?: boolean;               // the fault could not be applied/undone
}

export interface RefLine { value: number; label: string; color?: string; dash?: string }

export interface TimeChartSpec {
  id: string;                     // unique in the page: prefixes the SVG ids
  title: string;
  subtitle?: string;
  bucketS: number;                // seconds per value
  series: TimeSeriesSpec[];
  y: 'linear' | 'log' | 'latency';
  yFormat: (v: number) => string;
  yLabel: string;
  bands: TimeBand[];
  refLines?: RefLine[];
  tooltip?: (bucket: number) => string;
  height?: number;
  width?: number;                 // viewBox width: ~560 for half-width charts keeps text legible
}

const M = { left: 70, right: 18, top: 36, bottom: 30 };

export function renderTimeChart(spec: TimeChartSpec): string {
  const W = spec.width ?? 900;
  const H = spec.height ?? 250;
  const dataLength = Math.max(0, ...spec.series.map((s) => s.values.length));
  const n = Math.max(1, dataLength);
  const seconds = n * spec.bucketS;
  const x0 = M.left;
  const x1 = W - M.right;
  const y0 = H - M.bottom;
  const y1 = M.top;
  const x = (t: number) => x0 + (t / seconds) * (x1 - x0);

  const all = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const refs = (spec.refLines ?? []).map((r) => r.value);
  const y: Scale = spec.y === 'latency' ? latencyScale(all, refs, y0, y1)
    : spec.y === 'log' ? logScale(Math.max(1, Math.min(...all.filter((v) => v > 0), 1)), Math.max(...all, ...refs, 10), y0, y1)
      : linearScale(0, Math.max(1, ...all, ...refs) * 1.05, y0, y1, 5);
  const yTop = y.ticks[y.ticks.length - 1];
  const clampY = (v: number) => Math.max(y1, Math.min(y0, y(Math.min(v, yTop))));

  const patternId = `${spec.id}-hatch`;
  const parts: string[] = [];
  parts.push(`<defs>${hatchPattern(patternId, PALETTE.orange)}${hatchPattern(`${spec.id}-barhatch`, PALETTE.vermillion, true)}` +
    `<clipPath id="${escapeHtml(spec.id)}-clip"><rect x="${x0}" y="${y1 - 2}" width="${x1 - x0}" height="${y0 - y1 + 4}"/></clipPath></defs>`);

  // Grid and axes.
  parts.push('<g class="grid">');
  for (const v of y.ticks) {
    const py = y(v);
    if (py < y1 - 0.5 || py > y0 + 0.5) continue;
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${r1(py)}" y2="${r1(py)}"/>`);
    parts.push(`<text class="ytick" x="${x0 - 6}" y="${r1(py + 4)}" text-anchor="end">${escapeHtml(spec.yFormat(v))}</text>`);
  }
  for (const t of timeTicks(seconds, Math.max(4, Math.floor((x1 - x0) / 80)))) {
    parts.push(`<line class="xgrid" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${y1}" y2="${y0}"/>`);
    parts.push(`<text class="xtick" x="${r1(x(t))}" y="${y0 + 18}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  parts.push(`</g><line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/>`);
  parts.push(`<text class="ylabel" x="${x0 - 6}" y="${y1 - 20}" text-anchor="start">${escapeHtml(spec.yLabel)}${y.kind === 'log' ? ' (log scale)' : ''}</text>`);

  // Fault windows behind the data.
  parts.push('<g class="bands">');
  for (const b of spec.bands) {
    const bx = x(Math.max(0, b.startS));
    const title = `<title>${escapeHtml(`${b.tag}: ${b.label}`)}</title>`;
    if (b.endS === null || b.endS - b.startS < spec.bucketS * 0.5) {
      parts.push(`<g class="instant">${title}<line x1="${r1(bx)}" x2="${r1(bx)}" y1="${y1}" y2="${y0}" stroke="${PALETTE.orange}" stroke-width="2" stroke-dasharray="4 3"/></g>`);
    } else {
      const bw = Math.max(1, x(Math.min(seconds, b.endS)) - bx);
      parts.push(`<g class="band">${title}<rect x="${r1(bx)}" y="${y1}" width="${r1(bw)}" height="${y0 - y1}" fill="url(#${escapeHtml(patternId)})"/></g>`);
    }
    parts.push(`<text class="bandtag${b.failed ? ' failed' : ''}" x="${r1(bx + 3)}" y="${y1 - 4}">${escapeHtml(b.tag)}${b.failed ? '!' : ''}</text>`);
  }
  parts.push('</g>');

  // Data.
  parts.push(`<g clip-path="url(#${escapeHtml(spec.id)}-clip)">`);
  const barSeries = spec.series.filter((s) => s.kind === 'bars');
  const slot = (x(spec.bucketS) - x(0)) / Math.max(1, barSeries.length);
  for (const s of spec.series) {
    const pts = s.values.map((v, i): [number, number] | null =>
      v === null || !Number.isFinite(v) || (y.kind === 'log' && v <= 0) ? null : [x((i + 0.5) * spec.bucketS), clampY(v)]);
    if (s.kind === 'bars') {
      const k = barSeries.indexOf(s);
      const fill = s.hatch ? `url(#${spec.id}-barhatch)` : s.color;
      let rects = '';
      s.values.forEach((v, i) => {
        if (v === null || !(v > 0)) return;
        const top = clampY(v);
        const bx = x(i * spec.bucketS) + k * slot + slot * 0.1;
        rects += `<rect x="${r1(bx)}" y="${r1(top)}" width="${r1(Math.max(0.8, slot * 0.8))}" height="${r1(Math.max(0.8, y0 - top))}"/>`;
      });
      parts.push(`<g class="series bars" data-series="${escapeHtml(s.name)}"${attrs({ fill, stroke: s.hatch ? s.color : undefined, 'stroke-width': s.hatch ? 0.8 : undefined })}>${rects}</g>`);
      continue;
    }
    if (s.kind === 'area') {
      parts.push(`<path class="series area-fill" data-series="${escapeHtml(s.name)}" d="${areaPath(pts, y0)}" fill="${s.color}" fill-opacity="0.18"/>`);
    }
    parts.push(`<path class="series line" data-series="${escapeHtml(s.name)}" d="${linePath(pts)}"${attrs({
      fill: 'none', stroke: s.color, 'stroke-width': s.width ?? 2, 'stroke-dasharray': s.dash, 'stroke-linejoin': 'round',
    })}/>`);
  }
  parts.push('</g>');

  for (const r of spec.refLines ?? []) {
    const py = y(r.value);
    if (py < y1 || py > y0) continue;
    parts.push(`<g class="ref"><line x1="${x0}" x2="${x1}" y1="${r1(py)}" y2="${r1(py)}" stroke="${r.color ?? PALETTE.black}" stroke-width="1.5" stroke-dasharray="${r.dash ?? '10 4'}"/>` +
      `<text x="${x1 - 4}" y="${r1(py - 5)}" text-anchor="end" class="reflabel">${escapeHtml(r.label)}</text></g>`);
  }

  if (all.length === 0) {
    parts.push(`<text class="nodata" x="${(x0 + x1) / 2}" y="${(y0 + y1) / 2}" text-anchor="middle">no data recorded</text>`);
  }
  if (spec.tooltip) {
    parts.push('<g class="hover">');
    for (let i = 0; i < dataLength; i++) {
      parts.push(`<rect x="${r1(x(i * spec.bucketS))}" y="${y1}" width="${r1(x(spec.bucketS) - x(0))}" height="${y0 - y1}"><title>${escapeHtml(spec.tooltip(i))}</title></rect>`);
    }
    parts.push('</g>');
  }

  const svg = `<svg class="chart-svg${W > 700 ? ' wide' : ''}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(spec.title)}" ` +
    `preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
  return figure(spec.id, spec.title, spec.subtitle, svg, legend(spec.series, spec.bands.length > 0, spec.refLines ?? []));
}

export function figure(id: string, title: string, subtitle: string | undefined, svg: string, legendHtml: string): string {
  return `<figure class="chart" id="${escapeHtml(id)}"><figcaption><span class="chart-title">${escapeHtml(title)}</span>` +
    `${subtitle ? ` <span class="chart-sub">${escapeHtml(subtitle)}</span>` : ''}</figcaption>` +
    `<div class="chart-scroll">${svg}</div>${legendHtml}</figure>`;
}

/** An HTML legend whose samples repeat each series' colour AND dash/marker, so it reads in greyscale. */
export function legend(series: Array<Pick<TimeSeriesSpec, 'kind' | 'name' | 'color' | 'dash' | 'width' | 'hatch'>>, bands: boolean, refs: RefLine[]): string {
  const items = series.map((s) => {
    const sample = s.kind === 'bars'
      ? `<rect x="4" y="2" width="16" height="10" fill="${s.color}"${s.hatch ? ' fill-opacity="0.35"' : ''} stroke="${s.color}"/>`
      : `<line x1="0" x2="24" y1="7" y2="7" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`;
    return `<li><svg width="24" height="14" aria-hidden="true">${sample}</svg>${escapeHtml(s.name)}</li>`;
  });
  for (const r of refs) {
    items.push(`<li><svg width="24" height="14" aria-hidden="true"><line x1="0" x2="24" y1="7" y2="7" stroke="${r.color ?? PALETTE.black}" stroke-width="1.5" stroke-dasharray="${r.dash ?? '10 4'}"/></svg>${escapeHtml(r.label)}</li>`);
  }
  if (bands) {
    items.push(`<li><svg width="24" height="14" aria-hidden="true"><rect width="24" height="14" fill="${PALETTE.orange}" fill-opacity="0.3"/>` +
      `<line x1="0" y1="14" x2="14" y2="0" stroke="${PALETTE.orange}" stroke-width="2"/><line x1="10" y1="14" x2="24" y2="0" stroke="${PALETTE.orange}" stroke-width="2"/></svg>fault window (F1…)</li>`);
  }
  return `<ul class="legend">${items.join('')}</ul>`;
}
