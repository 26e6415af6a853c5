// An ordinary MQTT client subscribed to a fleet's embedded broker over a loopback socket, counting the messages each
// meter published (forwarded by the broker to fleet/<token>/telemetry), and the check that every meter's messages
// reached it (test/fleet.test.ts, test/fleet-thousand.test.ts).
import * as assert from 'uvu/assert';
import mqtt from 'mqtt';
import type { MeterOutcome } from '../../scenarios/fleet/fleet.ts';
import type { FleetBroker } from '../../scenarios/fleet/fleet-broker.ts';

/** An ordinary MQTT client on the broker, counting the messages on fleet/<token>/telemetry per token. */
export async function subscriber(broker: FleetBroker): Promise<{ counts: Map<string, number>; payloads: Map<string, string[]>; total(): number; end(): Promise<void>; connected(): boolean }> {
  // keepalive 0: the run holds this process's event loop for as long as a simulated day takes, so the client cannot
  // ping, and the broker (in the same process) would drop it for a missed keepalive when the loop is free again,
  // before forwarding a message: on a loaded machine the subscriber then got none.
  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, keepalive: 0 });
  const counts = new Map<string, number>();
  const payloads = new Map<string, string[]>();
  sub.on('message', (topic, payload) => {
    const token = topic.split('/')[1];
    counts.set(token, (counts.get(token) ?? 0) + 1);
    payloads.set(token, [...(payloads.get(token) ?? []), payload.toString()]);
  });
  await sub.subscribeAsync('fleet/+/telemetry', { qos: 1 });
  return {
    counts, payloads, total: () => [...counts.values()].reduce((a, b) => a + b, 0), end: () => sub.endAsync(),
    connected: () => sub.connected,
  };
}

/** Every meter's messages reached the subscriber: as many as the meter published, all of them at the broker. */
export async function checkCounts(broker: FleetBroker, sub: Awaited<ReturnType<typeof subscriber>>, outcomes: MeterOutcome[]): Promise<void> {
  // The broker forwards the meters' messages to the subscriber over a loopback socket once the run has let go of the
  // event loop: wait for all of them (on a loaded machine that may take seconds; 60 s is a bug's limit, not a delay).
  const expected = outcomes.reduce((a, o) => a + o.telemetryMessages, 0);
  const deadline = Date.now() + 60_000;
  while (sub.total() < Math.max(expected, broker.received) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.is(sub.total(), Math.max(expected, broker.received), `the subscriber got ${sub.total()} of ${expected} messages within 60 s (${sub.connected() ? 'still connected' : 'disconnected'})`);
  for (const o of outcomes) {
    assert.ok(o.telemetryMessages >= 2, `meter ${o.index} published ${o.telemetryMessages} messages (energy and credit at 23:00)`);
    assert.is(sub.counts.get(o.token), o.telemetryMessages, `meter ${o.index}: the subscriber saw every message`);
    const p = sub.payloads.get(o.token)!;
    assert.ok(p.some((x) => /"credit"/.test(x)) && p.some((x) => /"energy"/.test(x)), `meter ${o.index}: ${p.join(' ')}`);
  }
  assert.is(sub.counts.size, outcomes.length, 'no messages under other tokens');
  assert.is(broker.received, outcomes.reduce((a, o) => a + o.telemetryMessages, 0));
}
