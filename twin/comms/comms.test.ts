// A scenario's (or the dashboard's) timed network changes: each ends by undoing what it set, and only that.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../kernel/clock.ts';
import { TraceBus } from '../kernel/trace.ts';
import { Rng } from '../kernel/rng.ts';
import { Comms } from './comms.ts';

function comms(): { c: Comms; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { c: new Comms(clock, new TraceBus(() => clock.now()), new Rng(1), {}), clock };
}

test('the end of a timed latency change does not undo a backend taken down for good since', async () => {
  const { c, clock } = comms();
  c.change({ latencyMs: 2000, forUs: 60e6 });
  await clock.runUntil(10e6);
  c.change({ backend: 'down' });
  await clock.runUntil(61e6);
  assert.is(c.network.state.latencyMs, 250);
  assert.is(c.servers.backend, 'down');
  await c.close();
});

test('a timed change started while another runs holds until its own end; then the setting is back where it was', async () => {
  const { c, clock } = comms();
  c.change({ latencyMs: 900, forUs: 10e6 });
  await clock.runUntil(5e6);
  c.change({ latencyMs: 2000, forUs: 10e6 });
  await clock.runUntil(11e6); // the first one's end
  assert.is(c.network.state.latencyMs, 2000);
  await clock.runUntil(16e6); // the second one's end
  assert.is(c.network.state.latencyMs, 250);
  await c.close();
});

test('a timed broker outage ends with the broker up again, and leaves the network alone', async () => {
  const { c, clock } = comms();
  c.change({ broker: 'down', forUs: 5e6 });
  c.change({ csq: 7 });
  await clock.runUntil(6e6);
  assert.is(c.servers.broker, 'up');
  assert.is(c.network.state.csq, 7);
  await c.close();
});

test.run();
