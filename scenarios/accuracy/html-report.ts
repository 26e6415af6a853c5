// `--report out.html`: one self-contained page (the plotly.js-dist-min bundle inlined, no network) with the error
// versus current per power factor inside the limit envelope, the influence tests' shifts against their limits, the
// Monte Carlo spread when there is one, and the full table.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MonteCarloJob, MonteCarloResult } from './monte-carlo.ts';
import { LIMITS_NOTE, firmwareSummary, headerLines, monteCarloWithoutDcLine, pointJson, withoutDcImmunityLine, type TextOptions } from './report.ts';
import { dcImmunityExplanation, dcImmunityPoint } from './dc-immunity.ts';
import type { SuiteResult } from './runner.ts';

let plotly: string | null = null;

/** The plotly.js bundle as installed (node_modules/plotly.js-dist-min/plotly.min.js). */
export function plotlyBundle(): string {
  if (plotly === null) {
    const path = createRequire(import.meta.url).resolve('plotly.js-dist-min/plotly.min.js');
    plotly = readFileSync(path, 'utf8');
  }
  return plotly;
}

/** `x` with `d` decimals; a value that rounds to zero prints as 0.000, never -0.000. */
export function fixed(x: number, d: number): string {
  const t = x.toFixed(d);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

/** Text safe inside an HTML element or attribute. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element (no `</script>`, no HTML comment openers). */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JavaScript text safe inside a <script> element. */
function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export interface HtmlOptions extends TextOptions {
  monteCarlo?: { job: MonteCarloJob; result: MonteCarloResult };
}

/** The page. */
export function htmlReport(r: SuiteResult, o: HtmlOptions = {}): string {
  const data = {
    points: r.points.map(pointJson),
    Ib: r.ratings.Ib,
    Imax: r.ratings.Imax,
    errorTable: r.limits.errorTable.map((row) => ({ pfs: row.pfs.map((p) => `${p.value}${p.kind === 'inductive' ? 'L' : p.kind === 'capacitive' ? 'C' : ''}`), fromIb: row.fromIb, to: row.to, toInclusive: row.toInclusive, percent: row.percent })),
    monteCarlo: o.monteCarlo ? { units: o.monteCarlo.result.units, points: o.monteCarlo.result.points } : null,
  };
  const rows = r.points.map((p) => {
    const j = pointJson(p);
    const cell = (x: unknown, d = 3): string => (typeof x === 'number' ? fixed(x, d) : x === null || x === undefined ? '-' : esc(String(x)));
    return `<tr class="${p.pass ? 'pass' : 'fail'}"><td>${esc(p.name)}</td><td>${cell(p.voltage, 2)}</td><td>${cell((j.read as { voltage: number }).voltage, 2)}</td>`
      + `<td>${cell(p.current)}</td><td>${cell((j.read as { current: number }).current, 2)}</td><td>${cell(p.measurement.truePowerW, 1)}</td>`
      + `<td>${cell((j.read as { power: number }).power, 1)}</td><td>${cell(p.errorPercent)}</td><td>${cell(p.firmwareErrorPercent)}</td>`
      + `<td>${cell(p.shiftPercent)}</td><td>${p.limitPercent === null ? '-' : `±${p.limitPercent}`}</td>`
      + `<td>${p.firmwarePass ? 'PASS' : `FAIL${p.firmwareDefects.length ? ` ${esc(p.firmwareDefects.join(','))}` : ''}`}</td><td>${p.pass ? 'PASS' : 'FAIL'}</td>`
      + `<td>${esc([...p.reasons, ...(r.judge === 'chip' ? p.firmwareReasons.map((x) => `(firmware verdict) ${x}`) : [])].join('; '))}</td></tr>`;
  }).join('\n');
  const mc = o.monteCarlo
    ? `<h2>Monte Carlo yield</h2><p>${o.monteCarlo.result.passed} of ${o.monteCarlo.result.units} units passed (seed ${o.monteCarlo.job.seed}, judged on ${r.judge === 'chip' ? 'the hardware' : esc(r.judge)}): yield `
      + `${(o.monteCarlo.result.yield * 100).toFixed(1)} %, 95 % confidence interval ${(o.monteCarlo.result.low * 100).toFixed(1)} % .. `
      + `${(o.monteCarlo.result.high * 100).toFixed(1)} % (Wilson score).`
      + (monteCarloWithoutDcLine(o.monteCarlo.result) ? ` Hardware ${esc(monteCarloWithoutDcLine(o.monteCarlo.result)!)}.` : '')
      + (r.judge === 'chip' ? ` Firmware billing, its own verdict: ${o.monteCarlo.result.firmwarePassed} of ${o.monteCarlo.result.units} units within the limits`
        + `${o.monteCarlo.result.firmwareDefects.length ? ` (failures caused by ${esc(o.monteCarlo.result.firmwareDefects.join(', '))})` : ''}.` : '')
      + '</p><div id="chart-mc" class="chart chart-categories"></div>'
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>OpenSmartMeter twin: accuracy report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
.verdict { font-weight: bold; font-size: 1.2em; } .verdict.pass { color: #1a7f37; } .verdict.fail { color: #c62828; }
.chart { width: 100%; max-width: 1000px; height: 420px; }
.chart-categories { height: auto; min-height: 300px; }
table { border-collapse: collapse; font-size: 0.85em; } td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
td:first-child, td:last-child { text-align: left; } tr.fail td { background: #fdecea; }
.meta { font-size: 0.9em; color: #444; }
</style>
</head>
<body>
<h1>IEC 62053-21 class ${esc(r.limits.meterClass)} accuracy test of the OpenSmartMeter twin</h1>
<p class="meta">${headerLines(r, o).map(esc).join('<br>')}</p>
<p class="verdict ${r.pass ? 'pass' : 'fail'}">${r.judge === 'chip' ? 'Hardware (chip CF pulses): ' : ''}${r.pass ? 'PASS' : 'FAIL'}: ${r.points.filter((p) => !p.pass).length} of ${r.points.length} points outside the limits, ${esc(LIMITS_NOTE)}.</p>
${withoutDcImmunityLine(r) ? `<p class="verdict ${withoutDcImmunityLine(r)!.includes(': PASS:') ? 'pass' : 'fail'}">${esc(withoutDcImmunityLine(r)!)}.</p>` : ''}
${dcImmunityPoint(r) && dcImmunityExplanation(dcImmunityPoint(r)!) ? `<p class="dc">${esc(dcImmunityExplanation(dcImmunityPoint(r)!)!)}</p>` : ''}
${r.judge === 'chip' ? `<p class="verdict ${r.firmwarePass ? 'pass' : 'fail'}">${esc(firmwareSummary(r))}.</p>` : ''}
<h2>Error versus current, per power factor</h2>
<div id="chart-pf-1" class="chart"></div>
<div id="chart-pf-0.5L" class="chart"></div>
<div id="chart-pf-0.8C" class="chart"></div>
<h2>Influence quantities</h2>
<div id="chart-influence" class="chart chart-categories"></div>
${mc}
<h2>All points</h2>
<table>
<thead><tr><th>Test point</th><th>V supplied</th><th>V read</th><th>I supplied</th><th>I read</th><th>P expected W</th><th>P read W</th><th>error %</th><th>fw error %</th><th>shift %</th><th>limit %</th><th>fw verdict</th><th>verdict</th><th>why</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<script>${scriptText(plotlyBundle())}</script>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${scriptText(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

/** Draws the charts from the embedded data (runs in the browser). */
const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  // Plotly's own legend place (right of the plot, where it reserves its room) and automargin on every axis: no label
  // is cut and none runs into the legend.
  var layoutBase = { margin: { t: 50, r: 20, b: 50, l: 60 } };
  function limitEnvelope(pf) {
    var rows = data.errorTable.filter(function (row) { return row.pfs.indexOf(pf) >= 0; });
    var xs = [], up = [];
    rows.forEach(function (row) {
      var lo = row.fromIb * data.Ib, hi = row.to === 'Imax' ? data.Imax : row.to * data.Ib;
      xs.push(lo, hi); up.push(row.percent, row.percent);
    });
    return { xs: xs, up: up, down: up.map(function (v) { return -v; }) };
  }
  ['1', '0.5L', '0.8C'].forEach(function (pf) {
    var pts = data.points.filter(function (p) { return p.kind === 'error' && p.pfLabel === pf; });
    var el = document.getElementById('chart-pf-' + pf);
    if (!pts.length) { el.style.display = 'none'; return; }
    var env = limitEnvelope(pf);
    var traces = [
      { x: env.xs, y: env.up, name: 'limit', mode: 'lines', line: { color: '#c62828', dash: 'dash', shape: 'hv' } },
      { x: env.xs, y: env.down, name: 'limit', mode: 'lines', line: { color: '#c62828', dash: 'dash', shape: 'hv' }, fill: 'tonexty', fillcolor: 'rgba(76,175,80,0.08)', showlegend: false },
      { x: pts.map(function (p) { return p.current; }), y: pts.map(function (p) { return p.errorPercent; }), name: 'chip (CF pulses)', mode: 'lines+markers', line: { color: '#1f77b4' }, text: pts.map(function (p) { return p.name; }) },
      { x: pts.map(function (p) { return p.current; }), y: pts.map(function (p) { return p.firmwareErrorPercent; }), name: 'firmware (ENERGY)', mode: 'lines+markers', line: { color: '#ff7f0e' }, text: pts.map(function (p) { return p.name; }) }
    ];
    if (data.monteCarlo) {
      var stats = {}; data.monteCarlo.points.forEach(function (s) { stats[s.name] = s; });
      var mcPts = pts.filter(function (p) { return stats[p.name] && isFinite(stats[p.name].mean); });
      traces.push({ x: mcPts.map(function (p) { return p.current; }), y: mcPts.map(function (p) { return stats[p.name].mean; }), name: 'units: mean ± 3 sd',
        mode: 'markers', marker: { symbol: 'diamond', color: '#555' },
        error_y: { type: 'data', array: mcPts.map(function (p) { return 3 * stats[p.name].sd; }), visible: true } });
    }
    Plotly.newPlot(el, traces, Object.assign({}, layoutBase, {
      title: { text: 'PF ' + pf + ': percentage error versus current' },
      xaxis: { title: { text: 'current (A)' }, type: 'log', automargin: true },
      yaxis: { title: { text: 'error (%)' }, automargin: true }
    }), { displaylogo: false, responsive: true });
  });
  // Test names are long: they go on the vertical axis, horizontal and given the room they need (automargin), one row
  // each, so no label is cut or overlaps another; the chart grows with the number of rows.
  function categoryLayout(title, valueTitle, n) {
    return Object.assign({}, layoutBase, {
      title: { text: title }, height: 140 + 34 * n, barmode: 'group',
      yaxis: { automargin: true, autorange: 'reversed', tickfont: { size: 11 } },
      xaxis: { title: { text: valueTitle }, automargin: true, zeroline: true }
    });
  }
  var inf = data.points.filter(function (p) { return ['voltage', 'frequency', 'harmonics', 'dc'].indexOf(p.kind) >= 0; });
  var infEl = document.getElementById('chart-influence');
  if (!inf.length) { infEl.style.display = 'none'; } else {
    var names = inf.map(function (p) { return p.name; });
    Plotly.newPlot(infEl, [
      { y: names, x: inf.map(function (p) { return p.shiftPercent; }), name: 'chip shift', type: 'bar', orientation: 'h' },
      { y: names, x: inf.map(function (p) { return p.firmwareShiftPercent; }), name: 'firmware shift', type: 'bar', orientation: 'h' },
      { y: names, x: inf.map(function (p) { return p.limitPercent; }), name: 'limit', mode: 'markers', marker: { symbol: 'line-ns-open', size: 18, color: '#c62828' } },
      { y: names, x: inf.map(function (p) { return -p.limitPercent; }), name: 'limit', mode: 'markers', marker: { symbol: 'line-ns-open', size: 18, color: '#c62828' }, showlegend: false }
    ], categoryLayout('Error shift from the reference condition', 'shift (percentage points)', inf.length), { displaylogo: false, responsive: true });
  }
  var mcEl = document.getElementById('chart-mc');
  if (mcEl && data.monteCarlo) {
    var failing = data.monteCarlo.points.slice(0, 15);
    Plotly.newPlot(mcEl, [{ y: failing.map(function (s) { return s.name; }), x: failing.map(function (s) { return 100 * s.failures / data.monteCarlo.units; }), type: 'bar', orientation: 'h', name: 'units failing (%)' }],
      categoryLayout('Points that fail most (share of units)', 'units failing (%)', failing.length), { displaylogo: false, responsive: true });
  }
})();
`;
