// The embedded broker of a fleet: ThingsBoard's device API (telemetry-broker.ts) with every meter's access token, on
// a loopback port. A device's telemetry topic is the same for every device (v1/devices/me/telemetry), so an observer
// could not tell the meters apart; the fleet broker therefore also forwards each accepted message to
// `fleet/<token>/telemetry`, as a ThingsBoard rule chain or integration would, for any MQTT client to follow a meter
// (mosquitto_sub -t 'fleet/+/telemetry', the dashboard, a test).
import { startCommsServers, type CommsServers } from '../../twin/comms/serve.ts';
import { TelemetryBroker } from '../../twin/comms/telemetry-broker.ts';
import { TopupBackend } from '../../twin/comms/topup-backend.ts';

export const fleetTopic = (token: string): string => `fleet/${token}/telemetry`;

export interface FleetBroker {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  broker: TelemetryBroker;
  /** Telemetry messages accepted from devices. */
  readonly received: number;
  close(): Promise<void>;
}

export async function startFleetBroker(tokens: readonly string[], port = 0): Promise<FleetBroker> {
  const broker = new TelemetryBroker({ tokens: [...tokens] });
  const servers: CommsServers = await startCommsServers({ mqttPort: port, backendPort: 0, comms: { backend: new TopupBackend(), broker } });
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
    broker,
    get received() { return received; },
    async close() {
      await servers.close();
      await broker.close();
      servers.backend.server.close();
    },
  };
}
