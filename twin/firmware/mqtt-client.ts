// ThingsBoard Arduino SDK 0.6.0 over PubSubClient 2.8 (MQTT 3.1.1) on the shared TinyGSM client — the part
// thingsboard.hpp uses (docs/firmware.md §9.5): `connected()`, `connect(host, token)` (port 1883, client id
// `TbDev`, the token as user name; it first "unsubscribes" the RPC and shared-attribute topics), `RPC_Subscribe`,
// `sendTelemetryFloat` (one PUBLISH to `v1/devices/me/telemetry` of `{"key":value}`) and `loop()`.
// Every call goes through the modem, so with a mute modem `connect` costs the TCP connect timeouts (≈ 1.5 min).
import type { GsmClient } from './gsm.ts';

export const MQTT_MAX_PACKET_SIZE = 256;
export const MQTT_KEEPALIVE = 15;
export const MQTT_SOCKET_TIMEOUT = 15;
const MQTT_MAX_HEADER_SIZE = 5;
const MQTTCONNECT = 0x10;
const MQTTPUBLISH = 0x30;
const MQTTSUBSCRIBE = 0x80;
const MQTTUNSUBSCRIBE = 0xa0;
const MQTTPINGREQ = 0xc0;
const MQTTPINGRESP = 0xd0;
const MQTTQOS1 = 0x02;

export const MQTT_CONNECTION_TIMEOUT = -4;
export const MQTT_CONNECTION_LOST = -3;
export const MQTT_CONNECT_FAILED = -2;
export const MQTT_DISCONNECTED = -1;
export const MQTT_CONNECTED = 0;

/** PubSubClient 2.8, the calls the ThingsBoard SDK makes. */
export class PubSubClient {
  readonly #client: GsmClient;
  domain = '';
  port = 1883;
  readonly buffer = new Uint8Array(MQTT_MAX_PACKET_SIZE);
  state = MQTT_DISCONNECTED;
  #nextMsgId = 0;
  #lastOutActivity = 0;
  #lastInActivity = 0;
  #pingOutstanding = false;
  /** Topics and payloads published (for traces and tests). */
  onPublish: ((topic: string, payload: string) => void) | null = null;

  constructor(client: GsmClient) {
    this.#client = client;
  }

  setServer(domain: string, port: number): void {
    this.domain = domain;
    this.port = port;
  }

  #millis(): number { return this.#client.at.millis(); }

  async connected(): Promise<boolean> {
    const rc = await this.#client.connected();
    if (!rc) {
      if (this.state === MQTT_CONNECTED) {
        this.state = MQTT_CONNECTION_LOST;
        this.#client.flush();
        await this.#client.stop();
      }
      return false;
    }
    return this.state === MQTT_CONNECTED;
  }

  async connect(id: string, user: string | null, pass: string | null): Promise<boolean> {
    if (await this.connected()) return true;
    let result = 0;
    if (await this.#client.connected()) result = 1;
    else result = await this.#client.connect(this.domain, this.port);
    if (result !== 1) {
      this.state = MQTT_CONNECT_FAILED;
      return false;
    }
    this.#nextMsgId = 1;
    const body: number[] = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 4]; // "MQTT", level 4 (3.1.1)
    let v = 0x02; // clean session
    if (user !== null) {
      v |= 0x80;
      if (pass !== null) v |= 0x40;
    }
    body.push(v, (MQTT_KEEPALIVE >> 8) & 0xff, MQTT_KEEPALIVE & 0xff);
    pushString(body, id);
    if (user !== null) {
      pushString(body, user);
      if (pass !== null) pushString(body, pass);
    }
    await this.#write(MQTTCONNECT, body);
    this.#lastInActivity = this.#lastOutActivity = this.#millis();
    while (!(await this.#client.available())) {
      if (((this.#millis() - this.#lastInActivity) >>> 0) >= MQTT_SOCKET_TIMEOUT * 1000) {
        this.state = MQTT_CONNECTION_TIMEOUT;
        await this.#client.stop();
        return false;
      }
      await this.#client.at.idle();
    }
    const len = await this.#readPacket();
    if (len === 4) {
      if (this.buffer[3] === 0) {
        this.#lastInActivity = this.#millis();
        this.#pingOutstanding = false;
        this.state = MQTT_CONNECTED;
        return true;
      }
      this.state = this.buffer[3];
    }
    await this.#client.stop();
    return false;
  }

  async subscribe(topic: string, qos = 0): Promise<boolean> {
    if (qos > 1 || MQTT_MAX_PACKET_SIZE < 9 + topic.length) return false;
    if (!(await this.connected())) return false;
    const body = this.#msgId();
    pushString(body, topic);
    body.push(qos);
    return this.#write(MQTTSUBSCRIBE | MQTTQOS1, body);
  }

  async unsubscribe(topic: string): Promise<boolean> {
    if (MQTT_MAX_PACKET_SIZE < 9 + topic.length) return false;
    if (!(await this.connected())) return false;
    const body = this.#msgId();
    pushString(body, topic);
    return this.#write(MQTTUNSUBSCRIBE | MQTTQOS1, body);
  }

  async publish(topic: string, payload: string): Promise<boolean> {
    if (!(await this.connected())) return false;
    if (MQTT_MAX_PACKET_SIZE < MQTT_MAX_HEADER_SIZE + 2 + topic.length + payload.length) return false;
    const body: number[] = [];
    pushString(body, topic);
    for (let i = 0; i < payload.length; i++) body.push(payload.charCodeAt(i) & 0xff);
    this.onPublish?.(topic, payload);
    return this.#write(MQTTPUBLISH, body);
  }

  /** `loop()`: keep-alive ping and one incoming packet (PINGREQ answered, PINGRESP noted, PUBLISH ignored). */
  async loop(): Promise<boolean> {
    if (!(await this.connected())) return false;
    const t = this.#millis();
    if (((t - this.#lastInActivity) >>> 0) > MQTT_KEEPALIVE * 1000 || ((t - this.#lastOutActivity) >>> 0) > MQTT_KEEPALIVE * 1000) {
      if (this.#pingOutstanding) {
        this.state = MQTT_CONNECTION_TIMEOUT;
        await this.#client.stop();
        return false;
      }
      await this.#client.write(Uint8Array.of(MQTTPINGREQ, 0));
      this.#lastOutActivity = t;
      this.#lastInActivity = t;
      this.#pingOutstanding = true;
    }
    if (await this.#client.available()) {
      const len = await this.#readPacket();
      if (len > 0) {
        this.#lastInActivity = t;
        const type = this.buffer[0] & 0xf0;
        if (type === MQTTPINGREQ) await this.#client.write(Uint8Array.of(MQTTPINGRESP, 0));
        else if (type === MQTTPINGRESP) this.#pingOutstanding = false;
      } else if (!(await this.connected())) {
        return false;
      }
    }
    return true;
  }

  #msgId(): number[] {
    this.#nextMsgId = (this.#nextMsgId + 1) & 0xffff;
    if (this.#nextMsgId === 0) this.#nextMsgId = 1;
    return [this.#nextMsgId >> 8, this.#nextMsgId & 0xff];
  }

  /** `write(header, buf, length)`: fixed header with the remaining-length varint, one client write. */
  async #write(header: number, body: readonly number[]): Promise<boolean> {
    const out: number[] = [header];
    let len = body.length;
    do {
      let digit = len & 0x7f;
      len >>= 7;
      if (len > 0) digit |= 0x80;
      out.push(digit);
    } while (len > 0);
    for (const b of body) out.push(b);
    const rc = await this.#client.write(Uint8Array.from(out));
    this.#lastOutActivity = this.#millis();
    return rc === out.length;
  }

  async #readByte(): Promise<number> {
    const previous = this.#millis();
    while (!(await this.#client.available())) {
      if (((this.#millis() - previous) >>> 0) >= MQTT_SOCKET_TIMEOUT * 1000) return -1;
      await this.#client.at.idle();
    }
    return (await this.#client.read()) & 0xff;
  }

  /** `readPacket()`: header, remaining length, body into `buffer`; the stored length, or 0 on a timeout. */
  async #readPacket(): Promise<number> {
    let len = 0;
    const first = await this.#readByte();
    if (first < 0) return 0;
    this.buffer[len++] = first;
    let multiplier = 1;
    let length = 0;
    let digit = 0;
    do {
      if (len === 5) {
        this.state = MQTT_DISCONNECTED;
        await this.#client.stop();
        return 0;
      }
      digit = await this.#readByte();
      if (digit < 0) return 0;
      this.buffer[len++] = digit;
      length += (digit & 127) * multiplier;
      multiplier *= 128;
    } while ((digit & 128) !== 0);
    let idx = len;
    for (let i = 0; i < length; i++) {
      digit = await this.#readByte();
      if (digit < 0) return 0;
      if (len < MQTT_MAX_PACKET_SIZE) this.buffer[len++] = digit;
      idx++;
    }
    if (idx > MQTT_MAX_PACKET_SIZE) len = 0;
    return len;
  }
}

function pushString(out: number[], s: string): void {
  out.push((s.length >> 8) & 0xff, s.length & 0xff);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
}

/** The ThingsBoard SDK object `tb` (ThingsBoard.h 0.6.0). */
export class ThingsBoardClient {
  readonly mqtt: PubSubClient;
  /** `ThingsBoardSized::m_subscribedInstance` is set. */
  #subscribed = false;

  constructor(client: GsmClient) {
    this.mqtt = new PubSubClient(client);
  }

  connected(): Promise<boolean> { return this.mqtt.connected(); }

  /** `connect(host, access_token, port = 1883, client_id = "TbDev")`. */
  async connect(host: string, accessToken: string, port = 1883, clientId = 'TbDev'): Promise<boolean> {
    await this.RPC_Unsubscribe();
    await this.#sharedAttributesUnsubscribe();
    this.mqtt.setServer(host, port);
    return this.mqtt.connect(clientId, accessToken, null);
  }

  async RPC_Subscribe(): Promise<boolean> {
    if (this.#subscribed) return false;
    if (!(await this.mqtt.subscribe('v1/devices/me/rpc/request/+'))) return false;
    this.#subscribed = true;
    return true;
  }

  async RPC_Unsubscribe(): Promise<boolean> {
    this.#subscribed = false;
    return this.mqtt.unsubscribe('v1/devices/me/rpc/request/+');
  }

  async #sharedAttributesUnsubscribe(): Promise<boolean> {
    this.#subscribed = false;
    if (!(await this.mqtt.unsubscribe('v1/devices/me/attributes/response/+'))) return false;
    if (!(await this.mqtt.unsubscribe('v1/devices/me/attributes'))) return false;
    return true;
  }

  /** `sendTelemetryFloat(key, value)`: `{"key":value}` to `v1/devices/me/telemetry`. */
  sendTelemetryFloat(key: string, value: number): Promise<boolean> {
    return this.mqtt.publish('v1/devices/me/telemetry', `{"${key}":${jsonFloat(value)}}`);
  }

  loop(): Promise<boolean> { return this.mqtt.loop(); }
}

/**
 * A float as ArduinoJson 6 writes it (the float is stored as a double: 9 significant decimals at most, trailing
 * zeros removed, exponent form from 1e7 and below 1e-5). [UNDET] in the spec (§11.3); this follows ArduinoJson's
 * FloatParts algorithm.
 */
export function jsonFloat(x: number): string {
  if (Number.isNaN(x) || !Number.isFinite(x)) return 'null';
  let out = '';
  let value = x;
  if (value < 0) { out = '-'; value = -value; }
  let exponent = 0;
  if (value >= 1e7) {
    while (value >= 10) { value /= 10; exponent++; }
  } else if (value > 0 && value <= 1e-5) {
    while (value < 1) { value *= 10; exponent--; }
  }
  let maxDecimalPart = 1000000000;
  let decimalPlaces = 9;
  let integral = Math.trunc(value) >>> 0;
  for (let tmp = integral; tmp >= 10; tmp = Math.floor(tmp / 10)) { maxDecimalPart /= 10; decimalPlaces--; }
  let remainder = (value - integral) * maxDecimalPart;
  let decimal = Math.trunc(remainder);
  remainder -= decimal;
  decimal += Math.trunc(remainder * 2);
  if (decimal >= maxDecimalPart) {
    decimal = 0;
    integral++;
    if (exponent && integral >= 10) { exponent++; integral = 1; }
  }
  while (decimal % 10 === 0 && decimalPlaces > 0) { decimal /= 10; decimalPlaces--; }
  out += String(integral);
  if (decimalPlaces) out += '.' + String(decimal).padStart(decimalPlaces, '0');
  if (exponent) out += 'e' + String(exponent);
  return out;
}
