import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, collect, helper, lastStatus, meterFlow, nextMessage } from './test-support.ts';

useHelper(test);

test('sampling every 10 s of virtual time gives one message per period while time passes', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'o1', type: 'osm-observe', meter: 'm1', observables: 'credit', mode: 'sample', period: '10s', wires: [['h1']] },
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '1min', wires: [['h2']] },
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], { credit: '500' }));
  const seen = collect('h1');
  const done = nextMessage('h2');
  helper.getNode('w1').receive({});
  await done;
  assert.equal(seen.map((m) => m.time), [10e6, 20e6, 30e6, 40e6, 50e6, 60e6]);
  assert.ok(seen.every((m) => m.topic === 'credit'));
});

test('on change, the relay closing after boot is sent once with its time', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'o1', type: 'osm-observe', meter: 'm1', observables: 'relay', mode: 'change', wires: [['h1']] },
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '1min', wires: [['h2']] },
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], { credit: '500' }));
  const seen = collect('h1');
  const done = nextMessage('h2');
  helper.getNode('w1').receive({});
  await done;
  const values = seen.map((m) => m.payload);
  assert.equal(values[values.length - 1], 'closed');
  for (let i = 1; i < values.length; i++) assert.not.equal(values[i], values[i - 1]);
});

test('an unknown observable is a configuration error naming it', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'o1', type: 'osm-observe', meter: 'm1', observables: 'relay, temperature', wires: [[]] }]));
  assert.equal(lastStatus('o1').fill, 'red');
  assert.match(lastStatus('o1').text ?? '', /unknown observable 'temperature'/);
});

test('an input message asks for the current values at once', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '30s', wires: [['o1']] },
    { id: 'o1', type: 'osm-observe', meter: 'm1', observables: 'credit, relay', mode: 'sample', period: '1h', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], { credit: '77' }));
  const seen = collect('h1');
  const got = nextMessage('h1');
  helper.getNode('w1').receive({ topic: 'now' });
  await got;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(seen.map((m) => [m.topic, m.payload, m.time]), [['credit', 77, 30e6], ['relay', 'closed', 30e6]]);
  assert.equal(seen[0]!.topic, 'credit');
});

test.run();
