import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, nextError, nextMessage, withHooks } from './test-support.ts';

const require = createRequire(import.meta.url);
/** Node-RED's own change and delay nodes, to sit between a step and the report. */
const CORE_NODES = ['@node-red/nodes/core/function/15-change.js', '@node-red/nodes/core/function/89-delay.js'].map((m) => withHooks(require(m)));

useHelper(test);

const verdict = (name: string, status: string, message: string) => ({
  suite: 'campaign', name, status, message, timeUs: 5e6, durationUs: 2e6, source: { id: 'x', type: 'osm-expect' },
});

test('verdicts are collected and written as JUnit and HTML when a message says complete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    await helper.load(OSM_NODES, [
      { id: 'r1', type: 'osm-report', title: 'T & <campaign>', junit: join(dir, 'j.xml'), html: join(dir, 'r.html'), wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const got = nextMessage('h1');
    helper.getNode('r1').receive({ verdict: verdict('relay opens', 'passed', 'held') });
    helper.getNode('r1').receive({ verdict: verdict('credit < 1', 'failed', 'expected credit ≤ 1, observed 1.5'), complete: true });
    const msg = await got;
    assert.equal(msg.payload.summary, { total: 2, passed: 1, failed: 1, errors: 0 });
    const xml = readFileSync(join(dir, 'j.xml'), 'utf8');
    assert.match(xml, /<testsuites name="T &amp; &lt;campaign>" tests="2" failures="1"/);
    assert.match(xml, /<testcase classname="campaign" name="credit &lt; 1" time="2">\s*<failure message="expected credit ≤ 1, observed 1.5"/);
    assert.match(readFileSync(join(dir, 'r.html'), 'utf8'), /FAILED<\/p>|FAILED: 1 passed, 1 failed/);
    assert.equal(lastStatus('r1').fill, 'red');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a report into a folder that does not exist is a configuration error', async () => {
  await helper.load(OSM_NODES, [{ id: 'r1', type: 'osm-report', junit: '/no/such/folder/j.xml', wires: [[]] }]);
  assert.equal(lastStatus('r1').fill, 'red');
  assert.match(lastStatus('r1').text ?? '', /junit: the folder of/);
});

test('a malformed verdict is refused with a catchable error and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    await helper.load(OSM_NODES, [{ id: 'r1', type: 'osm-report', junit: join(dir, 'j.xml'), wires: [[]] }]);
    const err = nextError('r1');
    helper.getNode('r1').receive({ verdict: { name: 'x', status: 'maybe' }, complete: true });
    assert.match(await err, /bad message: msg.verdict: expected/);
    assert.not.ok(existsSync(join(dir, 'j.xml')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a report written through a symlink replaces the link\'s target and keeps the link; a FIFO stays a FIFO', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  const fifo = join(dir, 'report.fifo');
  execFileSync('mkfifo', [fifo]);
  // A reader on the FIFO, as a pipeline would have (otherwise opening it for writing waits).
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  let piped = '';
  reader.stdout.on('data', (b: Buffer) => { piped += b.toString(); });
  const closed = new Promise((done) => reader.on('close', done));
  try {
    const target = join(dir, 'real.xml');
    const link = join(dir, 'link.xml');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    await helper.load(OSM_NODES, [
      { id: 'r1', type: 'osm-report', title: 'T', junit: link, html: fifo, wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ]);
    const got = nextMessage('h1');
    helper.getNode('r1').receive({ verdict: verdict('relay opens', 'passed', 'held'), complete: true });
    await got;
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.match(readFileSync(target, 'utf8'), /<testsuites/);
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
    await closed;
    assert.match(piped, /<html|<!DOCTYPE/i);
  } finally {
    reader.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A meter, `step` (node id `step.id`, wired to the report `r1`) started, and the flow stopped once a simulated minute
 * has gone by; `before` runs first. Returns the report's JUnit XML.
 */
async function stoppedAfterAMinute(dir: string, step: Record<string, unknown> & { id: string }, before?: () => void): Promise<string> {
  await helper.load(OSM_NODES, [
    { id: 'm1', type: 'osm-meter', name: 'meter', credit: '500' },
    step,
    { id: 'r1', type: 'osm-report', title: 'T', junit: join(dir, 'j.xml'), wires: [[]] },
  ]);
  before?.();
  const session = (helper.getNode('m1') as unknown as { session: { now(): number } }).session;
  helper.getNode(step.id).receive({});
  while (session.now() < 60e6) await new Promise((r) => setTimeout(r, 20));
  await helper.clearFlows();
  return readFileSync(join(dir, 'j.xml'), 'utf8');
}

// A stop closes the report before the meter; the expect's wait ends with the meter's close, and its message can no
// longer reach the report: the report takes the verdict when it closes.
test('a stop while an osm-expect waits writes the report with that check as interrupted, at its virtual time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    const xml = await stoppedAfterAMinute(dir, { id: 'e1', type: 'osm-expect', name: 'credit runs out', meter: 'm1', checks: 'lcd: "NEVER SHOWN"', timeout: '200h', wires: [['r1'], ['r1']] });
    assert.match(xml, /tests="1" failures="0" errors="1"/);
    assert.match(xml, /<testcase classname="flow" name="credit runs out"[^>]*>\s*<error message="interrupted: the flow was stopped after \S+ of the 200h wait, before the checks held \(lcd was [^"]*\) \(at [\dhm.]+s\)"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stop during an osm-wait adds the wait to the report as interrupted, after the verdicts before it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    const xml = await stoppedAfterAMinute(dir, { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '200h', wires: [['r1']] },
      () => helper.getNode('r1').receive({ verdict: verdict('relay opens', 'passed', 'held') }));
    assert.match(xml, /tests="2" failures="0" errors="1"/);
    assert.match(xml, /name="relay opens"[\s\S]*<testcase classname="flow" name="wait 200h00m00.000s"[^>]*>\s*<error message="interrupted: the flow was stopped after \S+ of the 200h00m00.000s wait \(at [\dhm.]+s\)"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * An osm-expect (`checks` on a meter with credit 500) whose outputs go to the report `r1` through `between` (first node
 * `c1`), and the flow stopped by `stop` once the expect has sent its verdict and finished. Returns the report's JUnit.
 */
async function stoppedInTransit(dir: string, checks: string, between: Record<string, unknown>[], stop: (stopFlow: () => void) => void): Promise<string> {
  await helper.load([...OSM_NODES, ...CORE_NODES], [
    { id: 'm1', type: 'osm-meter', name: 'meter', credit: '500' },
    { id: 'e1', type: 'osm-expect', name: 'the step', meter: 'm1', checks, timeout: '', wires: [['c1'], ['c1']] },
    ...between,
    { id: 'r1', type: 'osm-report', title: 'T', junit: join(dir, 'j.xml'), wires: [[]] },
  ]);
  const e1 = helper.getNode('e1') as unknown as { send: (...a: unknown[]) => void };
  const send = e1.send.bind(e1);
  let stopped!: Promise<void>;
  const sent = new Promise<void>((resolve) => {
    e1.send = (...a: unknown[]) => { send(...a); stop(() => { stopped = helper.clearFlows(); resolve(); }); };
  });
  helper.getNode('e1').receive({});
  await sent;
  await stopped;
  return readFileSync(join(dir, 'j.xml'), 'utf8');
}

const change = (wires: string[][]) => ({ id: 'c1', type: 'change', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'checked', tot: 'str' }], wires });

// The expect has sent its verdict and settled; the stop comes before Node-RED delivers the message to the change
// node, which the stop closes: the message goes no further.
test('a stop while a decided verdict waits to be delivered to a node between the step and the report writes it as decided', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    const xml = await stoppedInTransit(dir, 'relay: open', [change([['r1']])], (stop) => process.nextTick(stop));
    assert.match(xml, /tests="1" failures="0" errors="0"/);
    assert.match(xml, /<testcase classname="flow" name="the step"[^>]*>\s*<system-out><!\[CDATA\[relay "open" held at 0\.000s/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stop while a delay node between the step and the report holds a failed verdict writes it as failed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    const delay = { id: 'd1', type: 'delay', pauseType: 'delay', timeout: '1', timeoutUnits: 'hours', rate: '1', rateUnits: 'second', nbRateUnits: '1', wires: [['r1']] };
    const xml = await stoppedInTransit(dir, 'credit: 12345', [change([['d1']]), delay], (stop) => {
      // once the message is in the delay node
      const held = (): void => { if ((helper.getNode('d1') as unknown as { idList: unknown[] }).idList.length) stop(); else setImmediate(held); };
      held();
    });
    assert.match(xml, /tests="1" failures="1" errors="0"/);
    assert.match(xml, /<testcase classname="flow" name="the step"[^>]*>\s*<failure message="expected credit 12345, observed 0 \(at 0\.000s\)"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a verdict that reached the report through a node between before the stop is written once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  try {
    const xml = await stoppedInTransit(dir, 'relay: open', [change([['r1']])], (stop) => {
      const arrived = (): void => { if (lastStatus('r1').text) stop(); else setImmediate(arrived); };
      arrived();
    });
    assert.match(xml, /tests="1" failures="0" errors="0"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
