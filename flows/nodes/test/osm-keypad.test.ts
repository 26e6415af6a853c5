import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

useHelper(test);

const bootThen = (next: string) => ({ id: 'w0', type: 'osm-wait', meter: 'm1', duration: '30s', wires: [[next]] });

test('a generated STS token for 100 adds 100 to the credit', async () => {
  await helper.load(OSM_NODES, meterFlow([
    bootThen('k1'),
    { id: 'k1', type: 'osm-keypad', meter: 'm1', source: 'sts', amount: '100', wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', meter: 'm1', checks: 'credit: 600\nlcd.line0: "TOKEN ACCEPTED"', timeout: '3s', wires: [['h1'], ['h2']] },
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], { credit: '500' }));
  const held = nextMessage('h1');
  const failed = nextMessage('h2');
  helper.getNode('w0').receive({});
  const msg = await Promise.race([held, failed]);
  assert.equal(msg.verdict.status, 'passed', msg.verdict.message);
  assert.equal(msg.token.length, 20);
  assert.equal(msg.typed, `*${msg.token}#`);
});

test('keys in msg.keys are typed instead of the setting, taking virtual time', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'k1', type: 'osm-keypad', meter: 'm1', source: 'keys', keys: '#', wires: [['h1']] },
    { id: 'h1', type: 'helper' },
  ]));
  const got = nextMessage('h1');
  helper.getNode('k1').receive({ keys: '*12' });
  const msg = await got;
  assert.equal(msg.typed, '*12');
  assert.equal(msg.keys, undefined);
  assert.equal(msg.time, 3 * 300_000);
});

test('an STS amount that is not a number is a configuration error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'k1', type: 'osm-keypad', meter: 'm1', source: 'sts', amount: 'lots', wires: [[]] }]));
  assert.equal(lastStatus('k1').fill, 'red');
  assert.match(lastStatus('k1').text ?? '', /amount/);
});

test('a key the keypad does not have is refused with a catchable error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'k1', type: 'osm-keypad', meter: 'm1', source: 'keys', keys: '1', wires: [[]] }]));
  const err = nextError('k1');
  helper.getNode('k1').receive({ keys: '*12X#' });
  assert.match(await err, /bad message: .*X/);
});

test.run();
