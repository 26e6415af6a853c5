import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, nextError, nextMessage } from './test-support.ts';

useHelper(test);

test('the seed points of the class-1 suite on the nominal board, judged on the chip, pass and come as a table', async () => {
  await helper.load(OSM_NODES, [
    { id: 'a1', type: 'osm-accuracy', points: 'seed', judge: 'chip', firmware: 'field', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]);
  const got = nextMessage('h1', 180_000);
  helper.getNode('a1').receive({});
  const msg = await got;
  assert.equal(msg.verdict.status, 'passed', msg.verdict.message);
  assert.ok(Array.isArray(msg.payload.points) && msg.payload.points.length > 3);
});

test('an unknown point set is a configuration error', async () => {
  await helper.load(OSM_NODES, [{ id: 'a1', type: 'osm-accuracy', points: 'all', wires: [[]] }]);
  assert.equal(lastStatus('a1').fill, 'red');
  assert.match(lastStatus('a1').text ?? '', /points: expected full or seed/);
});

test('an unknown what-if parameter is refused when a message arrives, as a catchable error', async () => {
  await helper.load(OSM_NODES, [{ id: 'a1', type: 'osm-accuracy', points: 'seed', whatIf: 'frontend.ct.turns=2', wires: [[]] }]);
  const err = nextError('a1');
  helper.getNode('a1').receive({});
  assert.match(await err, /invalid configuration: what-if: .*ct.turns/);
});

test.run();
