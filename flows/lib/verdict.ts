// A verdict: what one check, scenario or accuracy suite of a flow concluded. osm-expect, osm-scenario and
// osm-accuracy put one in `msg.verdict`; osm-report collects them into JUnit XML and an HTML page.
import junitModule, { type Builder } from 'junit-report-builder';
import { plural } from '../../io/plural.ts';

// The package is CommonJS with a `default` export: Node's ESM loader gives module.exports, a bundler the default.
const junit: Builder = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as Builder;

export interface Verdict {
  /** Group in the reports (JUnit test suite): the flow's tab, or what the node was told. */
  suite: string;
  /** The test case: the node's name, the scenario's name, the checks. */
  name: string;
  status: 'passed' | 'failed' | 'error';
  /** Why it failed (one line), or what held. */
  message: string;
  /** Virtual time at which it was decided (µs) and how long it took in virtual time (µs). */
  timeUs: number;
  durationUs: number;
  /** Further lines for the report (failed checks, scenario steps). */
  details?: string[];
  /** The node that produced it. */
  source: { id: string; type: string };
}

export function isVerdict(v: unknown): v is Verdict {
  const o = v as Partial<Verdict> | null;
  return !!o && typeof o === 'object' && typeof o.name === 'string' && typeof o.suite === 'string'
    && (o.status === 'passed' || o.status === 'failed' || o.status === 'error');
}

export interface Summary { total: number; passed: number; failed: number; errors: number }

export function summarize(vs: readonly Verdict[]): Summary {
  return {
    total: vs.length,
    passed: vs.filter((v) => v.status === 'passed').length,
    failed: vs.filter((v) => v.status === 'failed').length,
    errors: vs.filter((v) => v.status === 'error').length,
  };
}

/** JUnit XML (one testsuite per suite, in order of appearance); `time` is virtual time in seconds. */
export function junitXml(title: string, vs: readonly Verdict[]): string {
  const b = junit.newBuilder().name(title);
  const suites = new Map<string, ReturnType<typeof b.testSuite>>();
  for (const v of vs) {
    let s = suites.get(v.suite);
    if (!s) { s = b.testSuite().name(v.suite); suites.set(v.suite, s); }
    const c = s.testCase().className(v.suite).name(v.name).time(v.durationUs / 1e6);
    const text = [v.message, ...(v.details ?? [])].join('\n');
    if (v.status === 'failed') c.failure(v.message).standardOutput(text);
    else if (v.status === 'error') c.error(v.message);
    else if (v.details?.length) c.standardOutput(text);
  }
  return b.build();
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function vtime(us: number): string {
  const s = us / 1e6;
  if (s < 60) return `${s.toFixed(3)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${(s % 60).toFixed(0)} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A self-contained HTML page: the summary, then one table per suite with every verdict and its details. */
export function htmlReport(title: string, vs: readonly Verdict[]): string {
  const sum = summarize(vs);
  const ok = sum.failed === 0 && sum.errors === 0 && sum.total > 0;
  const suites = [...new Set(vs.map((v) => v.suite))];
  const rows = (suite: string): string => vs.filter((v) => v.suite === suite).map((v) => `
      <tr class="${v.status}"><td>${esc(v.status)}</td><td>${esc(v.name)}</td><td>${esc(v.message)}${v.details?.length ? `<pre>${esc(v.details.join('\n'))}</pre>` : ''}</td><td>${vtime(v.timeUs)}</td><td>${vtime(v.durationUs)}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222 }
table { border-collapse: collapse; width: 100%; margin-bottom: 2em }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top }
tr.passed td:first-child { color: #176f2c; font-weight: bold }
tr.failed td:first-child, tr.error td:first-child { color: #b00020; font-weight: bold }
pre { margin: 4px 0 0; white-space: pre-wrap; font-size: 12px }
.verdict { font-size: 1.3em; font-weight: bold; color: ${ok ? '#176f2c' : '#b00020'} }
</style></head><body>
<h1>${esc(title)}</h1>
<p class="verdict">${ok ? 'PASSED' : sum.total === 0 ? 'NOTHING CHECKED' : 'FAILED'}: ${sum.passed} passed, ${sum.failed} failed, ${plural(sum.errors, 'error')} of ${sum.total}</p>
<p>Times are virtual (the meter's simulated time): when each verdict was decided and how long it took.</p>
${suites.map((s) => `<h2>${esc(s)}</h2>
<table><thead><tr><th>verdict</th><th>check</th><th>detail</th><th>at</th><th>took</th></tr></thead><tbody>${rows(s)}
</tbody></table>`).join('\n')}
</body></html>
`;
}
