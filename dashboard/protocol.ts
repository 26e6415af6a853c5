// The dashboard's websocket protocol (docs/ws-protocol.md): the control messages a browser may send, their schema and
// validator, and the binary waveform frame. Every text message from a client is one JSON object with a `type`; the
// validator accepts exactly the fields listed in CONTROL_SCHEMA (no others) and answers anything else with a reason.
import { KEY_NAMES } from '../twin/meter.ts';
import { PROFILE_NAMES } from '../twin/profiles/profile.ts';
import { DEFECT_IDS } from '../twin/profiles/defects.ts';
import { BACKEND_FAULTS, type BackendFault } from '../twin/comms/topup-backend.ts';

export const PROTOCOL_VERSION = 1;
/** Largest text message a client may send (bytes); larger frames close the connection (1009). */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
/** Longest key string in one `keys` message (a token is 22 keys with * and #). */
export const MAX_KEYS_PER_MESSAGE = 64;

export type SpeedValue = 'max' | number;

export type GridEventName = 'normal' | 'sag' | 'swell' | 'outage' | 'freq-step' | 'harmonics';
export const GRID_EVENTS: readonly GridEventName[] = ['normal', 'sag', 'swell', 'outage', 'freq-step', 'harmonics'];

/** Control messages (client to server). `id` is echoed in the reply (`ack` or `error`). */
export type ControlMessage =
  | { type: 'ping'; id?: Id }
  | { type: 'select'; id?: Id; meter: string }
  | { type: 'keys'; id?: Id; meter?: string; keys: string }
  | { type: 'load'; id?: Id; meter?: string; load: string; on: boolean }
  | { type: 'grid'; id?: Id; meter?: string; event: GridEventName }
  | { type: 'tamper'; id?: Id; meter?: string; open: boolean }
  | { type: 'power'; id?: Id; meter?: string; on: boolean }
  | { type: 'speed'; id?: Id; meter?: string; speed: SpeedValue }
  | { type: 'pause'; id?: Id; meter?: string; paused: boolean }
  | { type: 'scenario'; id?: Id; meter?: string; action: 'run'; name: string }
  | { type: 'scenario'; id?: Id; meter?: string; action: 'stop' }
  | { type: 'firmware'; id?: Id; meter?: string; profile: string; fix?: string[]; defects?: string[] }
  | { type: 'reset'; id?: Id; meter?: string }
  | ({ type: 'network'; id?: Id; meter?: string } & NetworkFields)
  | { type: 'topup'; id?: Id; meter?: string; amount: number }
  | { type: 'add-meter'; id?: Id }
  | { type: 'view'; id?: Id; view: 'fleet' | 'meter' };

export type Id = string | number;

/** The fields of a `network` message: the knobs of a scenario's `network:` step (at least one). */
export interface NetworkFields {
  coverage?: boolean;
  csq?: number;
  latencyMs?: number;
  registrationMs?: number;
  attachFailures?: number;
  attachFailureRate?: number;
  drop?: true;
  backend?: 'up' | 'down';
  broker?: 'up' | 'down';
  fault?: BackendFault;
  faultCount?: number;
  /** Revert the settings and server states after this many ms of meter time. */
  forMs?: number;
}

/** Largest amount one `topup` message may queue. */
export const MAX_TOPUP_AMOUNT = 100_000;
export type ControlType = ControlMessage['type'];

/** The largest paced factor a client may ask for (any factor up to it, or `max`, or a pause). */
export const MAX_SPEED_FACTOR = 10_000;
/**
 * The speeds a page offers (`catalog.speeds`): real time, a minute in 6 s, an hour a minute, a day in 2.4 minutes
 * (a day's credit running out while an audience watches), a day in 24 s, and as fast as the server runs. A paced
 * factor the simulation cannot keep up with runs as fast as it can; `state.rate` says what it reaches.
 */
export const SPEED_CHOICES: readonly SpeedValue[] = [1, 10, 60, 600, 3600, 'max'];

type FieldCheck = (v: unknown) => string | null;

const isId: FieldCheck = (v) =>
  (typeof v === 'string' && v.length > 0 && v.length <= 64) || (typeof v === 'number' && Number.isSafeInteger(v))
    ? null : 'must be a string of 1..64 characters or a whole number';
const isMeterId: FieldCheck = (v) =>
  typeof v === 'string' && /^[a-z0-9-]{1,32}$/.test(v) ? null : 'must be a meter id such as "meter-1"';
const isBool: FieldCheck = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const isName: FieldCheck = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9_./-]{1,80}$/.test(v) && !v.includes('..') ? null : 'must be a name of 1..80 letters, digits, - _ . /';
const isKeys: FieldCheck = (v) => {
  if (typeof v !== 'string' || v.length === 0) return 'must be a non-empty string of keypad keys';
  if (v.length > MAX_KEYS_PER_MESSAGE) return `must be at most ${MAX_KEYS_PER_MESSAGE} keys`;
  for (const ch of v) if (!(KEY_NAMES as readonly string[]).includes(ch)) return `'${ch.length === 1 && ch >= ' ' ? ch : '\\u' + ch.charCodeAt(0).toString(16)}' is not a keypad key (0-9 A-D * #)`;
  return null;
};
const isSpeed: FieldCheck = (v) => {
  if (v === 'max') return null;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_SPEED_FACTOR) return null;
  return `must be "max" or a factor > 0 and <= ${MAX_SPEED_FACTOR}`;
};
const oneOf = (values: readonly string[]): FieldCheck => (v) =>
  typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`;
const numberIn = (min: number, max: number, integer = false): FieldCheck => (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v))
    ? null : `must be ${integer ? 'a whole number' : 'a number'} ${min}..${max}`;
const isTrue: FieldCheck = (v) => (v === true ? null : 'must be true');
const isAmount: FieldCheck = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_TOPUP_AMOUNT ? null : `must be a number > 0 and <= ${MAX_TOPUP_AMOUNT}`;
const defectList: FieldCheck = (v) => {
  if (!Array.isArray(v) || v.length > DEFECT_IDS.length) return `must be a list of at most ${DEFECT_IDS.length} defect ids`;
  for (const d of v) if (typeof d !== 'string' || !(DEFECT_IDS as readonly string[]).includes(d)) return `has '${String(d).slice(0, 20)}', not a defect id (D1..D48)`;
  return null;
};

interface Shape { required: Record<string, FieldCheck>; optional: Record<string, FieldCheck> }

const METER = { meter: isMeterId };

/** The schema: for each type, its required and optional fields (`type` and `id` are implied). */
export const CONTROL_SCHEMA: Readonly<Record<ControlType, Shape>> = {
  ping: { required: {}, optional: {} },
  select: { required: { meter: isMeterId }, optional: {} },
  keys: { required: { keys: isKeys }, optional: METER },
  load: { required: { load: isName, on: isBool }, optional: METER },
  grid: { required: { event: oneOf(GRID_EVENTS) }, optional: METER },
  tamper: { required: { open: isBool }, optional: METER },
  power: { required: { on: isBool }, optional: METER },
  speed: { required: { speed: isSpeed }, optional: METER },
  pause: { required: { paused: isBool }, optional: METER },
  scenario: { required: { action: oneOf(['run', 'stop']) }, optional: { ...METER, name: isName } },
  firmware: { required: { profile: oneOf(PROFILE_NAMES) }, optional: { ...METER, fix: defectList, defects: defectList } },
  reset: { required: {}, optional: METER },
  network: {
    required: {},
    optional: {
      ...METER, coverage: isBool, csq: numberIn(0, 31, true), latencyMs: numberIn(0, 60_000), registrationMs: numberIn(0, 600_000),
      attachFailures: numberIn(0, 1_000_000, true), attachFailureRate: numberIn(0, 1), drop: isTrue,
      backend: oneOf(['up', 'down']), broker: oneOf(['up', 'down']), fault: oneOf(BACKEND_FAULTS), faultCount: numberIn(1, 1_000_000, true),
      forMs: numberIn(1, 86_400_000),
    },
  },
  topup: { required: { amount: isAmount }, optional: METER },
  'add-meter': { required: {}, optional: {} },
  view: { required: { view: oneOf(['fleet', 'meter']) }, optional: {} },
};

export const CONTROL_TYPES = Object.keys(CONTROL_SCHEMA) as ControlType[];

export type Validation = { ok: true; msg: ControlMessage } | { ok: false; error: string; id?: Id };

/** Parse and validate one text message from a client. Never throws. */
export function parseControl(text: string): Validation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON: a control message is one JSON object with a "type"' };
  }
  return validateControl(raw);
}

/** Validate a decoded message against CONTROL_SCHEMA. Never throws. */
export function validateControl(raw: unknown): Validation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, error: 'a control message must be a JSON object' };
  const o = raw as Record<string, unknown>;
  // The id is echoed only when it is itself valid.
  const id = Object.hasOwn(o, 'id') && isId(o.id) === null ? (o.id as Id) : undefined;
  const fail = (error: string): Validation => ({ ok: false, error, ...(id !== undefined ? { id } : {}) });
  if (Object.hasOwn(o, 'id') && id === undefined) return fail(`"id" ${isId(o.id)}`);
  const type = o.type;
  if (typeof type !== 'string') return fail('missing "type" (a string)');
  if (!Object.hasOwn(CONTROL_SCHEMA, type)) return fail(`unknown type "${type.slice(0, 40)}" (expected one of ${CONTROL_TYPES.join(', ')})`);
  const shape = CONTROL_SCHEMA[type as ControlType];
  for (const key of Object.keys(o)) {
    if (key === 'type' || key === 'id') continue;
    const check = Object.hasOwn(shape.required, key) ? shape.required[key] : Object.hasOwn(shape.optional, key) ? shape.optional[key] : undefined;
    if (!check) return fail(`"${type}" has no field "${key.slice(0, 40)}"`);
    const why = check(o[key]);
    if (why) return fail(`"${type}.${key}" ${why}`);
  }
  for (const key of Object.keys(shape.required)) {
    if (!Object.hasOwn(o, key)) return fail(`"${type}" needs "${key}"`);
  }
  if (type === 'network') {
    if (!Object.keys(o).some((k) => k !== 'type' && k !== 'id' && k !== 'meter')) return fail('"network" needs at least one setting (coverage, csq, latencyMs, registrationMs, attachFailures, attachFailureRate, drop, backend, broker, fault, forMs)');
    if (o.faultCount !== undefined && o.fault === undefined) return fail('"network.faultCount" goes with "fault"');
    if (o.forMs !== undefined && !['coverage', 'csq', 'latencyMs', 'registrationMs', 'attachFailures', 'attachFailureRate', 'backend', 'broker'].some((k) => o[k] !== undefined)) return fail('"network.forMs" needs a setting to revert');
  }
  if (type === 'scenario') {
    if (o.action === 'run' && o.name === undefined) return fail('"scenario" with action "run" needs "name"');
    if (o.action === 'stop' && o.name !== undefined) return fail('"scenario" with action "stop" takes no "name"');
  }
  return { ok: true, msg: o as unknown as ControlMessage };
}

// ---------------------------------------------------------------------------------------------------------------
// Binary waveform frame (server to client), little-endian:
//   offset 0  u8   kind = 1 (waveform)
//          1  u8   meter index (position in the meter list)
//          2  u16  flags: bit 0 = synthesised from the phasors (phasor fidelity), bit 1 = meter unpowered (no samples)
//          4  u32  number of samples n
//          8  f64  virtual time of the first sample, microseconds
//         16  f32  sample rate of the frame, Hz
//         20  u32  epoch of the meter (changes when the meter is rebuilt)
//         24  f32[n] line voltage, volts
//   24 + 4n   f32[n] line current, amps

export const WAVE_FRAME_KIND = 1;
export const WAVE_HEADER_BYTES = 24;
export const WAVE_FLAG_SYNTHESISED = 1;
export const WAVE_FLAG_UNPOWERED = 2;

export interface WaveFrame {
  meterIndex: number;
  flags: number;
  t0Us: number;
  sampleRateHz: number;
  epoch: number;
  volts: Float32Array;
  amps: Float32Array;
}

export function encodeWaveFrame(f: WaveFrame): Buffer {
  const n = f.volts.length;
  if (f.amps.length !== n) throw new RangeError('waveform frame: volts and amps must have the same length');
  const buf = Buffer.alloc(WAVE_HEADER_BYTES + 8 * n);
  buf.writeUInt8(WAVE_FRAME_KIND, 0);
  buf.writeUInt8(f.meterIndex & 0xff, 1);
  buf.writeUInt16LE(f.flags & 0xffff, 2);
  buf.writeUInt32LE(n, 4);
  buf.writeDoubleLE(f.t0Us, 8);
  buf.writeFloatLE(f.sampleRateHz, 16);
  buf.writeUInt32LE(f.epoch >>> 0, 20);
  for (let k = 0; k < n; k++) buf.writeFloatLE(f.volts[k], WAVE_HEADER_BYTES + 4 * k);
  for (let k = 0; k < n; k++) buf.writeFloatLE(f.amps[k], WAVE_HEADER_BYTES + 4 * (n + k));
  return buf;
}

export function decodeWaveFrame(buf: Uint8Array): WaveFrame {
  if (buf.length < WAVE_HEADER_BYTES) throw new RangeError('waveform frame shorter than its header');
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.readUInt8(0) !== WAVE_FRAME_KIND) throw new RangeError(`not a waveform frame (kind ${b.readUInt8(0)})`);
  const n = b.readUInt32LE(4);
  if (b.length !== WAVE_HEADER_BYTES + 8 * n) throw new RangeError(`waveform frame of ${b.length} bytes does not hold ${n} samples`);
  const volts = new Float32Array(n);
  const amps = new Float32Array(n);
  for (let k = 0; k < n; k++) volts[k] = b.readFloatLE(WAVE_HEADER_BYTES + 4 * k);
  for (let k = 0; k < n; k++) amps[k] = b.readFloatLE(WAVE_HEADER_BYTES + 4 * (n + k));
  return { meterIndex: b.readUInt8(1), flags: b.readUInt16LE(2), t0Us: b.readDoubleLE(8), sampleRateHz: b.readFloatLE(16), epoch: b.readUInt32LE(20), volts, amps };
}
