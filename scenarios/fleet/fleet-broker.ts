// The embedded servers of a fleet: one ThingsBoard device API broker (telemetry-broker.ts) knowing every meter's
// access token, and one top-up backend knowing every meter id, shared by all the fleet's meters, the broker listening
// on a loopback port. A device's telemetry topic is the same for every device (v1/devices/me/telemetry), so an
// observer could not tell the meters apart; the fleet broker therefore also forwards each accepted message to
// `fleet/<token>/telemetry`, as a ThingsBoard rule chain or integration would, for any MQTT client to follow a meter
// (mosquitto_sub -t 'fleet/+/telemetry', the dashboard, a test).
import { startCommsServers, type CommsServers } from '../../twin/comms/serve.ts';
import { fleetServers, meterIdOf, type FleetServers } from './fleet.ts';

export const fleetTopic = (token: string): string => `fleet/${token}/telemetry`;

export interface FleetBroker extends FleetServers {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The shared top-up backend on loopback (http://127.0.0.1:PORT/subscribe.php): any meter's payments by curl. */
  backendUrl: string;
  /** Telemetry messages accepted from devices. */
  readonly received: number;
  close(): Promise<void>;
}

/** Start the shared servers of a fleet whose meter i has `tokens[i]` (and the meter id meterIdOf(i)); the broker on `port`. */
export async function startFleetBroker(tokens: readonly string[], port = 0): Promise<FleetBroker> {
  const shared = fleetServers(tokens.map((token, i) => ({ token, meterId: meterIdOf(i) })));
  const { broker, backend } = shared;
  const servers: CommsServers = await startCommsServers({ mqttPort: port, backendPort: 0, comms: shared });
  // an MQTT port was asked for, so there is one
  const mqttPort = servers.mqttPort as number;
  let received = 0;
  broker.onTelemetry = (m) => {
    received++;
    broker.aedes.publish({ cmd: 'publish', topic: fleetTopic(m.token), payload: Buffer.from(m.payload), qos: 1, retain: false, dup: false }, () => {});
  };
  return {
    url: `mqtt://127.0.0.1:${mqttPort}`,
    port: mqttPort,
    backendUrl: servers.backendUrl!, // a backend port was asked for
    broker,
    backend,
    get received() { return received; },
    async close() {
      await servers.close();
      await broker.close();
      backend.server.close();
    },
  };
}
