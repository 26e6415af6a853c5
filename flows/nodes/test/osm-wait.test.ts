import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

useHelper(test);

test('a wait of 90 s moves the meter 90 s of virtual time', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '90s', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]));
  const got = nextMessage('h1');
  helper.getNode('w1').receive({});
  const msg = await got;
  assert.equal(msg.waited, 90_000_000);
  assert.equal(msg.time, 90_000_000);
});

async function randomWaits(seed: string): Promise<number[]> {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '', min: '1s', max: '10min', wires: [['w2']] },
    { id: 'w2', type: 'osm-wait', meter: 'm1', duration: '', min: '1s', max: '10min', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], { seed }));
  const got = nextMessage('h1');
  helper.getNode('w1').receive({});
  const msg = await got;
  await helper.unload();
  return [msg.waited, msg.time];
}

test('random waits come from the meter seed: same seed, same times; another seed, other times', async () => {
  const a = await randomWaits('7');
  const b = await randomWaits('7');
  const c = await randomWaits('8');
  assert.equal(a, b);
  assert.not.equal(a, c);
  assert.ok(a[0]! >= 1_000_000 && a[0]! <= 600_000_000);
});

test('stopping the flow ends a real-time wait instead of waiting for it', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '1h', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], { speed: '1' }));
  const session = (helper.getNode('m1') as unknown as { session: { pending: number } }).session;
  helper.getNode('w1').receive({});
  while (session.pending === 0) await new Promise((r) => setTimeout(r, 20));
  // Node-RED gives up on a node's close after 15 s and goes on; the wait must have ended by then, not be left running.
  await helper.unload();
  assert.equal(session.pending, 0);
});

test('stopping the flow ends a max-speed wait too: the wait gives the process a turn, so the stop is seen', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '200h', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], { speed: 'max' }));
  const session = (helper.getNode('m1') as unknown as { session: { pending: number; now(): number } }).session;
  helper.getNode('w1').receive({});
  // a timer fires while the wait runs (it would fire only after the 200 h if the wait held the process)
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(session.pending, 1);
  assert.ok(session.now() < 200 * 3600e6, `the wait is under way at ${session.now()} us`);
  await helper.unload();
  assert.equal(session.pending, 0);
});

test('a wait without a duration nor a range is a configuration error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'w1', type: 'osm-wait', meter: 'm1', duration: '', wires: [[]] }]));
  assert.equal(lastStatus('w1').fill, 'red');
  assert.match(lastStatus('w1').text ?? '', /duration/);
});

test('a msg.wait without a unit is refused with a catchable error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'w1', type: 'osm-wait', meter: 'm1', duration: '1s', wires: [[]] }]));
  const err = nextError('w1');
  helper.getNode('w1').receive({ wait: '90' });
  assert.match(await err, /msg.wait: expected a duration with a unit/);
});

test.run();
