// A chunk of a fleet as a job runs it (locally, or in an `osm worker`): meters [from, to) of the spec, sharing one
// top-up backend and one broker. Locally, with the embedded broker, those are the fleet's own servers (`servers`):
// the meters' modems publish into it directly. Otherwise the chunk has its own pair in-process and its telemetry is
// relayed to `brokerUrl` under each meter's token; every acknowledgement is awaited before the outcomes are returned,
// so a message counted in the report has reached the broker.
import { runFleetMeters, type FleetHooks, type FleetRange, type FleetServers, type MeterOutcome } from './fleet.ts';
import { TelemetryRelay } from './telemetry-relay.ts';

export interface FleetChunk extends FleetRange {
  /** Relay telemetry to this broker (mqtt://host:port); absent: telemetry stays on the chunk's own broker. */
  brokerUrl?: string;
}

export async function runFleetChunk(chunk: FleetChunk, post: (i: number, outcome: MeterOutcome) => void, hooks: FleetHooks = {}, servers?: FleetServers): Promise<MeterOutcome[]> {
  const relay = chunk.brokerUrl && !servers ? new TelemetryRelay(chunk.brokerUrl) : undefined;
  const outcomes: MeterOutcome[] = [];
  try {
    await runFleetMeters(chunk, (i, o) => { outcomes[i] = o; }, {
      ...hooks,
      onTelemetry: (token, payload, index) => { relay?.publish(token, payload); hooks.onTelemetry?.(token, payload, index); },
    }, servers);
  } finally {
    await relay?.close();
  }
  if (relay && relay.failed > 0) throw new Error(`${relay.failed} telemetry messages did not reach ${chunk.brokerUrl}: ${relay.firstError}`);
  outcomes.forEach((o, i) => post(i, o));
  return outcomes;
}
