import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

useHelper(test);

const flow = (checks: string, timeout: string) => [
  { id: 'e1', type: 'osm-expect', meter: 'm1', checks, timeout, wires: [['h1'], ['h2']] },
  { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
];

test('checks that come to hold within the timeout leave on the first output at the instant they held', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('relay: closed\nled.green: "on"', '2min'), { credit: '500' }));
  const held = nextMessage('h1');
  helper.getNode('e1').receive({});
  const msg = await held;
  assert.equal(msg.verdict.status, 'passed');
  assert.ok(msg.payload.time > 0 && msg.payload.time < 120e6, `held at ${msg.payload.time}`);
  assert.equal(msg.verdict.durationUs, msg.payload.time);
  assert.equal(lastStatus('e1').fill, 'green');
});

test('a check that does not hold leaves on the second output with the expected and observed values', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('credit: 12345', '30s'), { credit: '500' }));
  const failed = nextMessage('h2');
  helper.getNode('e1').receive({});
  const msg = await failed;
  assert.equal(msg.verdict.status, 'failed');
  assert.match(msg.verdict.message, /expected credit 12345, observed 500 within 30s/);
  assert.equal(msg.payload.time, 30e6);
  assert.equal(lastStatus('e1').fill, 'red');
});

// At max speed the wait runs in slices with a turn of the event loop between them (flows/lib/yielding-run.ts): a
// timer fires while it runs, and a stop (a redeploy closes the meter) ends it at once instead of after 200 h.
test('closing the meter while an expect waits at max speed ends the wait, with a verdict that says it was stopped', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('lcd: "NEVER SHOWN"', '200h'), { credit: '500' }));
  const failed = nextMessage('h2');
  helper.getNode('e1').receive({});
  await new Promise((r) => setTimeout(r, 50));
  const session = (helper.getNode('m1') as unknown as { session: { close(): Promise<void> } }).session;
  void session.close();
  const msg = await failed;
  assert.equal(msg.verdict.status, 'error');
  assert.match(msg.verdict.message, /^interrupted: the flow was stopped after \S+ of the 200h wait, before the checks held \(lcd was "/);
  assert.ok(msg.payload.time < 200 * 3600e6, `stopped at ${msg.payload.time} us`);
});

// The relay is open as delivered and stays open through the first part of the boot (about 23 s).
test('checks with for that hold the whole time leave on the first output after exactly that long', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('relay: open\nfor: 10s', ''), { credit: '500' }));
  const held = nextMessage('h1');
  helper.getNode('e1').receive({});
  const msg = await held;
  assert.equal(msg.verdict.status, 'passed');
  assert.equal(msg.verdict.durationUs, 10e6);
  assert.match(msg.verdict.message, /^relay "open" held for 10s, until /);
});

test('checks with for leave on the second output at the moment one stops holding, saying after how long', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('relay: open\nfor: 2min', ''), { credit: '500' }));
  const failed = nextMessage('h2');
  helper.getNode('e1').receive({});
  const msg = await failed;
  assert.equal(msg.verdict.status, 'failed');
  const t = msg.payload.time as number;
  assert.ok(t > 10e6 && t < 60e6, `the boot closed the relay at ${t}`);
  assert.match(msg.verdict.message, /^expected relay "open" for 2min, observed "closed" after \d+\.\d{3}s \(at /);
  assert.equal(msg.verdict.durationUs, t);
});

test('for among the checks with a Within timeout is a configuration error that says what to do', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('relay: open\nfor: 1min', '2min')));
  assert.equal(lastStatus('e1').fill, 'red');
  assert.match(lastStatus('e1').text ?? '', /checks: for \(the checks must hold that long\) and Within/);
});

test('checks in msg.expect replace the setting and are not passed on', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('credit: 12345', '1min'), { credit: '500' }));
  const held = nextMessage('h1');
  helper.getNode('e1').receive({ expect: { credit: 500 } });
  const msg = await held;
  assert.equal(msg.verdict.status, 'passed');
  assert.equal(msg.expect, undefined);
});

test('checks that are not YAML are a configuration error', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('relay: [open', '')));
  assert.equal(lastStatus('e1').fill, 'red');
  assert.match(lastStatus('e1').text ?? '', /checks/);
});

test('an unknown observable in msg.expect is refused with a catchable error', async () => {
  await helper.load(OSM_NODES, meterFlow(flow('relay: closed', '')));
  const err = nextError('e1');
  helper.getNode('e1').receive({ expect: { temprature: 20 } });
  assert.match(await err, /bad message: .*temprature/);
});

test.run();
