import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

useHelper(test);

test('opening the terminal cover shows TERMINAL COVER on the LCD', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w0', type: 'osm-wait', meter: 'm1', duration: '40s', wires: [['c1']] },
    { id: 'c1', type: 'osm-control', meter: 'm1', action: 'cover-open', wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', meter: 'm1', checks: 'lcd: "TERMINAL  COVER\\nOPEN"', timeout: '1s', wires: [['h1'], ['h2']] },
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], { credit: '500' }));
  const held = nextMessage('h1');
  const failed = nextMessage('h2');
  helper.getNode('w0').receive({});
  const msg = await Promise.race([held, failed]);
  assert.equal(msg.verdict.status, 'passed', msg.verdict.message);
  assert.equal(msg.control, 'cover-open');
});

test('a reset gives a fresh meter at virtual time zero with the seed asked for', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w0', type: 'osm-wait', meter: 'm1', duration: '10s', wires: [['c1']] },
    { id: 'c1', type: 'osm-control', meter: 'm1', action: 'reset', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]));
  const got = nextMessage('h1');
  helper.getNode('w0').receive({ seed: 42 });
  const msg = await got;
  assert.equal(msg.time, 0);
  assert.equal(msg.seed, 42);
  assert.equal(msg.meter.seed, 42);
});

test('an unknown action is a configuration error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'c1', type: 'osm-control', meter: 'm1', action: 'explode', wires: [[]] }]));
  assert.equal(lastStatus('c1').fill, 'red');
  assert.match(lastStatus('c1').text ?? '', /action: expected one of/);
});

test('a reset with a seed that is not a whole number is refused with a catchable error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'c1', type: 'osm-control', meter: 'm1', action: 'reset', wires: [[]] }]));
  const err = nextError('c1');
  helper.getNode('c1').receive({ seed: 1.5 });
  assert.match(await err, /msg.seed/);
});

test.run();
