import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { useHelper } from './harness.ts';
import { OSM_NODES, helper, lastStatus, meterFlow, nextError, nextMessage } from './test-support.ts';

useHelper(test);

test('a kettle from the appliance list is measured by the firmware at about 2 kW', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'l1', type: 'osm-load', meter: 'm1', action: 'set', loadId: 'kettle', preset: 'kettle', wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', meter: 'm1', checks: 'power: { approx: 2000, tolPercent: 10 }', timeout: '2min', wires: [['h1'], ['h2']] },
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], { credit: '500', vrms: '240' }));
  const held = nextMessage('h1');
  helper.getNode('l1').receive({});
  const msg = await held;
  assert.equal(msg.loadChange.id, 'kettle');
  assert.equal(msg.loadChange.watts, 2000);
  assert.equal(msg.verdict.status, 'passed');
});

test('a load profile plays out as time passes: the kettle-boil profile is off after 4 min', async () => {
  await helper.load(OSM_NODES, meterFlow([
    { id: 'l1', type: 'osm-load', meter: 'm1', action: 'profile', loadId: 'k', profile: 'kettle-boil', wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', meter: 'm1', checks: 'power: { min: 1800 }', timeout: '2min', wires: [['w1'], ['h2']] },
    { id: 'w1', type: 'osm-wait', meter: 'm1', duration: '12min', wires: [['e2']] },
    { id: 'e2', type: 'osm-expect', meter: 'm1', checks: 'power: { max: 5 }', timeout: '', wires: [['h1'], ['h2']] },
    { id: 'h1', type: 'helper' }, { id: 'h2', type: 'helper' },
  ], { credit: '500' }));
  const held = nextMessage('h1');
  const failed = nextMessage('h2');
  helper.getNode('l1').receive({});
  const msg = await Promise.race([held, failed]);
  assert.equal(msg.verdict.status, 'passed', msg.verdict.message);
});

test('an unknown appliance is a configuration error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'l1', type: 'osm-load', meter: 'm1', action: 'set', preset: 'toaster', wires: [[]] }]));
  assert.equal(lastStatus('l1').fill, 'red');
  assert.match(lastStatus('l1').text ?? '', /preset: expected one of kettle/);
});

test('a message with negative watts is refused with a catchable error', async () => {
  await helper.load(OSM_NODES, meterFlow([{ id: 'l1', type: 'osm-load', meter: 'm1', action: 'set', preset: 'lamp', wires: [[]] }]));
  const err = nextError('l1');
  helper.getNode('l1').receive({ load: { watts: -100 } });
  assert.match(await err, /bad message: .*watts/);
});

test.run();
