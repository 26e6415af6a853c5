// JUnit XML of a campaign, for CI systems (Jenkins, GitLab, GitHub test reporters read this shape):
// - one <testsuite> (named `osm run`), or with a matrix one per cell (named by the cell);
// - one <testcase> per run: classname from the scenario's path (`scenarios/library/tamper.yaml` ->
//   `scenarios.library.tamper`), name the scenario's own name (plus the cell with a matrix), time the wall seconds;
//   properties: simulated-time (as the reports write it), simulated-us, seed, cell, firmware;
// - a failed expectation is a <failure> (type `expectation failed`; `expectation stopped holding` for an expect with
//   `for` that held at first; `wait-until timed out`) whose message is the failing step and its reason, and whose
//   text holds every expected value against the observed one and the file:line:col of the check;
// - an invalid input is an <error type="invalid input"> with its file:line:col message; a simulator error an
//   <error type="simulation error">.
// junit-report-builder escapes the text and leaves out the characters XML 1.0 cannot carry.
import junitReportBuilder from 'junit-report-builder';
import type { Builder, TestCase } from 'junit-report-builder';
import { failureBlock } from '../report.ts';
import { isBroken, type RunRecord } from './run-job.ts';
import { detailText } from './summary.ts';
import type { CampaignResult } from './campaign.ts';

// The package is CommonJS whose module.exports is the builder, while its types declare an ES default export: under
// Node's ESM loader the default import is the builder itself, under a bundler it would be `.default`.
const builder = ((junitReportBuilder as unknown as { default?: Builder }).default ?? junitReportBuilder) as unknown as Builder;

/** `scenarios/library/opaygo/g01-invalid.yaml` -> `scenarios.library.opaygo.g01-invalid`. */
export function classNameOf(file: string): string {
  const parts = file.replace(/\\/g, '/').replace(/\.ya?ml$/, '').split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.join('.').replace(/\s+/g, '_') || 'scenario';
}

function caseName(r: RunRecord): string {
  const base = r.name ?? r.file;
  return r.cell ? `${base} [${r.cell.label}]` : base;
}

function fillCase(tc: TestCase, r: RunRecord): void {
  tc.className(classNameOf(r.file)).name(caseName(r)).file(r.file).time(Math.round(r.wallMs) / 1000);
  if (!isBroken(r)) {
    tc.property('simulated-time', r.end).property('simulated-us', String(r.endUs));
  } else if (r.error.time !== undefined) {
    tc.property('simulated-time', r.error.time).property('simulated-us', String(r.error.timeUs));
  }
  if (r.seed !== undefined) tc.property('seed', String(r.seed));
  if (r.cell) tc.property('cell', r.cell.label);
  const o = r.firmwareOverride;
  if (o) tc.property('firmware', `${o.cell} (the scenario names ${o.scenarioDefault ? `none; ${o.scenario} by default` : o.scenario})`);
  if (isBroken(r)) {
    tc.error(r.error.message, r.status === 'invalid' ? 'invalid input' : 'simulation error');
    return;
  }
  if (r.status === 'failed' && r.failure) {
    const f = r.failure;
    tc.failure(detailText(r), f.command === 'wait-until' ? 'wait-until timed out' : f.heldUs !== undefined ? 'expectation stopped holding' : 'expectation failed');
    tc.stacktrace(failureBlock(f).split('\n').map((l) => l.trim()).join('\n'));
  }
}

/** The JUnit XML document of a campaign's records. */
export function junitXml(result: Pick<CampaignResult, 'records' | 'cells'>): string {
  const b = builder.newBuilder();
  if (!result.cells) {
    const suite = b.testSuite().name('osm run');
    for (const r of result.records) fillCase(suite.testCase(), r);
    return b.build();
  }
  // Invalid inputs belong to no cell: they get a suite of their own, first, so they are not hidden in a cell.
  const invalid = result.records.filter((r) => r.cell === undefined);
  if (invalid.length) {
    const suite = b.testSuite().name('osm run: invalid inputs');
    for (const r of invalid) fillCase(suite.testCase(), r);
  }
  for (const cell of result.cells) {
    const suite = b.testSuite().name(`osm run [${cell.label}]`);
    for (const r of result.records) if (r.cell?.label === cell.label) fillCase(suite.testCase(), r);
  }
  return b.build();
}
