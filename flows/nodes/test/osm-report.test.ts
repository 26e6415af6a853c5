import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, nextError, nextMessage } from './test-support.ts';

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

test.run();
