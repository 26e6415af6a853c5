import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeBench } from '../test/support/fake-bench.ts';
import { parseScenario } from './loader.ts';
import { formatJson, formatQuiet, formatReport } from './report.ts';
import { runScenario } from './runner.ts';

const FAILING = parseScenario([
  'name: report', 'version: 1', 'steps:', '  - delay: 2s', '  - name: relay opens', '    wait-until: { relay: open, timeout: 10s }',
  '  - power: cut',
].join('\n'), 'report.yaml');

test('the report marks each step and shows expected against observed with time and position', async () => {
  const r = await runScenario(FAILING, new FakeBench(), { seed: 4 });
  const text = formatReport(r);
  assert.match(text, /^▶ report {2}\(report\.yaml, seed 4\)\n/);
  assert.match(text, /\n {2}✓ 1 {7}0\.000s {2}delay 2s\n/);
  assert.match(text, /\n {2}✘ 2 {7}2\.000s {2}relay opens: wait-until relay "open" \(timeout 10s\)\n/);
  assert.match(text, /expected relay "open" within 10s\n\s+observed relay "closed"\n\s+at 12\.000s, step 2 "relay opens", report\.yaml:6:19\n/);
  assert.match(text, /\n {2}· 3 {15}power cut {2}\(not run\)\n/);
  assert.match(text, /FAILED at 12\.000s: step 2 "relay opens", 0 of 1 check held\n$/);
});

test('the report of an expect with for that stopped holding says when, counted from the step\'s start', async () => {
  const lasting = parseScenario([
    'name: lasting', 'version: 1', 'steps:', '  - delay: 1s', '  - grid: { hz: 51, for: 2500ms }', '  - expect: { freq: 51, for: 1min }',
  ].join('\n'), 'lasting.yaml');
  const text = formatReport(await runScenario(lasting, new FakeBench()));
  assert.match(text, /\n {2}✘ 3 {7}1\.000s {2}expect freq 51 for 1min\n/);
  assert.match(text, /expected freq 51 for 1min\n\s+observed freq 50 after 2\.500s\n\s+at 3\.500s, step 3, lasting\.yaml:6:15\n/);
});

test('a step of 2000 keys is shown on one line of its first 159 characters and an ellipsis', async () => {
  const keys = parseScenario(`name: keys\nversion: 1\nsteps:\n  - press-keys: "${'1'.repeat(2000)}"\n`, 'keys.yaml');
  const text = formatReport(await runScenario(keys, new FakeBench()));
  const line = text.split('\n').find((l) => l.includes('press-keys'))!;
  assert.ok(line.endsWith(`press-keys ${'1'.repeat(148)}…`), line);
});

test('the report of a passing run ends with PASSED and the checks held', async () => {
  const ok = parseScenario('name: ok\nversion: 1\nsteps:\n  - expect: { relay: closed }\n', 'ok.yaml');
  const text = formatReport(await runScenario(ok, new FakeBench()));
  assert.match(text, /PASSED at 0\.000s: 1 of 1 check held\n$/);
  assert.is(formatQuiet(await runScenario(ok, new FakeBench())), '');
});

test('the quiet report shows only the failing step', async () => {
  const text = formatQuiet(await runScenario(FAILING, new FakeBench()));
  assert.not.match(text, /delay 2s/);
  assert.match(text, /✘ 2/);
});

test('the JSON result parses back with status, exit code and failure', async () => {
  const obj = JSON.parse(formatJson(await runScenario(FAILING, new FakeBench(), { seed: 4 })));
  assert.is(obj.status, 'failed');
  assert.is(obj.exitCode, 1);
  assert.is(obj.seed, 4);
  assert.is(obj.failure.observable, 'relay');
  assert.is(obj.failure.observed, 'closed');
  assert.is(obj.failure.timeUs, 12_000_000);
});

test('colours only when asked', async () => {
  const r = await runScenario(FAILING, new FakeBench());
  assert.not.match(formatReport(r), /\x1b\[/);
  assert.match(formatReport(r, { color: true }), /\x1b\[31m✘/);
});

test.run();
