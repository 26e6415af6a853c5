// A chunk of a fleet as a job runs it (locally, or in an `osm worker`): meters [from, to) of the spec, their
// telemetry relayed to `brokerUrl` under each meter's token; every acknowledgement is awaited before the outcomes
// are returned, so a message counted in the report has reached the broker.
import { runFleetMeters, type FleetHooks, type FleetRange, type MeterOutcome } from './fleet.ts';
import { TelemetryRelay } from './telemetry-relay.ts';

export interface FleetChunk extends FleetRange {
  /** Relay telemetry to this broker (mqtt://host:port); absent: telemetry stays on each meter's bench. */
  brokerUrl?: string;
}

export async function runFleetChunk(chunk: FleetChunk, post: (i: number, outcome: MeterOutcome) => void, hooks: FleetHooks = {}): Promise<MeterOutcome[]> {
  const relay = chunk.brokerUrl ? new TelemetryRelay(chunk.brokerUrl) : undefined;
  const outcomes: MeterOutcome[] = [];
  try {
    await runFleetMeters(chunk, (i, o) => { outcomes[i] = o; }, {
      ...hooks,
      onTelemetry: (token, payload, index) => { relay?.publish(token, payload); hooks.onTelemetry?.(token, payload, index); },
    });
  } finally {
    await relay?.close();
  }
  if (relay && relay.failed > 0) throw new Error(`${relay.failed} telemetry messages did not reach ${chunk.brokerUrl}: ${relay.firstError}`);
  outcomes.forEach((o, i) => post(i, o));
  return outcomes;
}
