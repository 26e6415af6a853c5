// What osm-network does to a meter whose modem is connected (osm-meter Modem: connected): change the cellular
// network and the servers now (a scenario's `network:` step: coverage, signal, latency, registration time, failed
// GPRS attaches, dropped connections, backend and broker up or down, backend faults, all optionally for a while),
// or queue a top-up on the backend (a scenario's `topup:` step: a customer pays, the firmware's next poll gets it).
// Settings and messages are checked by the scenario language itself (step-parse.ts); nothing takes virtual time.
import type { Bench } from '../../twin/kernel/bench.ts';
import { formatTime } from '../../twin/kernel/clock.ts';
import type { NetworkStep } from '../../twin/comms/comms.ts';
import { BACKEND_FAULTS } from '../../twin/comms/topup-backend.ts';
import { NodeInputError, parseStep } from './step-parse.ts';

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const NETWORK_ACTIONS = ['change', 'drop', 'topup'] as const;

export interface NetworkNodeSettings {
  /** `change` (the settings below), `drop` (every open connection now), `topup` (a payment of `amount`). */
  action?: string;
  /** `on`, `off` or blank (unchanged). */
  coverage?: string;
  csq?: string | number;
  latency?: string;
  registration?: string;
  attachFailures?: string | number;
  attachFailureRate?: string | number;
  /** `up`, `down` or blank. */
  backend?: string;
  broker?: string;
  /** A backend fault (`lose-success`, `slow`, ...) or blank. */
  fault?: string;
  faultCount?: string | number;
  /** The settings and server states revert after this long of virtual time (`20min`); blank: until changed. */
  duration?: string;
  amount?: string | number;
}

export type NetworkOp =
  | { action: 'change'; change: NetworkStep; text: string }
  | { action: 'topup'; amount: number; text: string };

function numeric(what: string, v: unknown): number | string {
  if (typeof v === 'number') return v;
  const t = String(v).trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) throw new NodeInputError(`${what}: expected a number, got '${String(v)}'`);
  return n;
}

function onOff(what: string, v: string, on: string, off: string): boolean {
  if (v === on) return true;
  if (v === off) return false;
  throw new NodeInputError(`${what}: expected ${on}, ${off} or blank, got '${v}'`);
}

/** The scenario-form step of a node's `change` settings (only what is set). */
function changeStep(s: NetworkNodeSettings): Record<string, unknown> {
  const step: Record<string, unknown> = {};
  if (!blank(s.coverage)) step.coverage = onOff('coverage', String(s.coverage).trim(), 'on', 'off');
  if (!blank(s.csq)) step.csq = numeric('csq', s.csq);
  if (!blank(s.latency)) step.latency = String(s.latency).trim();
  if (!blank(s.registration)) step.registration = String(s.registration).trim();
  if (!blank(s.attachFailures)) step['attach-failures'] = numeric('attachFailures', s.attachFailures);
  if (!blank(s.attachFailureRate)) step['attach-failure-rate'] = numeric('attachFailureRate', s.attachFailureRate);
  if (!blank(s.backend)) step.backend = String(s.backend).trim();
  if (!blank(s.broker)) step.broker = String(s.broker).trim();
  if (!blank(s.fault)) {
    const f = String(s.fault).trim();
    if (!(BACKEND_FAULTS as readonly string[]).includes(f)) throw new NodeInputError(`fault: expected one of ${BACKEND_FAULTS.join(', ')}, got '${f}'`);
    step.fault = f;
  }
  if (!blank(s.faultCount)) step['fault-count'] = numeric('faultCount', s.faultCount);
  if (!blank(s.duration)) step.for = String(s.duration).trim();
  return step;
}

/** True when a `change` node has nothing set (its messages then bring the change in `msg.network`). */
export function changeIsEmpty(s: NetworkNodeSettings): boolean {
  return Object.keys(changeStep(s)).length === 0;
}

/**
 * The operation a node performs: from its settings, or from the message. `network` (an object in the scenario's
 * `network:` step form, `{ coverage: false, for: '20min' }`) replaces a change's settings; `topup` (an amount, or
 * `{ amount }`) replaces a top-up's amount.
 */
export function networkOp(s: NetworkNodeSettings, msg: { network?: unknown; topup?: unknown } = {}): NetworkOp {
  const action = blank(s.action) ? 'change' : String(s.action).trim();
  if (!(NETWORK_ACTIONS as readonly string[]).includes(action)) throw new NodeInputError(`action: expected one of ${NETWORK_ACTIONS.join(', ')}, got '${action}'`);
  if (action === 'topup') {
    const raw = msg.topup !== undefined ? (isRecord(msg.topup) ? msg.topup : { amount: msg.topup }) : { amount: blank(s.amount) ? undefined : numeric('amount', s.amount) };
    if (raw.amount === undefined) throw new NodeInputError('amount: give the amount paid (or send it in msg.topup)');
    if (typeof raw.amount === 'string') raw.amount = numeric('msg.topup', raw.amount);
    const parsed = parseStep({ topup: raw });
    if (parsed.command !== 'topup') throw new Error('unreachable');
    return { action: 'topup', amount: parsed.amount, text: `top-up ${parsed.amount} queued` };
  }
  let step: Record<string, unknown>;
  if (action === 'drop') step = { drop: true };
  else if (msg.network !== undefined) {
    if (!isRecord(msg.network)) throw new NodeInputError('msg.network: expected an object in the scenario\'s network: step form, e.g. {"coverage": false, "for": "20min"}');
    step = msg.network;
  } else step = changeStep(s);
  const parsed = parseStep({ network: step });
  if (parsed.command !== 'network') throw new Error('unreachable');
  return { action: 'change', change: parsed.change, text: changeText(parsed.change) };
}

function changeText(c: NetworkStep): string {
  const parts: string[] = [];
  if (c.drop) parts.push('connections dropped');
  if (c.coverage !== undefined) parts.push(c.coverage ? 'coverage' : 'no coverage');
  if (c.csq !== undefined) parts.push(`CSQ ${c.csq}`);
  if (c.latencyMs !== undefined) parts.push(`${c.latencyMs} ms`);
  if (c.registrationMs !== undefined) parts.push(`registration ${formatTime(c.registrationMs * 1000)}`);
  if (c.attachFailures !== undefined) parts.push(`${c.attachFailures} attach failures`);
  if (c.attachFailureRate !== undefined) parts.push(`attach fails ${c.attachFailureRate * 100} %`);
  if (c.backend !== undefined) parts.push(`backend ${c.backend}`);
  if (c.broker !== undefined) parts.push(`broker ${c.broker}`);
  if (c.fault !== undefined) parts.push(`fault ${c.fault}${c.faultCount !== undefined ? ` x${c.faultCount}` : ''}`);
  if (c.forUs !== undefined) parts.push(`for ${formatTime(c.forUs)}`);
  return parts.join(', ');
}

/** Apply an operation now; a meter without a connected modem is refused. */
export function applyNetwork(bench: Bench, op: NetworkOp): void {
  if (!bench.comms) throw new NodeInputError('meter: its modem is mute (set Modem to connected on the osm-meter)');
  if (op.action === 'topup') bench.comms.topup(op.amount);
  else bench.comms.change(op.change);
}
