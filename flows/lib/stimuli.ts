// What the stimulus nodes do to a meter: osm-grid, osm-load, osm-keypad, osm-control, osm-wait. Settings come
// from the editor (strings); a message may override them (`msg.grid`, `msg.load`, `msg.keys`, ...). Everything is checked before the meter
// is touched, by the scenario language's own rules (step-parse.ts).
import { parse as parseYaml } from 'yaml';
import type { Bench } from '../../twin/kernel/bench.ts';
import { formatTime, parseDuration } from '../../twin/kernel/clock.ts';
import type { GridChange, LoadSpec } from '../../twin/kernel/stimuli.ts';
import type { KeyName } from '../../twin/meter.ts';
import type { Rng } from '../../twin/kernel/rng.ts';
import { FIRMWARE_SECRET_KEY, FIRMWARE_STARTING_CODE, generateToken } from '../../twin/tokens/opaygo.ts';
import { encodeStsRandom, type StsEncodeOptions } from '../../twin/tokens/sts.ts';
import { LOAD_LIBRARY, LOAD_PROFILES } from './load-library.ts';
import type { MeterSetup } from './meter-settings.ts';
import { NodeInputError, parseStep } from './step-parse.ts';

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const num = (what: string, v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) throw new NodeInputError(`${what}: expected a number, got '${String(v)}'`);
  return n;
};
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// --- grid ------------------------------------------------------------------------------------------------------

export const GRID_ACTIONS = ['set', 'sag', 'swell', 'outage', 'restore'] as const;
export type GridAction = (typeof GRID_ACTIONS)[number];

export interface GridNodeSettings { action?: string; vrms?: string | number; hz?: string | number; harmonics?: string; duration?: string }

/** `3:5, 5:2@30` (order:percent[@phase degrees]) into the scenario's harmonics list. */
export function parseHarmonics(text: string): { order: number; percent: number; phase?: number }[] {
  const out: { order: number; percent: number; phase?: number }[] = [];
  for (const part of text.split(/[,;\s]+/)) {
    if (part === '') continue;
    const m = /^(\d+):(\d+(?:\.\d+)?)(?:@(-?\d+(?:\.\d+)?))?$/.exec(part);
    if (!m) throw new NodeInputError(`harmonics: expected order:percent[@phase], e.g. 3:5, 5:2@30, got '${part}'`);
    out.push({ order: Number(m[1]), percent: Number(m[2]), ...(m[3] !== undefined ? { phase: Number(m[3]) } : {}) });
  }
  return out;
}

/**
 * The grid change a node applies: from its settings, or `payload` when it is an object in the scenario's `grid:`
 * form (`{ vrms: 180, for: '2s' }`, `{ outage: true }`, `{ harmonics: [{ order: 3, percent: 5 }] }`).
 */
export function gridChange(s: GridNodeSettings, setup: MeterSetup, payload?: unknown): { change: GridChange; text: string } {
  let step: Record<string, unknown>;
  if (isRecord(payload)) {
    step = payload;
  } else {
    const action = (blank(s.action) ? 'set' : String(s.action)) as GridAction;
    if (!GRID_ACTIONS.includes(action)) throw new NodeInputError(`action: expected one of ${GRID_ACTIONS.join(', ')}, got '${action}'`);
    step = {};
    const nominal = setup.plant.grid.vrms;
    switch (action) {
      case 'set':
        if (!blank(s.vrms)) step.vrms = num('vrms', s.vrms);
        if (!blank(s.hz)) step.hz = num('hz', s.hz);
        if (!blank(s.harmonics)) step.harmonics = parseHarmonics(String(s.harmonics));
        break;
      case 'sag': step.vrms = blank(s.vrms) ? Math.round(nominal * 0.7) : num('vrms', s.vrms); break;
      case 'swell': step.vrms = blank(s.vrms) ? Math.round(nominal * 1.2) : num('vrms', s.vrms); break;
      case 'outage': step.outage = true; break;
      case 'restore':
        step.vrms = nominal; step.hz = setup.plant.grid.hz; step.outage = false;
        step.harmonics = setup.plant.grid.harmonics.map((h) => ({ order: h.order, percent: h.percent, ...(h.phaseDeg ? { phase: h.phaseDeg } : {}) }));
        break;
    }
    if ((action === 'sag' || action === 'swell') && (step.vrms as number) >= nominal === (action === 'sag')) {
      throw new NodeInputError(`vrms: a ${action} goes ${action === 'sag' ? 'below' : 'above'} the nominal ${nominal} V, got ${String(step.vrms)} V`);
    }
    if (!blank(s.duration) && action !== 'restore') step.for = String(s.duration).trim();
  }
  const parsed = parseStep({ grid: step });
  if (parsed.command !== 'grid') throw new Error('unreachable');
  return { change: parsed.change, text: gridText(parsed.change) };
}

function gridText(c: GridChange): string {
  const parts: string[] = [];
  if (c.outage) parts.push('outage');
  else if (c.outage === false) parts.push('supply back');
  if (c.vrms !== undefined) parts.push(`${c.vrms} V`);
  if (c.hz !== undefined) parts.push(`${c.hz} Hz`);
  if (c.harmonics?.length) parts.push(c.harmonics.map((h) => `H${h.order} ${h.percent} %`).join(' '));
  if (c.forUs !== undefined) parts.push(`for ${formatTime(c.forUs)}`);
  return parts.join(', ') || 'no change';
}

// --- loads -----------------------------------------------------------------------------------------------------

export interface LoadNodeSettings {
  action?: string;
  /** The load's id on the meter (a node's own `id` is Node-RED's). */
  loadId?: string;
  /** A name of LOAD_LIBRARY, or blank for the values below. */
  preset?: string;
  kind?: string;
  watts?: string | number;
  amps?: string | number;
  pf?: string | number;
  ratedVolts?: string | number;
  /** A name of LOAD_PROFILES (action `profile`). */
  profile?: string;
}

export type LoadOp =
  | { action: 'set'; load: LoadSpec; text: string }
  | { action: 'remove'; id: string; text: string }
  | { action: 'profile'; id: string; name: string; text: string };

/** What a load node does: its settings, or `payload` as a scenario `set-load` object, or a number of watts. */
export function loadOp(s: LoadNodeSettings, payload?: unknown): LoadOp {
  const id = blank(s.loadId) ? 'load' : String(s.loadId).trim();
  const action = blank(s.action) ? 'set' : String(s.action);
  let step: Record<string, unknown>;
  const removeOp = (rid: string): LoadOp => {
    parseStep({ 'set-load': { id: rid, watts: 1 } }); // checks the id as a scenario would
    return { action: 'remove', id: rid, text: `${rid} disconnected` };
  };
  if (isRecord(payload) && payload.remove === true) {
    return removeOp(typeof payload.id === 'string' ? payload.id : id);
  }
  if (isRecord(payload)) {
    step = { id, ...payload };
  } else if (action === 'profile') {
    const name = String(s.profile ?? '').trim();
    const p = LOAD_PROFILES[name];
    if (!p) throw new NodeInputError(`profile: expected one of ${Object.keys(LOAD_PROFILES).join(', ')}, got '${name}'`);
    parseStep({ 'set-load': { id, watts: 1 } }); // checks the id as a scenario would
    return { action: 'profile', id, name, text: `${id}: profile ${name}` };
  } else if (action === 'remove') {
    return removeOp(id);
  } else if (action === 'set') {
    const preset = blank(s.preset) ? '' : String(s.preset).trim();
    if (preset !== '') {
      const lib = LOAD_LIBRARY[preset];
      if (!lib) throw new NodeInputError(`preset: expected one of ${Object.keys(LOAD_LIBRARY).join(', ')}, got '${preset}'`);
      const { label: _label, ...spec } = lib;
      step = { id, ...spec };
    } else {
      step = { id };
      if (!blank(s.kind)) step.kind = String(s.kind).trim();
      if (!blank(s.watts)) step.watts = num('watts', s.watts);
      if (!blank(s.amps)) step.amps = num('amps', s.amps);
      if (!blank(s.pf)) step.pf = num('pf', s.pf);
      if (!blank(s.ratedVolts)) step.ratedVolts = num('ratedVolts', s.ratedVolts);
    }
    if (typeof payload === 'number') { step.watts = payload; delete step.amps; }
  } else {
    throw new NodeInputError(`action: expected set, remove or profile, got '${action}'`);
  }
  const parsed = parseStep({ 'set-load': step });
  if (parsed.command !== 'set-load') throw new Error('unreachable');
  if (parsed.remove) return { action: 'remove', id: parsed.id, text: `${parsed.id} disconnected` };
  const l = parsed.load;
  return { action: 'set', load: l, text: `${l.id}: ${l.kind ?? 'resistive'} ${l.watts !== undefined ? `${l.watts} W` : `${l.amps} A`}` };
}

/** Apply a load operation; a profile's later changes are scheduled on the meter's clock and play out as time passes. */
export function applyLoad(bench: Bench, op: LoadOp): void {
  if (op.action === 'set') { bench.setLoad(op.load); return; }
  if (op.action === 'remove') { bench.removeLoad(op.id); return; }
  const profile = LOAD_PROFILES[op.name]!;
  const t0 = bench.now();
  for (const step of profile.steps) {
    const apply = (): void => {
      if (step.load) bench.setLoad({ id: op.id, ...step.load });
      else bench.removeLoad(op.id);
    };
    if (step.atUs === 0) apply(); else bench.clock.at(t0 + step.atUs, apply);
  }
}

// --- keypad ----------------------------------------------------------------------------------------------------

export interface KeypadNodeSettings {
  /** `keys` (typed as given), `sts` (a generated 20-digit token for `amount`), `opaygo` (a token for value/count). */
  source?: string;
  keys?: string;
  amount?: string | number;
  value?: string | number;
  count?: string | number;
  hold?: string;
  gap?: string;
}

export interface KeyEntry { keys: KeyName[]; text: string; holdMs?: number; gapMs?: number; token?: string }

/**
 * The keys a keypad node types. `payload` may be a key string (`*1234#`), or with source `sts` an amount, or with
 * source `opaygo` `{ value, count }`. Generated STS tokens use the node's own seeded random digits.
 */
export function keyEntry(s: KeypadNodeSettings, rng: () => Rng, payload?: unknown): KeyEntry {
  const source = blank(s.source) ? 'keys' : String(s.source);
  let text: string;
  let token: string | undefined;
  if (typeof payload === 'string' && payload.trim() !== '') {
    text = payload;
  } else if (source === 'keys') {
    if (blank(s.keys)) throw new NodeInputError('keys: nothing to type (write e.g. *1234# or send the keys in msg.payload)');
    text = String(s.keys);
  } else if (source === 'sts') {
    const amount = typeof payload === 'number' ? payload : num('amount', blank(s.amount) ? NaN : s.amount);
    if (!Number.isInteger(amount) || amount < 0 || amount > 100098) throw new NodeInputError(`amount: expected a whole number 0..100098, got ${amount}`);
    const opts: StsEncodeOptions = { amount };
    try { token = encodeStsRandom(opts, rng()); } catch (err) { throw new NodeInputError(`amount: ${(err as Error).message}`); }
    text = `*${token}#`;
  } else if (source === 'opaygo') {
    const p = isRecord(payload) ? payload : {};
    const value = num('value', p.value ?? s.value);
    const count = num('count', p.count ?? s.count);
    if (!Number.isInteger(value) || value < 0 || value > 999) throw new NodeInputError(`value: expected a whole number 0..999, got ${value}`);
    if (!Number.isInteger(count) || count < 0 || count > 65535) throw new NodeInputError(`count: expected a whole number 0..65535, got ${count}`);
    token = generateToken({ key: FIRMWARE_SECRET_KEY, startingCode: FIRMWARE_STARTING_CODE, value, count });
    text = `*${token}`;
  } else {
    throw new NodeInputError(`source: expected keys, sts or opaygo, got '${source}'`);
  }
  const step: Record<string, unknown> = { keys: text };
  if (!blank(s.hold)) step.hold = String(s.hold).trim();
  if (!blank(s.gap)) step.gap = String(s.gap).trim();
  const parsed = parseStep({ 'press-keys': step });
  if (parsed.command !== 'press-keys') throw new Error('unreachable');
  return {
    keys: parsed.keys, text: parsed.keys.join(''),
    ...(parsed.holdMs !== undefined ? { holdMs: parsed.holdMs } : {}),
    ...(parsed.gapMs !== undefined ? { gapMs: parsed.gapMs } : {}),
    ...(token !== undefined ? { token } : {}),
  };
}

// --- control and wait ------------------------------------------------------------------------------------------

export const CONTROL_ACTIONS = ['power-cut', 'power-restore', 'cover-open', 'cover-close', 'reset'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

export function controlAction(setting: string | undefined, payload?: unknown): ControlAction {
  const a = typeof payload === 'string' && (CONTROL_ACTIONS as readonly string[]).includes(payload) ? payload : blank(setting) ? '' : String(setting);
  if (!(CONTROL_ACTIONS as readonly string[]).includes(a)) throw new NodeInputError(`action: expected one of ${CONTROL_ACTIONS.join(', ')}, got '${a}'`);
  return a as ControlAction;
}

export interface WaitNodeSettings { duration?: string; min?: string; max?: string }

export type WaitSpec = { kind: 'fixed'; us: number; text: string } | { kind: 'random'; minUs: number; maxUs: number; text: string };

function duration(what: string, v: unknown): number {
  const us = typeof v === 'string' ? parseDuration(v) : null;
  if (us === null) throw new NodeInputError(`${what}: expected a duration with a unit (500ms, 2s, 10min, 2h), got '${String(v)}'`);
  return us;
}

/** A fixed wait (`duration`, or `payload` as a duration text) or a seeded random one between `min` and `max`. */
export function waitSpec(s: WaitNodeSettings, payload?: unknown): WaitSpec {
  if (typeof payload === 'string' && payload.trim() !== '') { const us = duration('msg.wait', payload.trim()); return { kind: 'fixed', us, text: formatTime(us) }; }
  if (!blank(s.duration)) { const us = duration('duration', String(s.duration).trim()); return { kind: 'fixed', us, text: formatTime(us) }; }
  if (blank(s.min) || blank(s.max)) throw new NodeInputError('duration: give a duration, or min and max for a random wait');
  const minUs = duration('min', String(s.min).trim());
  const maxUs = duration('max', String(s.max).trim());
  if (maxUs < minUs) throw new NodeInputError(`max: must not be below min (${s.min})`);
  return { kind: 'random', minUs, maxUs, text: `${formatTime(minUs)}..${formatTime(maxUs)}` };
}

export { isRecord, parseYaml };
