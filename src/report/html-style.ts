// The report's one stylesheet: system fonts only (nothing fetched), Okabe–Ito colours, narrow-window
// and print layouts. PASS/FAIL are always written as words; colour is never the only cue.
export const REPORT_CSS = `
:root{--fg:#1b1f24;--muted:#5b636e;--line:#d9dde3;--bg:#f6f7f9;--card:#fff;--pass:#007a5a;--fail:#b8470a;--fault:#E69F00;--accent:#0072B2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1180px;margin:0 auto;padding:0 20px 40px}
h1,h2,h3{line-height:1.2;margin:0}
h2{font-size:20px;margin:34px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:18px 0 8px}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:13px}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.muted{color:var(--muted)}
.banner{color:#fff;padding:22px 0 18px}
.banner.pass{background:var(--pass)}
.banner.fail{background:var(--fail)}
.banner .inner{max-width:1180px;margin:0 auto;padding:0 20px}
.verdict{display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
.verdict-word{font-size:40px;font-weight:800;letter-spacing:.04em}
.verdict-text{font-size:18px;font-weight:600}
.banner .name{font-size:15px;opacity:.95;margin-top:2px}
.banner ul{margin:10px 0 0;padding-left:20px}
.banner li{margin:3px 0}
.banner code{background:rgba(0,0,0,.18);padding:1px 5px;border-radius:3px;color:#fff}
.title{font-size:24px;margin:20px 0 0;overflow-wrap:anywhere}
.desc{margin:4px 0 0}
.meta{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px 18px;margin:16px 0 4px;padding:14px 16px;background:var(--card);border:1px solid var(--line);border-radius:8px}
.meta dt{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.meta dd{margin:0;font-weight:600;overflow-wrap:anywhere}
nav.toc{margin:10px 0 0;font-size:14px;display:flex;flex-wrap:wrap;gap:4px 14px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:14px 0}
.card{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--line);border-radius:8px;padding:10px 12px}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.card .v{font-size:22px;font-weight:700;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.card .s{font-size:12px;color:var(--muted)}
.card.good{border-left-color:var(--pass)}
.card.bad{border-left-color:var(--fail)}
.card.bad .v{color:var(--fail)}
.status{display:inline-block;white-space:nowrap;min-width:48px;text-align:center;font-weight:800;font-size:12px;letter-spacing:.05em;padding:2px 6px;border-radius:4px;color:#fff}
.status.pass{background:var(--pass)}
.status.fail{background:var(--fail)}
.status.pass::before{content:"\\2713  "}
.status.fail::before{content:"\\2717  "}
.table-wrap.tall{max-height:560px;overflow:auto}
.table-wrap.tall thead th{position:sticky;top:0;z-index:1}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px;margin:8px 0 14px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:#fafbfc;white-space:nowrap}
th.num{text-align:right}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover td{background:#f3f6fa}
td.bad{color:var(--fail);font-weight:700}
td.bad::after{content:" \\25B2";font-size:10px}
tr.failed td{background:#fff4ec}
th button{all:inherit;cursor:pointer;padding:0}
th button::after{content:" \\2195";opacity:.4}
th[aria-sort=descending] button::after{content:" \\2193";opacity:1}
th[aria-sort=ascending] button::after{content:" \\2191";opacity:1}
.chart{margin:10px 0 18px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 12px 6px}
.chart figcaption{margin:0 4px 6px}
.chart-title{font-weight:700}
.chart-sub{color:var(--muted);font-size:13px}
.chart-scroll{overflow-x:auto}
.chart-svg{display:block;width:100%;min-width:480px;height:auto}
.chart-svg text{font-size:12px;fill:#3c434c;font-family:inherit}
.chart-svg .grid line{stroke:#e6e9ee;stroke-width:1}
.chart-svg .grid .xgrid{stroke:#f0f2f5}
.chart-svg .axis{stroke:#8a929c;stroke-width:1}
.chart-svg .ylabel,.chart-svg .xlabel{fill:var(--muted);font-size:12px}
.chart-svg .nodata{fill:var(--muted);font-style:italic;font-size:15px}
.chart-svg .bandtag{font-weight:700;fill:#8a5a00;font-size:11px}
.chart-svg .bandtag.failed{fill:var(--fail)}
.chart-svg .reflabel{font-size:11px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
.chart-svg .hover rect,.chart-svg .hover-points circle{fill:transparent}
.chart-svg .hover rect:hover{fill:rgba(0,0,0,.06)}
.chart-svg .hover-points circle:hover{fill:rgba(0,0,0,.15)}
.legend{list-style:none;margin:4px 4px 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;color:#3c434c}
.legend li{display:flex;align-items:center;gap:6px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 16px}
.grid2>*{min-width:0}
pre.scenario{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;overflow:auto;max-height:520px;white-space:pre-wrap;overflow-wrap:anywhere}
.note{background:#fff8e6;border:1px solid #f0d9a0;border-radius:6px;padding:8px 12px;margin:8px 0}
.empty{color:var(--muted);font-style:italic;margin:4px 0 12px}
footer{margin-top:36px;color:var(--muted);font-size:13px}
@media (max-width:1000px){.grid2{grid-template-columns:1fr}}
/* Wide charts shrink a lot in a narrow window: enlarge their text in viewBox units so it stays readable. */
@media (max-width:700px){.chart-svg.wide text{font-size:18px}.chart-svg.wide .bandtag{font-size:18px}.chart-svg.wide .reflabel{font-size:18px}}
@media (max-width:560px){
 main,.banner .inner{padding-left:12px;padding-right:12px}
 .verdict-word{font-size:30px}.verdict-text{font-size:16px}
 .card .v{font-size:18px}
 th,td{padding:5px 7px}
}
@media print{
 @page{margin:14mm}
 body{background:#fff;font-size:11pt}
 .banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 nav.toc,.chart-svg .hover,.chart-svg .hover-points{display:none}
 .chart,.card,.table-wrap,.meta{border-color:#bbb;box-shadow:none;break-inside:avoid}
 .chart-scroll,.table-wrap,.table-wrap.tall{overflow:visible;max-height:none}
 .table-wrap.tall thead th{position:static}
 .chart-svg{min-width:0}
 h2{break-after:avoid}
 pre.scenario{max-height:none}
 th button::after{content:""}
 .status{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;
