// The fleet report's HTML page: charts a person can read (a title on each chart and its axes) and credits in cents.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fleetHtml, fleetText, type FleetReport } from './fleet-report.ts';
import type { MeterOutcome } from './fleet.ts';

function report(): FleetReport {
  const meter = {
    index: 0, token: 'T0', mode: 'sts', household: 'tv-fan', creditStart: 172, creditEnd: 280.70703125, energyKwh: 1.782,
    exhaustedHours: 0, relayOperations: 0, tamperEvents: 0, topUpsPaid: 1, topUpsCollected: 1, creditSold: 100,
    failedRequests: 0, telemetryMessages: 2, telemetryMinutes: [1020, 1020],
  } as unknown as MeterOutcome;
  return {
    fleet: { meters: 1, seed: 1, start: '2026-03-02T06:00:00', hours: 30, modes: ['sts'] },
    totals: { meters: 1, creditSold: 100, energyKwh: 1.782, exhaustedHours: 0, relayOperations: 0, tamperEvents: 0, topUpsPaid: 1, topUpsCollected: 1, failedRequests: 0, telemetryMessages: 2, brokerPeakPerMinute: 2, brokerMeanPerMinute: 0.001 },
    households: [{ household: 'tv-fan', meters: 1, energyKwh: 1.782, exhaustedHours: 0, creditSold: 100 }],
    brokerPerMinute: [[1020, 2]],
    meters: [meter],
  };
}

/** The page's own script (after the inlined plotly bundle). */
function pageScript(html: string): string {
  return html.slice(html.lastIndexOf('<script>'));
}

test('each chart of the fleet page has its title and axis titles in the form plotly.js 3 and later draw ({ text })', () => {
  const script = pageScript(fleetHtml(report()));
  assert.not.match(script, /title: '/, 'a title given as a bare string is not drawn by plotly.js 3 and later');
  for (const t of ['Telemetry messages at the broker per minute', 'minute from the start', 'Per household archetype', 'Energy per meter', 'kWh', 'meters']) {
    assert.ok(script.includes(`title: { text: '${t}' }`), `no title '${t}'`);
  }
});

test('the text report counts one meter of a household in the singular, its columns still aligned', () => {
  const r = report();
  r.households.push({ household: 'small-shop', meters: 2, energyKwh: 3.5, exhaustedHours: 0, creditSold: 0 });
  const lines = fleetText(r).split('\n');
  assert.ok(lines.includes('  tv-fan             1 meter        1.782 kWh       0.0 h relay open'), lines.join('\n'));
  assert.ok(lines.includes('  small-shop         2 meters       3.500 kWh       0.0 h relay open'), lines.join('\n'));
});

test('the meters table gives the credit at start and at end in cents, not as raw float digits', () => {
  const html = fleetHtml(report());
  assert.ok(html.includes('<td>172.00</td><td>280.71</td>'), html.slice(html.indexOf('<h2>Meters')).slice(0, 600));
  assert.not.ok(html.includes('280.70703125'));
});

test('a fleet of one meter, one payment and one message says so in the singular, in the text and on the page', () => {
  const r = report();
  r.totals.topUpsPaid = 1;
  r.totals.telemetryMessages = 1;
  const text = fleetText(r);
  assert.match(text, /^Fleet: 1 meter, 30 h from /m);
  assert.match(text, /\(1 of 1 payment collected by the meters\)/);
  assert.match(text, /telemetry +1 message; at the broker/);
  const html = fleetHtml(r);
  assert.match(html, /<title>Fleet report: 1 meter<\/title>/);
  assert.match(html, /<p>1 meter, 30 h from /);
});

test.run();
