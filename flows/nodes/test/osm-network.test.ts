import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

useHelper(test);

const connected = { credit: '1000', modem: 'connected', latency: '250ms' };
const expect = (id: string, checks: string, timeout: string, wires: string[][]) => ({ id, type: 'osm-expect', meter: 'm1', checks, timeout, wires });

test('a top-up queued on a connected meter is credited once by the firmware\'s next polls', async () => {
  await helper.load(OSM_NODES, meterFlow([
    expect('e0', 'serial: "/topup:\\\\n0\\\\.00/"', '2min', [['n1'], []]),
    { id: 'n1', type: 'osm-network', meter: 'm1', action: 'topup', amount: '500', wires: [['e1']] },
    expect('e1', 'credit: { min: 1490 }', '3min', [['w1'], ['h2']]),
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '5min', wires: [['e2']] },
    expect('e2', 'credit: { min: 1490, max: 1500 }', '', [['h1'], ['h2']]),
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], connected));
  const ok = nextMessage('h1');
  const bad = nextMessage('h2').then((m) => { throw new Error(`failed: ${m.verdict.message}`); });
  helper.getNode('e0').receive({});
  const msg = await Promise.race([ok, bad]);
  assert.equal(msg.topup, 500);
  assert.equal(msg.verdict.status, 'passed');
  assert.ok(msg.payload.time > 0);
});

test('coverage lost for a while keeps a top-up pending until coverage returns', async () => {
  await helper.load(OSM_NODES, meterFlow([
    expect('e0', 'serial: "/topup:\\\\n0\\\\.00/"', '2min', [['n1'], []]),
    { id: 'n1', type: 'osm-network', meter: 'm1', coverage: 'off', duration: '20min', wires: [['n2']] },
    { id: 'n2', type: 'osm-network', meter: 'm1', action: 'topup', wires: [['w1']] },
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '15min', wires: [['e1']] },
    expect('e1', 'credit: { max: 1000 }\nserial: "/Connecting to APN: terminal fail/"', '', [['e2'], ['h2']]),
    expect('e2', 'credit: { min: 1490 }', '15min', [['h1'], ['h2']]),
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], connected));
  const ok = nextMessage('h1');
  const bad = nextMessage('h2').then((m) => { throw new Error(`failed: ${m.verdict.message}`); });
  // messages on a single wire are the same object all along the chain: note the time as n1 sends it
  const changed = nextMessage('n2').then((m) => m.time as number);
  helper.getNode('e0').receive({ topup: { amount: 500 } });
  const msg = await Promise.race([ok, bad]);
  assert.equal(msg.verdict.status, 'passed');
  const lost = await changed;
  assert.ok(msg.payload.time > lost + 20 * 60e6, `credited at ${msg.payload.time} µs, after the coverage came back (lost at ${lost} µs for 20 min)`);
});

test('a change in msg.network replaces the settings and is passed on as networkChange', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'n1', type: 'osm-network', meter: 'm1', csq: '20', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], connected));
  const got = nextMessage('h1');
  helper.getNode('n1').receive({ network: { csq: 3, latency: '2s', for: '1min' } });
  const msg = await got;
  assert.equal(msg.networkChange, { csq: 3, latencyMs: 2000, forUs: 60e6 });
  assert.is(msg.network, undefined);
});

test('a network node on a meter whose modem is mute shows a red status and refuses messages with a catchable error', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'n1', type: 'osm-network', meter: 'm1', coverage: 'off', wires: [[]] },
    { id: 'c1', type: 'catch', scope: null, uncaught: false, wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ], { credit: '1000' }));
  assert.equal(lastStatus('n1').fill, 'red');
  const caught = nextMessage('h1');
  helper.getNode('n1').receive({});
  assert.match((await caught).error.message, /invalid configuration: meter: the selected osm-meter has its modem mute/);
});

test('a signal quality out of range is a configuration error with the scenario language reason', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'n1', type: 'osm-network', meter: 'm1', csq: '40', wires: [[]] }], connected));
  assert.equal(lastStatus('n1').fill, 'red');
  assert.match(lastStatus('n1').text ?? '', /csq/);
});

test('a top-up message with a negative amount is refused, naming the value', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'n1', type: 'osm-network', meter: 'm1', action: 'topup', wires: [[]] }], connected));
  const err = nextError('n1');
  helper.getNode('n1').receive({ topup: -5 });
  assert.match(await err, /bad message: .*topup/);
  assert.equal(lastStatus('n1').fill, 'red');
});

test('a network message that is not an object is refused', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'n1', type: 'osm-network', meter: 'm1', wires: [[]] }], connected));
  const err = nextError('n1');
  helper.getNode('n1').receive({ network: 'off' });
  assert.match(await err, /bad message: msg.network: expected an object/);
});

test.run();
