// A fleet: N meters, each its own twin (phasor plant, the `field` firmware) with its own seed, a board drawn from the
// part tolerances (the firmware's calibration is the nominal board's, so each meter reads with its own board's
// error), a household drawn from the load-profile library (household.ts), a boot mode, an initial credit and a top-up habit (payments queued
// on the meter's own top-up backend, which its firmware polls over the modem). The meters of a chunk advance
// together, slice by slice of simulated time, so at every slice boundary they all stand at the same instant. Each
// meter's telemetry (what its firmware publishes to ThingsBoard) is handed to `onTelemetry` with the meter's access
// token, for a relay to a real broker (telemetry-relay.ts). A meter's outcome depends only on the spec and its
// index: the fleet report is the same whatever the chunking and the workers.
import { Rng } from '../../twin/kernel/rng.ts';
import { DEFAULT_BOARD_PROFILE, drawUnit, paramKeys } from '../../models/board-profile.ts';
import type { BenchControl } from '../../twin/kernel/bench-types.ts';
import { parseScenario } from '../loader.ts';
import { ARCHETYPES, archetype, householdSchedule, type LoadChange } from './household.ts';

export const FLEET_MODES = ['sts', 'opaygo-energy', 'opaygo-time'] as const;
export type FleetMode = typeof FLEET_MODES[number];

export interface FleetSpec {
  meters: number;
  seed: number;
  /** Simulated time, µs. */
  durationUs: number;
  /** The meters' clock at the start (local time, `YYYY-MM-DDTHH:MM:SS`). */
  start: string;
  /** Boot modes, given to meters in turn. */
  modes: FleetMode[];
  /** Households drawn from (archetype names; default all). */
  households?: string[];
  /** Initial credit range [min, max] (the meter's units), drawn per meter. */
  credit: [number, number];
  /** Top-up habit: a payment every `everyHours` (+-50 %, seeded), of an amount drawn from `amount`. */
  topUp: { everyHours: number; amount: [number, number] };
  /** Access token per meter (a CSV's column), or generated from the seed when absent. */
  tokens?: string[];
  /** Simulated time between two lockstep points of the chunk's meters, µs (default 60 s). */
  sliceUs?: number;
}

export interface MeterPlan {
  index: number;
  seed: number;
  token: string;
  mode: FleetMode;
  household: string;
  credit: number;
  loads: LoadChange[];
  topUps: Array<{ tUs: number; amount: number }>;
  /** The meter's board, drawn from the tolerances: every numeric part value ('ct.ratio': 1003.2, ...). */
  board: Record<string, number>;
}

/** A board drawn from the tolerances (models/board-profile.ts), as the bench's part overrides. */
export function drawnBoard(rng: Rng): Record<string, number> {
  const unit = drawUnit(DEFAULT_BOARD_PROFILE, () => rng.next()) as unknown as Record<string, Record<string, unknown>>;
  const out: Record<string, number> = {};
  for (const key of paramKeys()) {
    const [s, k] = key.split('.') as [string, string];
    const v = unit[s]?.[k];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

export interface MeterOutcome {
  index: number;
  token: string;
  mode: FleetMode;
  household: string;
  creditStart: number;
  creditEnd: number;
  /** kWh the firmware counted. */
  energyKwh: number;
  /** Credit sold through the backend (payments the firmware collected). */
  creditSold: number;
  /** Hours with the relay open (credit exhausted; also a tamper or a fault the firmware cut for). */
  exhaustedHours: number;
  relayOperations: number;
  tamperEvents: number;
  topUpsPaid: number;
  topUpsCollected: number;
  /** Backend requests that failed (no answer, an error status). */
  failedRequests: number;
  telemetryMessages: number;
  /** The minute (from the start) of each telemetry message, in order. */
  telemetryMinutes: number[];
}

/** A token per meter, ThingsBoard-like (20 letters and digits), from the fleet seed. */
export function generatedToken(seed: number, index: number): string {
  const rng = new Rng(seed).fork(`token:${index}`);
  const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let t = '';
  for (let i = 0; i < 20; i++) t += abc[Math.floor(rng.next() * abc.length)];
  return t;
}

export function meterPlan(spec: FleetSpec, index: number): MeterPlan {
  const rng = new Rng(spec.seed).fork(`meter:${index}`);
  const seed = rng.nextUint32();
  const names = spec.households ?? ARCHETYPES.map((a) => a.name);
  const household = names[Math.floor(rng.next() * names.length)];
  const mode = spec.modes[index % spec.modes.length];
  const credit = Math.round(rng.uniform(spec.credit[0], spec.credit[1]));
  const start = new Date(`${spec.start}Z`);
  const loads = householdSchedule(archetype(household), seed, start, spec.durationUs);
  const topUps: MeterPlan['topUps'] = [];
  const every = spec.topUp.everyHours * 3600e6;
  for (let t = every * rng.uniform(0.1, 1); t < spec.durationUs; t += every * rng.uniform(0.5, 1.5)) {
    topUps.push({ tUs: Math.round(t), amount: Math.round(rng.uniform(spec.topUp.amount[0], spec.topUp.amount[1])) });
  }
  const board = drawnBoard(rng.fork('board'));
  return { index, seed, token: spec.tokens?.[index] ?? generatedToken(spec.seed, index), mode, household, credit, loads, topUps, board };
}

export interface FleetRange {
  spec: FleetSpec;
  from: number;
  to: number;
}

export interface FleetHooks {
  /** A meter published telemetry (its token, the JSON payload as sent). */
  onTelemetry?: (token: string, payload: string, index: number) => void;
  /** Simulated time reached by the chunk (after each slice). */
  onSlice?: (nowUs: number) => void;
}

interface Live {
  plan: MeterPlan;
  bench: BenchControl;
  out: MeterOutcome;
  nextLoad: number;
  nextTopUp: number;
  relayOpenSince: number | null;
  creditLow: boolean;
}

async function makeMeter(spec: FleetSpec, plan: MeterPlan, hooks: FleetHooks): Promise<Live> {
  const { createBench } = await import('../../twin/kernel/bench.ts');
  const scenario = parseScenario([
    `name: fleet meter ${plan.index}`, 'version: 1',
    `meter: { firmware: field, mode: ${plan.mode}, credit: ${plan.credit}, clock: "${spec.start}", relay: closed }`,
    'plant: { grid: { vrms: 230, hz: 50 }, fidelity: phasor }',
    'network: {}',
    'steps: [ { delay: 1s } ]', '',
  ].join('\n'), `fleet-meter-${plan.index}.yaml`);
  const bench = createBench({ meter: { ...scenario.meter, overrides: plan.board }, plant: scenario.plant, network: scenario.network!, seed: plan.seed, speed: 'max' });
  const out: MeterOutcome = {
    index: plan.index, token: plan.token, mode: plan.mode, household: plan.household, creditStart: plan.credit, creditEnd: 0,
    energyKwh: 0, creditSold: 0, exhaustedHours: 0, relayOperations: 0, tamperEvents: 0, topUpsPaid: 0, topUpsCollected: 0,
    failedRequests: 0, telemetryMessages: 0, telemetryMinutes: [],
  };
  const live: Live = { plan, bench, out, nextLoad: 0, nextTopUp: 0, relayOpenSince: null, creditLow: false };
  bench.trace.subscribe((ev) => {
    if (ev.source === 'meter' && ev.kind === 'relay') {
      out.relayOperations++;
      const open = (ev.data as { state: string }).state === 'open';
      if (open && live.relayOpenSince === null) live.relayOpenSince = ev.t;
      if (!open && live.relayOpenSince !== null) { out.exhaustedHours += (ev.t - live.relayOpenSince) / 3600e6; live.relayOpenSince = null; }
    } else if (ev.source === 'bench' && ev.kind === 'tamper') {
      out.tamperEvents++;
    } else if (ev.source === 'backend' && ev.kind === 'request') {
      const r = ev.data as { success?: boolean; status?: number; answer?: unknown };
      if (!r.status || r.status >= 400) out.failedRequests++;
      else if (r.success && typeof r.answer === 'string' && r.answer.endsWith('/sucess')) {
        // The firmware reports the payment it applied (stat=sucess): the backend's answer starts with the amount.
        out.topUpsCollected++;
        out.creditSold += Number(r.answer.split('/')[0]) || 0;
      }
    } else if (ev.source === 'broker' && ev.kind === 'telemetry') {
      out.telemetryMessages++;
      out.telemetryMinutes.push(Math.floor(ev.t / 60e6));
      hooks.onTelemetry?.(plan.token, String((ev.data as { payload: unknown }).payload), plan.index);
    }
  });
  await bench.start();
  return live;
}

function applyDue(l: Live, nowUs: number): void {
  const loads = l.plan.loads;
  while (l.nextLoad < loads.length && loads[l.nextLoad].tUs <= nowUs) {
    const c = loads[l.nextLoad++];
    if (c.watts > 0) l.bench.setLoad({ id: c.id, watts: c.watts, pf: c.pf } as never);
    else l.bench.removeLoad(c.id);
  }
  const tops = l.plan.topUps;
  while (l.nextTopUp < tops.length && tops[l.nextTopUp].tUs <= nowUs) {
    l.bench.comms?.topup(tops[l.nextTopUp++].amount);
    l.out.topUpsPaid++;
  }
}

/** Run meters [from, to) of the fleet together; `post(i, outcome)` for each, in index order, at the end. */
export async function runFleetMeters(chunk: FleetRange, post: (i: number, outcome: MeterOutcome) => void, hooks: FleetHooks = {}): Promise<void> {
  const { spec, from, to } = chunk;
  const slice = spec.sliceUs ?? 60e6;
  const meters: Live[] = [];
  try {
    for (let i = from; i < to; i++) meters.push(await makeMeter(spec, meterPlan(spec, i), hooks));
    for (let t = 0; t < spec.durationUs;) {
      const step = Math.min(slice, spec.durationUs - t);
      for (const m of meters) {
        applyDue(m, m.bench.now());
        await m.bench.runFor(step);
      }
      t += step;
      hooks.onSlice?.(t);
    }
    for (const m of meters) {
      if (m.relayOpenSince !== null) m.out.exhaustedHours += (m.bench.now() - m.relayOpenSince) / 3600e6;
      m.out.exhaustedHours = Math.round(m.out.exhaustedHours * 1000) / 1000;
      m.out.creditEnd = Number(m.bench.observe('credit') ?? 0);
      m.out.energyKwh = Number(m.bench.observe('energy') ?? 0);
      post(m.out.index - from, m.out);
    }
  } finally {
    for (const m of meters) await m.bench.close();
  }
}
