import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OSM_NODES, collect, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

test.before(async () => { await helper.startServer(); });
test.after.each(async () => { await helper.unload(); });
test.after(async () => { await helper.stopServer(); });

const wait = (id: string, d: string, wires: string[][]) => ({ id, type: 'osm-wait', meter: 'm1', duration: d, wires });

test('a 10 min sag shows in the firmware voltage reading (the main loop reads it every few minutes)', async () => {
  await helper.load(OSM_NODES, meterFlow([
    wait('w0', '30s', [['g1']]),
    { id: 'g1', type: 'osm-grid', meter: 'm1', action: 'sag', vrms: '150', duration: '10min', wires: [['w1']] },
    wait('w1', '10min', [['h2']]),
    { id: 'o1', type: 'osm-observe', meter: 'm1', observables: 'voltage', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
    { id: 'h2', type: 'helper' },
  ], { vrms: '230' }));
  const seen = collect('h1');
  const end = nextMessage('h2');
  helper.getNode('w0').receive({ payload: 'go' });
  const msg = await end;
  assert.equal(msg.gridChange.vrms, 150);
  assert.equal(msg.gridChange.forUs, 600_000_000);
  assert.equal(msg.time, 630_000_000);
  const during = seen.filter((m) => m.time > 30_000_000).map((m) => m.payload as number);
  const before = seen.filter((m) => m.time <= 30_000_000).map((m) => m.payload as number);
  assert.ok(before.some((v) => Math.abs(v - 230) < 3), `about 230 V before the sag: ${JSON.stringify(before)}`);
  assert.ok(during.some((v) => Math.abs(v - 150) < 3), `about 150 V during the sag: ${JSON.stringify(during)}`);
});

test('a grid node without a meter shows a red status and refuses messages with a catchable error', async () => {
  await helper.load(OSM_NODES, [
    { id: 'g1', type: 'osm-grid', action: 'sag', wires: [[]] },
    { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]);
  assert.equal(lastStatus('g1').fill, 'red');
  const caught = nextMessage('h1');
  helper.getNode('g1').receive({ payload: 1 });
  const msg = await caught;
  assert.match(msg.error.message, /invalid configuration: meter: no osm-meter selected/);
});

test('a swell setting below the nominal voltage is a configuration error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'g1', type: 'osm-grid', meter: 'm1', action: 'swell', vrms: '200', wires: [[]] }]));
  assert.equal(lastStatus('g1').fill, 'red');
  assert.match(lastStatus('g1').text ?? '', /swell goes above the nominal 230 V/);
});

test('a message with a negative voltage is refused with the scenario language reason', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'g1', type: 'osm-grid', meter: 'm1', wires: [[]] }]));
  const err = nextError('g1');
  helper.getNode('g1').receive({ grid: { vrms: -5 } });
  assert.match(await err, /bad message: .*vrms/);
  assert.equal(lastStatus('g1').fill, 'red');
});

test.run();
