// The scenario language's communications part: the top-level `network:` section and the `network:` and `topup:`
// steps (docs/communications.md). Kept apart from loader.ts, which calls these with its reader.
//
//   network:                          # present: the SIM800 answers; absent: the modem is mute (no coverage)
//     coverage: true                  # radio coverage
//     csq: 18                         # signal quality 0..31 (registration needs 5 or more)
//     latency: 250ms                  # one-way, modem to server
//     registration: 4s                # radio up to registered
//     attach-failures: 0              # the next N GPRS attaches fail
//     attach-failure-rate: 0          # each attach fails with this probability (seeded)
//     backend: { state: up, fault: none, fault-count: 1, pending: 0, tariff: 70, api-key: tPmAT5Ab3j7F9 }
//     broker: { state: up }
//
//   steps:
//     - network: { coverage: false, for: 10min }     # any setting above, plus drop, backend, broker, fault
//     - network: { broker: down }
//     - network: { fault: lose-success, fault-count: 1 }
//     - network: { drop: true }                       # the network drops every open connection now
//     - topup: { amount: 500 }                        # a customer pays: 500 pending for MT100 (also `topup: 500`)
import { isMap } from 'yaml';
import type { NetworkSetup, NetworkStep } from '../twin/comms/comms.ts';
import { BACKEND_FAULTS, type BackendFault } from '../twin/comms/backend-faults.ts';
import type { SourcePos } from './schema.ts';

/** The loader's view of one `key: value` (loader.ts `Entry`). */
export interface SyntaxEntry { key: string; keyNode: unknown; node: unknown; path: string }

/** The reader methods of loader.ts these functions use. */
export interface SyntaxReader {
  entries(node: unknown, where: string, allowed: readonly string[], pathPrefix: string): Map<string, SyntaxEntry>;
  at(e: SyntaxEntry): unknown;
  num(e: SyntaxEntry, o?: { min?: number; max?: number; above?: number; integer?: boolean }): number;
  bool(e: SyntaxEntry): boolean;
  str(e: SyntaxEntry, opts?: { nonEmpty?: boolean }): string;
  oneOf<T extends string>(e: SyntaxEntry, values: readonly T[]): T;
  duration(e: SyntaxEntry, opts?: { positive?: boolean }): { us: number; text: string };
  scalarValue(e: SyntaxEntry): unknown;
  fail(at: unknown, detail: string): never;
}

const NETWORK_KEYS = ['coverage', 'csq', 'latency', 'registration', 'attach-failures', 'attach-failure-rate', 'backend', 'broker'] as const;
const BACKEND_KEYS = ['state', 'fault', 'fault-count', 'pending', 'tariff', 'api-key'] as const;
const BROKER_KEYS = ['state'] as const;
const NETWORK_STEP_KEYS = ['coverage', 'csq', 'latency', 'registration', 'attach-failures', 'attach-failure-rate', 'drop', 'backend', 'broker', 'fault', 'fault-count', 'for'] as const;
const SERVER_STATES = ['up', 'down'] as const;
const TOPUP_KEYS = ['amount'] as const;

/** The settings the section and the step share. */
function radio(r: SyntaxReader, m: Map<string, SyntaxEntry>): NetworkStep {
  const out: NetworkStep = {};
  const c = m.get('coverage');
  if (c) out.coverage = r.bool(c);
  const q = m.get('csq');
  if (q) out.csq = r.num(q, { min: 0, max: 31, integer: true });
  const l = m.get('latency');
  if (l) out.latencyMs = latencyMs(r, l);
  const g = m.get('registration');
  if (g) out.registrationMs = r.duration(g).us / 1000;
  const a = m.get('attach-failures');
  if (a) out.attachFailures = r.num(a, { min: 0, max: 1_000_000, integer: true });
  const ar = m.get('attach-failure-rate');
  if (ar) out.attachFailureRate = r.num(ar, { min: 0, max: 1 });
  return out;
}

function latencyMs(r: SyntaxReader, e: SyntaxEntry): number {
  const d = r.duration(e);
  if (d.us > 60e6) r.fail(r.at(e), `${e.path}: latency ${d.text} is out of range (at most 60s)`);
  return d.us / 1000;
}

/** The top-level `network:` section. */
export function readNetworkSection(r: SyntaxReader, e: SyntaxEntry): NetworkSetup {
  const node = r.at(e);
  const scalar = r.scalarValue(e);
  if (scalar === null) return {}; // `network:` alone: every default
  const m = r.entries(node, 'network', NETWORK_KEYS, 'network');
  const net = radio(r, m);
  const setup: NetworkSetup = {};
  if (Object.keys(net).length) setup.network = net;
  const b = m.get('backend');
  if (b) {
    const bm = r.entries(r.at(b), 'network.backend', BACKEND_KEYS, 'network.backend');
    const backend: NonNullable<NetworkSetup['backend']> = {};
    const s = bm.get('state');
    if (s) backend.state = r.oneOf(s, SERVER_STATES);
    const f = bm.get('fault');
    if (f) backend.fault = r.oneOf(f, BACKEND_FAULTS) as BackendFault;
    const fc = bm.get('fault-count');
    if (fc) {
      if (!f) r.fail(fc.keyNode, 'network.backend.fault-count: give a fault with it (fault: lose-success)');
      backend.faultCount = r.num(fc, { min: 1, max: 1_000_000, integer: true });
    }
    const p = bm.get('pending');
    if (p) backend.pending = r.num(p, { min: 0, max: 1e9 });
    const t = bm.get('tariff');
    if (t) backend.tariff = r.num(t, { min: 0, max: 4294967295, integer: true });
    const k = bm.get('api-key');
    if (k) backend.apiKey = r.str(k);
    setup.backend = backend;
  }
  const k = m.get('broker');
  if (k) {
    const km = r.entries(r.at(k), 'network.broker', BROKER_KEYS, 'network.broker');
    const s = km.get('state');
    setup.broker = s ? { state: r.oneOf(s, SERVER_STATES) } : {};
  }
  return setup;
}

/** A `network:` step. */
export function readNetworkStep(r: SyntaxReader, e: SyntaxEntry): { change: NetworkStep; forText?: string } {
  const m = r.entries(r.at(e), 'network', NETWORK_STEP_KEYS, 'network');
  const change = radio(r, m);
  const d = m.get('drop');
  if (d) change.drop = r.bool(d);
  const b = m.get('backend');
  if (b) change.backend = r.oneOf(b, SERVER_STATES);
  const k = m.get('broker');
  if (k) change.broker = r.oneOf(k, SERVER_STATES);
  const f = m.get('fault');
  if (f) change.fault = r.oneOf(f, BACKEND_FAULTS) as BackendFault;
  const fc = m.get('fault-count');
  if (fc) {
    if (!f) r.fail(fc.keyNode, 'network.fault-count: give a fault with it (fault: lose-success)');
    change.faultCount = r.num(fc, { min: 1, max: 1_000_000, integer: true });
  }
  if (Object.keys(change).length === 0) {
    r.fail(r.at(e), `network: nothing to change (give ${NETWORK_STEP_KEYS.filter((x) => x !== 'for' && x !== 'fault-count').join(', ')})`);
  }
  const fo = m.get('for');
  let forText: string | undefined;
  if (fo) {
    if (change.drop || change.fault) r.fail(fo.keyNode, 'network.for: reverts settings and server states; drop and fault are not reverted (remove for, or split the step)');
    const t = r.duration(fo, { positive: true });
    change.forUs = t.us;
    forText = t.text;
  }
  return { change, ...(forText !== undefined ? { forText } : {}) };
}

/** A `topup:` step: `topup: 500` or `topup: { amount: 500 }`. */
export function readTopupStep(r: SyntaxReader, e: SyntaxEntry): number {
  if (isMap(e.node)) {
    const m = r.entries(e.node, 'topup', TOPUP_KEYS, 'topup');
    const a = m.get('amount');
    if (!a) r.fail(e.node, 'missing required key \'amount\' in topup (e.g. topup: { amount: 500 })');
    return r.num(a, { above: 0, max: 1e9 });
  }
  return r.num(e, { above: 0, max: 1e9 });
}

/** Refusal of a communications step in a scenario without a `network:` section. */
export function needsNetwork(command: string): string {
  return `${command}: this scenario has no network: section, so the modem is mute (add 'network:' at the top level to connect the SIM800 and the servers)`;
}

export type { SourcePos };
