import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextMessage } from './test-support.ts';

useHelper(test);

test('a meter boots with the credit of its settings when a node first uses it', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '30s', wires: [['o1']] },
    { id: 'o1', type: 'osm-observe', meter: 'm1', observables: 'credit', mode: 'sample', period: '1h', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], { credit: '321', firmware: 'field', mode: 'sts' }));
  const got = nextMessage('h1');
  helper.getNode('w1').receive({});
  const msg = await got;
  assert.equal(msg.topic, 'credit');
  assert.equal(msg.payload, 321);
});

test('a meter with an unknown firmware profile makes the nodes using it refuse, naming the reason', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '1s', wires: [[]] },
  ], { firmware: 'beta' }));
  const m = helper.getNode('m1') as unknown as { configError?: string };
  assert.match(m.configError ?? '', /profile/);
  assert.equal(lastStatus('w1').fill, 'red');
  assert.match(lastStatus('w1').text ?? '', /meter/);
});

test('a meter with an unknown board parameter is invalid', async () => {
  await helper.load(OSM_NODES, meterFlow([], { board: 'ct.turns=2000' }));
  const m = helper.getNode('m1') as unknown as { configError?: string };
  assert.match(m.configError ?? '', /board: unknown board parameter 'ct.turns'/);
});

test.run();
