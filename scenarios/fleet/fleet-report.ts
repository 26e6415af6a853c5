// The fleet report: totals over the meters (credit sold through the backend, hours with the relay open, relay
// operations, tamper events, failed backend requests, telemetry messages per minute at the broker), per household
// archetype and per meter; as JSON, and as one self-contained HTML page with plotly charts (the bundle inlined).
import { plotlyBundle } from '../accuracy/html-report.ts';
import type { FleetSpec, MeterOutcome } from './fleet.ts';
import { plural } from '../../io/plural.ts';

export interface FleetTotals {
  meters: number;
  creditSold: number;
  energyKwh: number;
  exhaustedHours: number;
  relayOperations: number;
  tamperEvents: number;
  topUpsPaid: number;
  topUpsCollected: number;
  failedRequests: number;
  telemetryMessages: number;
  /** Telemetry at the broker: the busiest minute and the mean over the run. */
  brokerPeakPerMinute: number;
  brokerMeanPerMinute: number;
}

export interface FleetReport {
  fleet: { meters: number; seed: number; start: string; hours: number; modes: string[] };
  totals: FleetTotals;
  households: Array<{ household: string; meters: number; energyKwh: number; exhaustedHours: number; creditSold: number }>;
  /** Telemetry messages at the broker per minute of the run, as [minute, count] pairs of the minutes with any. */
  brokerPerMinute: Array<[number, number]>;
  meters: MeterOutcome[];
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function fleetReport(spec: FleetSpec, meters: readonly MeterOutcome[]): FleetReport {
  const sum = (f: (m: MeterOutcome) => number): number => meters.reduce((a, m) => a + f(m), 0);
  const perMinute = new Map<number, number>();
  for (const m of meters) for (const t of m.telemetryMinutes) perMinute.set(t, (perMinute.get(t) ?? 0) + 1);
  const minutes = Math.max(1, Math.ceil(spec.durationUs / 60e6));
  const households = [...new Set(meters.map((m) => m.household))].sort().map((household) => {
    const own = meters.filter((m) => m.household === household);
    return {
      household, meters: own.length, energyKwh: r3(own.reduce((a, m) => a + m.energyKwh, 0)),
      exhaustedHours: r3(own.reduce((a, m) => a + m.exhaustedHours, 0)), creditSold: r3(own.reduce((a, m) => a + m.creditSold, 0)),
    };
  });
  return {
    fleet: { meters: meters.length, seed: spec.seed, start: spec.start, hours: r3(spec.durationUs / 3600e6), modes: [...spec.modes] },
    totals: {
      meters: meters.length,
      creditSold: r3(sum((m) => m.creditSold)),
      energyKwh: r3(sum((m) => m.energyKwh)),
      exhaustedHours: r3(sum((m) => m.exhaustedHours)),
      relayOperations: sum((m) => m.relayOperations),
      tamperEvents: sum((m) => m.tamperEvents),
      topUpsPaid: sum((m) => m.topUpsPaid),
      topUpsCollected: sum((m) => m.topUpsCollected),
      failedRequests: sum((m) => m.failedRequests),
      telemetryMessages: sum((m) => m.telemetryMessages),
      brokerPeakPerMinute: Math.max(0, ...perMinute.values()),
      brokerMeanPerMinute: r3(sum((m) => m.telemetryMessages) / minutes),
    },
    households,
    brokerPerMinute: [...perMinute.entries()].sort((a, b) => a[0] - b[0]),
    meters: [...meters],
  };
}

export function fleetJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Text safe inside an HTML element. */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function fleetText(report: FleetReport): string {
  const t = report.totals;
  return [
    `Fleet: ${plural(report.fleet.meters, 'meter')}, ${report.fleet.hours} h from ${report.fleet.start}, seed ${report.fleet.seed}, modes ${report.fleet.modes.join(', ')}`,
    `  energy metered      ${t.energyKwh.toFixed(3)} kWh`,
    `  credit sold         ${t.creditSold} (${t.topUpsCollected} of ${plural(t.topUpsPaid, 'payment')} collected by the meters)`,
    `  relay open          ${t.exhaustedHours.toFixed(3)} meter-hours; ${t.relayOperations} relay operations`,
    `  tamper events       ${t.tamperEvents}`,
    `  failed requests     ${t.failedRequests} (top-up backend)`,
    `  telemetry           ${plural(t.telemetryMessages, 'message')}; at the broker ${t.brokerPeakPerMinute}/min at peak, ${t.brokerMeanPerMinute}/min mean`,
    ...report.households.map((h) => `  ${h.household.padEnd(14)} ${String(h.meters).padStart(5)} ${h.meters === 1 ? 'meter ' : 'meters'}  ${h.energyKwh.toFixed(3).padStart(10)} kWh  ${h.exhaustedHours.toFixed(1).padStart(8)} h relay open`),
    '',
  ].join('\n');
}

export function fleetHtml(report: FleetReport): string {
  const t = report.totals;
  const data = {
    households: report.households,
    perMinute: report.brokerPerMinute,
    energy: report.meters.map((m) => m.energyKwh),
    exhausted: report.meters.map((m) => m.exhaustedHours),
  };
  const rows = report.meters.slice(0, 500).map((m) => `<tr><td>${m.index}</td><td>${esc(m.household)}</td><td>${esc(m.mode)}</td><td>${m.creditStart.toFixed(2)}</td><td>${m.creditEnd.toFixed(2)}</td>`
    + `<td>${m.energyKwh.toFixed(3)}</td><td>${m.exhaustedHours.toFixed(2)}</td><td>${m.relayOperations}</td><td>${m.topUpsCollected}/${m.topUpsPaid}</td><td>${m.telemetryMessages}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fleet report: ${plural(report.fleet.meters, 'meter')}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}.chart{height:340px}</style>
<script>${plotlyBundle().replace(/<\/(script)/gi, '<\\/$1')}</script></head><body>
<h1>Fleet report</h1>
<p>${plural(report.fleet.meters, 'meter')}, ${report.fleet.hours} h from ${esc(report.fleet.start)}, seed ${report.fleet.seed}, modes ${esc(report.fleet.modes.join(', '))}.</p>
<table><tr><th>energy metered</th><td>${t.energyKwh.toFixed(3)} kWh</td></tr><tr><th>credit sold</th><td>${t.creditSold} (${t.topUpsCollected} of ${plural(t.topUpsPaid, 'payment')} collected)</td></tr>
<tr><th>relay open</th><td>${t.exhaustedHours.toFixed(3)} meter-hours</td></tr><tr><th>relay operations</th><td>${t.relayOperations}</td></tr>
<tr><th>tamper events</th><td>${t.tamperEvents}</td></tr><tr><th>failed backend requests</th><td>${t.failedRequests}</td></tr>
<tr><th>telemetry at the broker</th><td>${plural(t.telemetryMessages, 'message')}, ${t.brokerPeakPerMinute}/min at peak, ${t.brokerMeanPerMinute}/min mean</td></tr></table>
<div id="minute" class="chart"></div><div id="households" class="chart"></div><div id="energy" class="chart"></div>
<h2>Meters${report.meters.length > 500 ? ' (first 500; all are in the JSON report)' : ''}</h2>
<table><tr><th>#</th><th>household</th><th>mode</th><th>credit at start</th><th>at end</th><th>kWh</th><th>relay open h</th><th>relay ops</th><th>top-ups</th><th>telemetry</th></tr>
${rows}</table>
<script>
const D = ${scriptJson(data)};
Plotly.newPlot('minute', [{ type: 'bar', x: D.perMinute.map((p) => p[0]), y: D.perMinute.map((p) => p[1]) }],
  { title: { text: 'Telemetry messages at the broker per minute' }, xaxis: { title: { text: 'minute from the start' } }, yaxis: { title: { text: 'messages' } } });
Plotly.newPlot('households', [
  { type: 'bar', name: 'kWh', x: D.households.map((h) => h.household), y: D.households.map((h) => h.energyKwh) },
  { type: 'bar', name: 'relay open (h)', x: D.households.map((h) => h.household), y: D.households.map((h) => h.exhaustedHours) }],
  { title: { text: 'Per household archetype' }, barmode: 'group', yaxis: { title: { text: 'kWh; hours with the relay open' } } });
Plotly.newPlot('energy', [{ type: 'histogram', x: D.energy }], { title: { text: 'Energy per meter' }, xaxis: { title: { text: 'kWh' } }, yaxis: { title: { text: 'meters' } } });
</script></body></html>
`;
}
