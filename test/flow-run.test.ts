// `osm flow run` end to end, as a CI job would call it: the regression campaign of flows/ as shipped (the whole
// library, communications included) passes and writes JUnit, and on the emulated board for the board-observable
// scenario; flows with an invalid node configuration or an invalid file exit 2 naming the node; a flow whose check
// fails exits 1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSM = join(ROOT, 'cli', 'osm.js'); // the bin registers tsx itself, so any working folder will do

function osm(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const p = spawn(process.execPath, [OSM, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

let dir = '';
test.before(() => { dir = mkdtempSync(join(tmpdir(), 'osm-flow-run-')); });
test.after(() => { rmSync(dir, { recursive: true, force: true }); });

type FlowNode = Record<string, unknown> & { id: string; type: string };
const regression = (): FlowNode[] => JSON.parse(readFileSync(join(ROOT, 'flows', 'regression-campaign.json'), 'utf8')) as FlowNode[];

test('the regression campaign flow file is valid as shipped', async () => {
  const r = await osm(['flow', 'check', join(ROOT, 'flows', 'regression-campaign.json')], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /valid \(10 nodes, 3 OpenSmartMeter nodes\)/);
});

const libraryCount = (): number => (readdirSync(join(ROOT, 'scenarios', 'library'), { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).length;

test('the regression campaign as shipped runs the whole library, passes and writes JUnit a CI system reads', async () => {
  const n = libraryCount();
  const r = await osm(['flow', 'run', '--quiet', join(ROOT, 'flows', 'regression-campaign.json')], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`PASSED: ${n} passed, 0 failed, 0 node errors`));
  const xml = readFileSync(join(dir, 'regression-junit.xml'), 'utf8');
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  assert.match(xml, new RegExp(`<testsuites name="OpenSmartMeter Twin: regression campaign" tests="${n}" failures="0" errors="0"`));
  assert.match(xml, /<testcase classname="library" name="sts tokens \(library\/sts-tokens.yaml\)"/);
  assert.match(xml, /<testcase classname="library" name="web top-up credited once \(library\/comms\/web-topup.yaml\)"/);
  assert.match(readFileSync(join(dir, 'regression-report.html'), 'utf8'), new RegExp(`PASSED: ${n} passed, 0 failed, 0 errors of ${n}`));
});

test('the regression campaign with its meter on the emulated board runs the board-observable scenario there', async () => {
  const flow = regression();
  const meter = flow.find((n) => n.type === 'osm-meter')!;
  meter.target = 'emulated';
  meter.wiring = 'mega2560';
  flow.find((n) => n.type === 'osm-scenario')!.match = 'tamper-outputs';
  const report = flow.find((n) => n.type === 'osm-report')!;
  report.junit = 'emulated-junit.xml';
  report.html = '';
  const file = join(dir, 'regression-emulated.json');
  writeFileSync(file, JSON.stringify(flow));
  const r = await osm(['flow', 'run', file], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /PASSED: 1 passed, 0 failed, 0 node errors/);
  assert.match(readFileSync(join(dir, 'emulated-junit.xml'), 'utf8'), /<testcase classname="library" name="tamper, board outputs \(library\/tamper-outputs.yaml\)"/);
});

test('a flow whose meter names a real board without a port exits 2 naming the meter node and the reason', async () => {
  const flow = regression();
  const meter = flow.find((n) => n.type === 'osm-meter')!;
  meter.target = 'johnny-five';
  const file = join(dir, 'no-port.json');
  writeFileSync(file, JSON.stringify(flow));
  const r = await osm(['flow', 'check', file], dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`node ${meter.id} \\(osm-meter "regression target \\(twin, seed 1\\)"\\): port: a real board needs its serial port`));
});

test('a flow with an invalid node configuration exits 2 naming the node id, its type and the reason', async () => {
  const flow = regression();
  const scenario = flow.find((n) => n.type === 'osm-scenario')!;
  scenario.source = 'inline';
  scenario.yaml = 'name: x\nversion: 1\nsteps:\n  - delay: 5\n';
  const file = join(dir, 'invalid.json');
  writeFileSync(file, JSON.stringify(flow));
  const r = await osm(['flow', 'run', file], dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`node ${scenario.id} \\(osm-scenario "library scenarios"\\): yaml: inline:4:12: .*unit`));
});

test('a flow whose meter names an unknown defect knob exits 2 naming the meter node', async () => {
  const flow = regression();
  const meter = flow.find((n) => n.type === 'osm-meter')!;
  meter.fix = 'D99';
  const file = join(dir, 'bad-meter.json');
  writeFileSync(file, JSON.stringify(flow));
  const r = await osm(['flow', 'run', file], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`node ${meter.id} \\(osm-meter "regression target \\(twin, seed 1\\)"\\): .*D99`));
});

test('a file that is not a flow export exits 2 with one line', async () => {
  const file = join(dir, 'not-a-flow.json');
  writeFileSync(file, '{"nodes": 3}');
  const r = await osm(['flow', 'run', file], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected a flow export/);
});

test('a flow whose expectation fails exits 1 and says which check failed', async () => {
  const flow: FlowNode[] = [
    { id: 't1', type: 'tab', label: 'checks' },
    { id: 'm1', type: 'osm-meter', credit: '500' },
    { id: 'i1', type: 'inject', z: 't1', props: [], repeat: '', once: false, wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', z: 't1', name: 'relay opens', meter: 'm1', checks: 'relay: open\nled.red: "on"', timeout: '2min', wires: [[], []] },
  ];
  const file = join(dir, 'failing.json');
  writeFileSync(file, JSON.stringify(flow));
  const r = await osm(['flow', 'run', file], dir);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /✘ failed checks › relay opens: expected relay "open", observed "closed" within 2min \(at 2m00\.000s\)/);
});

test('a verdict that a delay node between the check and the report still holds when the run ends is in the JUnit as decided', async () => {
  const junit = join(dir, 'held.xml');
  const flow: FlowNode[] = [
    { id: 't1', type: 'tab', label: 'held' },
    { id: 'm1', type: 'osm-meter', credit: '500' },
    { id: 'i1', type: 'inject', z: 't1', props: [], repeat: '', once: false, wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', z: 't1', name: 'relay open at delivery', meter: 'm1', checks: 'relay: open', timeout: '', wires: [['d1'], ['d1']] },
    { id: 'd1', type: 'delay', z: 't1', pauseType: 'delay', timeout: '1', timeoutUnits: 'hours', rate: '1', rateUnits: 'second', nbRateUnits: '1', wires: [['r1']] },
    { id: 'r1', type: 'osm-report', z: 't1', title: 'held', junit, wires: [[]] },
  ];
  const file = join(dir, 'held.json');
  writeFileSync(file, JSON.stringify(flow));
  const r = await osm(['flow', 'run', file], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(readFileSync(junit, 'utf8'), /tests="1" failures="0" errors="0"[\s\S]*<testcase classname="held" name="relay open at delivery"/);
});

test('the fault-injection campaign reports each of its checks once, in the JUnit as on the console', async () => {
  const flow = JSON.parse(readFileSync(join(ROOT, 'flows', 'fault-injection.json'), 'utf8')) as FlowNode[];
  const checks = flow.filter((n) => n.type === 'osm-expect').length;
  const r = await osm(['flow', 'run', '--quiet', join(ROOT, 'flows', 'fault-injection.json')], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`PASSED: ${checks} passed, 0 failed, 0 node errors`));
  const xml = readFileSync(join(dir, 'fault-injection-junit.xml'), 'utf8');
  assert.match(xml, new RegExp(`<testsuites name="Fault-injection campaign" tests="${checks}" failures="0"`));
  assert.equal(xml.match(/<testcase /g)?.length, checks);
});

test.run();
