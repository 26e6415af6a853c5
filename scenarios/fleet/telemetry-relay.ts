// Each fleet meter's telemetry, relayed to a real MQTT broker as that meter: one MQTT connection per meter, user name
// = its access token (ThingsBoard's device API), each payload published to v1/devices/me/telemetry with QoS 1, as
// the firmware published it to its own bench's broker. `close()` waits for every acknowledgement.
import mqtt, { type MqttClient } from 'mqtt';

export const TELEMETRY_TOPIC = 'v1/devices/me/telemetry';

export class TelemetryRelay {
  readonly #url: string;
  readonly #clients = new Map<string, MqttClient>();
  readonly #pending = new Set<Promise<void>>();
  /** Messages the broker acknowledged, and those it refused or that failed. */
  acked = 0;
  failed = 0;
  /** The first failure's reason (a refused token, a broker that went away). */
  firstError: string | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  #client(token: string): MqttClient {
    let c = this.#clients.get(token);
    if (!c) {
      c = mqtt.connect(this.#url, { username: token, clientId: `osm-fleet-${token}`, reconnectPeriod: 1000, connectTimeout: 10_000, clean: true });
      c.on('error', (err) => { this.firstError ??= `${token}: ${err.message}`; });
      this.#clients.set(token, c);
    }
    return c;
  }

  publish(token: string, payload: string): void {
    const c = this.#client(token);
    const p = new Promise<void>((resolve) => {
      c.publish(TELEMETRY_TOPIC, payload, { qos: 1 }, (err) => {
        if (err) { this.failed++; this.firstError ??= `${token}: ${err.message}`; } else this.acked++;
        resolve();
      });
    });
    this.#pending.add(p);
    void p.then(() => this.#pending.delete(p));
  }

  /** Wait for every acknowledgement, then close the connections. */
  async close(): Promise<void> {
    await Promise.all(this.#pending);
    await Promise.all([...this.#clients.values()].map((c) => new Promise<void>((r) => c.end(false, {}, () => r()))));
    this.#clients.clear();
  }
}
