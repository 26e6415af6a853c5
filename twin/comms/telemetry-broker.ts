// ThingsBoard's device MQTT API on an embedded aedes broker: a device connects with its access token as the user
// name (no password), publishes JSON to `v1/devices/me/telemetry` and may subscribe to `v1/devices/me/rpc/request/+`.
// A wrong token is refused with CONNACK return code 5 (not authorised), as ThingsBoard does. Clients without a user
// name are observers (a dashboard, a test, `mosquitto_sub`): they may subscribe to anything and publish nothing, and
// are allowed only when `allowObservers` is set (the default; the listening port is bound to loopback). A client
// that gives another user name with `observerPassword` as its password is an observer as well (`osm serve --token`:
// the watcher's password is the server's token).
//
// Every telemetry message a device publishes is parsed (one JSON object of key/value pairs, as the ThingsBoard SDK
// sends) and reported through `onTelemetry` and to every `watch`er; malformed payloads are counted and otherwise ignored, as ThingsBoard
// ignores them. A malformed MQTT packet closes that client's connection only.
//
// aedes (and the MQTT packet code under it) is loaded when the broker starts, not when this module is: every bench
// module imports this one, and a run without a `network:` section builds no broker; loading aedes costs a quarter of
// a second of start-up and megabytes of caches that such a run never uses. When it is loaded, the packet writer's
// number cache is turned off (`writeToStream.cacheNumbers`, a documented switch of mqtt-packet): on the first packet
// it would build a Buffer for each of the 65,536 two-byte numbers, about 80 ms of CPU and 6 MiB of heap in every
// process or worker with a broker, to save one 2-byte allocation per length field; the bytes written are the same.
import { Watchers } from './watchers.ts';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { InMemorySocket } from './duplex-pair.ts';
import type { InProcessService } from './virtual-internet.ts';

export const TELEMETRY_TOPIC = 'v1/devices/me/telemetry';

export interface TelemetryBrokerConfig {
  /** Access tokens of the devices (the firmware's `5GBw6kqNCN93BN3nuuvJ`). */
  tokens: string[];
  /** Clients without a user name may connect to watch (subscribe only). */
  allowObservers: boolean;
  /**
   * A client whose user name is not a device token but whose password is this secret is an observer too (with or
   * without `allowObservers`): how a watcher gets in when the server runs with a token (`osm serve --token`).
   */
  observerPassword?: string;
  /** Telemetry messages kept in `messages` (the oldest are dropped beyond it). Default 1000. */
  keepMessages: number;
}

export const TELEMETRY_BROKER_DEFAULTS: TelemetryBrokerConfig = { tokens: ['5GBw6kqNCN93BN3nuuvJ'], allowObservers: true, keepMessages: 1000 };

export interface TelemetryMessage {
  token: string;
  clientId: string;
  /** The payload as received. */
  payload: string;
  /** The parsed key/value pairs (empty when the payload was not a JSON object). */
  values: Record<string, unknown>;
}

const TOKEN = Symbol('osm.device-token');
type TbClient = Client & { [TOKEN]?: string };

export class TelemetryBroker implements InProcessService {
  readonly protocol = 'mqtt' as const;
  readonly config: TelemetryBrokerConfig;
  #aedes: Aedes | null = null;
  /** The telemetry messages received, in order (the last `keepMessages`). */
  readonly messages: TelemetryMessage[] = [];
  /** Latest value of each key, over all devices. */
  readonly latest: Record<string, unknown> = {};
  malformedPayloads = 0;
  /** Connections closed because the client sent something that is not MQTT. */
  protocolErrors = 0;
  onTelemetry?: (m: TelemetryMessage) => void;
  /** More observers of telemetry (a broker shared by several benches and a dashboard); `watch` adds one. */
  readonly #watchers = new Watchers<TelemetryMessage>();
  onConnect?: (clientId: string, token: string | null, accepted: boolean) => void;
  #started: Promise<void> | null = null;
  #clientPublishes = 0;

  constructor(config: Partial<TelemetryBrokerConfig> = {}) {
    this.config = { ...TELEMETRY_BROKER_DEFAULTS, ...config, tokens: [...(config.tokens ?? TELEMETRY_BROKER_DEFAULTS.tokens)] };
  }

  /** The embedded aedes broker (after `start`). */
  get aedes(): Aedes {
    if (!this.#aedes) throw new Error('the telemetry broker has not started: await start() first');
    return this.#aedes;
  }

  /** Load aedes, build the broker and ready it (its persistence); idempotent. */
  start(): Promise<void> {
    this.#started ??= this.#build();
    return this.#started;
  }

  async #build(): Promise<void> {
    const [{ Aedes }, mqttPacket] = await Promise.all([import('aedes'), import('mqtt-packet')]);
    mqttPacket.default.writeToStream.cacheNumbers = false;
    const aedes = new Aedes({
      authenticate: (client, username, password, done) => {
        const c = client as TbClient;
        const secret = this.config.observerPassword;
        if (secret !== undefined && password !== undefined && !this.config.tokens.includes(username ?? '') && sameSecret(password.toString('utf8'), secret)) {
          this.onConnect?.(client.id, null, true);
          return done(null, true);
        }
        if (username === undefined || username === '') {
          const ok = this.config.allowObservers;
          this.onConnect?.(client.id, null, ok);
          if (!ok) return done(Object.assign(new Error('not authorised'), { returnCode: 5 }), false);
          return done(null, true);
        }
        if (this.config.tokens.includes(username)) {
          c[TOKEN] = username;
          this.onConnect?.(client.id, username, true);
          return done(null, true);
        }
        this.onConnect?.(client.id, username, false);
        done(Object.assign(new Error('not authorised'), { returnCode: 5 }), false);
      },
      authorizePublish: (client, packet, done) => {
        const token = (client as TbClient | null)?.[TOKEN];
        if (!token) { this.#clientPublishes++; return done(new Error('observers do not publish')); }
        if (!packet.topic.startsWith('v1/devices/me/')) { this.#clientPublishes++; return done(new Error('devices publish under v1/devices/me/')); }
        done(null);
      },
    });
    aedes.on('publish', (packet, client) => this.#published(packet, client));
    aedes.on('clientError', () => { this.protocolErrors++; });
    aedes.on('connectionError', () => { this.protocolErrors++; });
    this.#aedes = aedes;
    await aedes.listen();
  }

  accept(socket: InMemorySocket): void {
    if (this.#aedes) { this.#aedes.handle(socket); return; }
    // a connection before start (a bench always starts its broker first): served once the broker is up
    this.start().then(() => this.#aedes!.handle(socket), () => socket.destroy());
  }

  /** PUBLISH packets from clients processed so far (accepted or refused). */
  publishedCount(): number { return this.#clientPublishes; }

  #published(packet: AedesPublishPacket, client: Client | null): void {
    if (client) this.#clientPublishes++;
    const token = (client as TbClient | null)?.[TOKEN];
    if (!client || !token || packet.topic !== TELEMETRY_TOPIC) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    let values: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(payload);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) values = v as Record<string, unknown>;
      else this.malformedPayloads++;
    } catch {
      this.malformedPayloads++;
    }
    Object.assign(this.latest, values);
    const m: TelemetryMessage = { token, clientId: client.id, payload, values };
    this.messages.push(m);
    if (this.messages.length > this.config.keepMessages) this.messages.splice(0, this.messages.length - this.config.keepMessages);
    this.onTelemetry?.(m);
    this.#watchers.tell(m, token);
  }

  /**
   * Call `fn` with every telemetry message from now on, or with the messages of the device `token` only (one bench of
   * many on a shared broker); returns the function that stops it.
   */
  watch(fn: (m: TelemetryMessage) => void, token?: string): () => void {
    return this.#watchers.add(fn, token);
  }

  async close(): Promise<void> {
    if (!this.#started) return; // never started: aedes was never loaded
    await this.#started.catch(() => undefined);
    const aedes = this.#aedes;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
