import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, collect, helper, lastStatus, nextError, nextMessage } from './test-support.ts';

useHelper(test);

const INLINE = `name: relay closes at boot
version: 1
meter: { firmware: field, mode: sts, credit: 500 }
steps:
  - wait-until: { relay: closed, timeout: 1min }
`;

test('an inline scenario runs on its own twin and sends its result and a passed verdict', async () => {
  await helper.load(OSM_NODES, [
    { id: 's1', type: 'osm-scenario', source: 'inline', yaml: INLINE, suite: 'unit', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]);
  const got = nextMessage('h1');
  helper.getNode('s1').receive({});
  const msg = await got;
  assert.equal(msg.payload.status, 'passed');
  assert.equal(msg.verdict.status, 'passed');
  assert.equal(msg.verdict.suite, 'unit');
  assert.equal(msg.complete, true);
});

test('library scenarios matching a pattern run one after the other, the last one marked complete', async () => {
  await helper.load(OSM_NODES, [
    { id: 's1', type: 'osm-scenario', source: 'library', match: '^boot-screens', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]);
  const got = nextMessage('h1', 120_000);
  helper.getNode('s1').receive({});
  const msg = await got;
  assert.equal(msg.count, 1);
  assert.equal(msg.payload.name, 'boot screens');
  assert.equal(msg.verdict.status, 'passed', msg.verdict.message);
});

test('a failing scenario gives a failed verdict naming the step and the observed value', async () => {
  await helper.load(OSM_NODES, [
    { id: 's1', type: 'osm-scenario', source: 'inline', yaml: INLINE.replace('relay: closed, timeout: 1min', 'credit: 12345, timeout: 40s'), wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]);
  const got = nextMessage('h1');
  helper.getNode('s1').receive({});
  const msg = await got;
  assert.equal(msg.verdict.status, 'failed');
  assert.match(msg.verdict.message, /step 1 at 40\.000s: expected credit 12345.*observed 500/);
});

test('an inline scenario with an unknown key is a configuration error with its line and column', async () => {
  await helper.load(OSM_NODES, [{ id: 's1', type: 'osm-scenario', source: 'inline', yaml: INLINE.replace('steps:', 'stepz: 1\nsteps:'), wires: [[]] }]);
  assert.equal(lastStatus('s1').fill, 'red');
  assert.match(lastStatus('s1').text ?? '', /inline:4:1/);
});

test('a msg.scenario naming a missing file is refused with a catchable error', async () => {
  await helper.load(OSM_NODES, [
    { id: 's1', type: 'osm-scenario', source: 'library', match: 'tamper', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]);
  const seen = collect('h1');
  const err = nextError('s1');
  helper.getNode('s1').receive({ scenario: 'no/such/scenario.yaml' });
  assert.match(await err, /no scenario file at 'no\/such\/scenario.yaml'/);
  assert.equal(seen.length, 0);
});

test.run();
