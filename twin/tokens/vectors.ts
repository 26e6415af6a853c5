// OpenPAYGO token vector files (docs/tokens.md "Vector files"): validation with the path of a bad field, and
// a run of every scenario under one decoder behaviour with a per-step report.
//
// A scenario's steps are applied in order to one decoder, whose state carries from step to step (as on a meter).
// Under `spec` a step must give `expected`; under `shipped` it must give `firmware_c` where present, else `expected`.
// Unknown fields are ignored so that wider vector sets of the same format load unchanged.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeToken, parseKey, type DecoderBehaviour, type DecodeResult } from './opaygo.ts';
import { editDistance } from '../../models/edit-distance.ts';

export interface VectorExpectation { value: number; count: number; max_count_after: number; used_counts_after: number }
export interface VectorStep {
  token: string;
  note?: string;
  generated?: { value: number; count: number; key: string };
  expected: VectorExpectation;
  firmware_c?: VectorExpectation;
}
export interface VectorScenario {
  name: string;
  description: string;
  secret_key: string;
  starting_code: number;
  restricted_digit_set: boolean;
  initial_state: { max_count: number; used_counts: number };
  firmware_c_diverges: boolean;
  steps: VectorStep[];
}

export interface VectorStepReport {
  scenario: string;
  /** 0-based index into the scenario's `steps`. */
  step: number;
  token: string;
  note?: string;
  /** Which field the expectation came from. */
  source: 'expected' | 'firmware_c';
  expected: VectorExpectation;
  got: VectorExpectation;
  pass: boolean;
}
export interface VectorScenarioSummary { scenario: string; steps: number; passed: number; pass: boolean }
export interface VectorReport {
  behaviour: DecoderBehaviour;
  steps: VectorStepReport[];
  scenarios: VectorScenarioSummary[];
  passed: number;
  failed: number;
  pass: boolean;
}

/** A malformed vectors file; `path` is the JSON path of the bad field, e.g. `[1].steps[3].expected.value`. */
export class VectorsError extends Error {
  readonly path: string;
  constructor(source: string, path: string, problem: string) {
    super(`${source}${path ? ` at ${path}` : ''}: ${problem}`);
    this.name = 'VectorsError';
    this.path = path;
  }
}

/** The largest vectors file read. */
const MAX_VECTORS_BYTES = 64 << 20;

const EXPECTATION_FIELDS = ['value', 'count', 'max_count_after', 'used_counts_after'] as const;
const GENERATED_KEYS = ['device', 'other_key', 'other_starting_code'];
/** Keys of a scenario; `firmware_c_diverges` is a note for readers (which steps carry a firmware_c expectation). */
const SCENARIO_KEYS = ['name', 'description', 'secret_key', 'starting_code', 'restricted_digit_set', 'initial_state', 'steps', 'firmware_c_diverges'];

/** The allowed key nearest to a misspelt one (at most 2 edits), for the message. */
function closestKey(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(word.toLowerCase(), a.toLowerCase());
    if (d < bestD) { bestD = d; best = a; }
  }
  return best;
}


/** Reads and validates a vectors file. Throws VectorsError for a missing file, bad JSON or a bad field. */
export function loadVectorsFile(path: string): VectorScenario[] {
  let text: string;
  try {
    // At most 64 MB, whatever the name is (a FIFO, /dev/zero): the read always ends.
    const fd = openSync(path, 'r');
    try {
      if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      const chunks: Buffer[] = [];
      let total = 0;
      for (let n = 1; n > 0;) {
        const buf = Buffer.alloc(1 << 16);
        n = readSync(fd, buf, 0, buf.length, null);
        chunks.push(buf.subarray(0, n));
        total += n;
        if (total > MAX_VECTORS_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
      }
      text = Buffer.concat(chunks).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VectorsError(path, '', code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'it is a directory'
      : code === 'EFBIG' ? `it is larger than ${MAX_VECTORS_BYTES >> 20} MB`
      : code === 'ELOOP' ? 'too many levels of symbolic links (a link loop?)'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot read file (${code ?? String(err)})`);
  }
  return parseVectors(text, path);
}

/** Parses and validates the text of a vectors file; `source` names it in error messages. */
export function parseVectors(text: string, source = 'vectors'): VectorScenario[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new VectorsError(source, '', `not valid JSON (${(err as Error).message})`);
  }
  return validateVectors(data, source);
}

/** Validates parsed JSON as a list of scenarios and returns it typed, with optional fields defaulted. */
export function validateVectors(data: unknown, source = 'vectors'): VectorScenario[] {
  const fail = (path: string, problem: string): never => { throw new VectorsError(source, path, problem); };
  if (!Array.isArray(data)) fail('', `the top level must be a list of scenarios, got ${kind(data)}`);
  const list = data as unknown[];
  if (list.length === 0) fail('', 'the list of scenarios is empty');

  const int = (o: Record<string, unknown>, key: string, path: string, lo: number, hi: number): number => {
    const v = o[key];
    if (v === undefined) fail(`${path}.${key}`, 'missing');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      fail(`${path}.${key}`, `must be an integer ${lo}..${hi}, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const str = (o: Record<string, unknown>, key: string, path: string, optional = false): string | undefined => {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (v === undefined) fail(`${path}.${key}`, 'missing');
    if (typeof v !== 'string') fail(`${path}.${key}`, `must be a string, got ${kind(v)}`);
    return v as string;
  };
  const bool = (o: Record<string, unknown>, key: string, path: string): boolean => {
    const v = o[key];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') fail(`${path}.${key}`, `must be true or false, got ${JSON.stringify(v)}`);
    return v as boolean;
  };
  /** An object whose keys are all in `allowed` (an unknown key is refused, as in a scenario: a typo must not pass). */
  const obj = (v: unknown, path: string, allowed: readonly string[]): Record<string, unknown> => {
    if (v === undefined) fail(path, 'missing');
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `must be an object, got ${kind(v)}`);
    for (const k of Object.keys(v as object)) {
      if (!allowed.includes(k)) {
        const near = closestKey(k, allowed);
        fail(path, `unknown key ${JSON.stringify(k)}${near ? ` (did you mean "${near}"?)` : ''}; expected ${allowed.join(', ')}`);
      }
    }
    return v as Record<string, unknown>;
  };
  const expectation = (v: unknown, path: string): VectorExpectation => {
    const o = obj(v, path, EXPECTATION_FIELDS);
    return {
      value: int(o, 'value', path, -2, 999),
      count: int(o, 'count', path, 0, 0xffff),
      max_count_after: int(o, 'max_count_after', path, 0, 0xffff),
      used_counts_after: int(o, 'used_counts_after', path, 0, 0xffff),
    };
  };

  const names = new Set<string>();
  return list.map((raw, si): VectorScenario => {
    const p = `[${si}]`;
    const s = obj(raw, p, SCENARIO_KEYS);
    const name = str(s, 'name', p)!;
    if (name.trim() === '') fail(`${p}.name`, 'is empty');
    if (names.has(name)) fail(`${p}.name`, `duplicate scenario name "${name}"`);
    names.add(name);
    const secretKey = str(s, 'secret_key', p)!;
    try { parseKey(secretKey); } catch (err) { fail(`${p}.secret_key`, (err as Error).message); }
    const restricted = bool(s, 'restricted_digit_set', p);
    const init = obj(s['initial_state'], `${p}.initial_state`, ['max_count', 'used_counts']);
    if (!Array.isArray(s['steps'])) fail(`${p}.steps`, s['steps'] === undefined ? 'missing' : `must be a list, got ${kind(s['steps'])}`);
    const rawSteps = s['steps'] as unknown[];
    if (rawSteps.length === 0) fail(`${p}.steps`, 'is empty');
    const steps = rawSteps.map((rs, i): VectorStep => {
      const sp = `${p}.steps[${i}]`;
      const st = obj(rs, sp, ['token', 'expected', 'note', 'generated', 'firmware_c']);
      const token = str(st, 'token', sp)!;
      if (!/^[0-9]+$/.test(token)) fail(`${sp}.token`, `must contain only the digits 0-9, got ${JSON.stringify(token)}`);
      const lengths = restricted ? [15] : [9, 15];
      if (!lengths.includes(token.length)) {
        fail(`${sp}.token`, `must have ${restricted ? '15 digits (restricted_digit_set)' : '9 digits'}, got ${token.length}`);
      }
      const step: VectorStep = { token, expected: expectation(st['expected'], `${sp}.expected`) };
      const note = str(st, 'note', sp, true);
      if (note !== undefined) step.note = note;
      if (st['generated'] !== undefined) {
        const g = obj(st['generated'], `${sp}.generated`, ['value', 'count', 'key']);
        const gk = str(g, 'key', `${sp}.generated`)!;
        if (!GENERATED_KEYS.includes(gk)) fail(`${sp}.generated.key`, `must be one of ${GENERATED_KEYS.join(', ')}, got "${gk}"`);
        step.generated = { value: int(g, 'value', `${sp}.generated`, 0, 999), count: int(g, 'count', `${sp}.generated`, 0, 0xffff), key: gk };
      }
      if (st['firmware_c'] !== undefined) step.firmware_c = expectation(st['firmware_c'], `${sp}.firmware_c`);
      return step;
    });
    return {
      name,
      description: str(s, 'description', p, true) ?? '',
      secret_key: secretKey,
      starting_code: int(s, 'starting_code', p, 0, 999_999_999),
      restricted_digit_set: restricted,
      initial_state: {
        max_count: int(init, 'max_count', `${p}.initial_state`, 0, 0xffff),
        used_counts: int(init, 'used_counts', `${p}.initial_state`, 0, 0xffff),
      },
      firmware_c_diverges: bool(s, 'firmware_c_diverges', p),
      steps,
    };
  });
}

/** Runs every scenario under `behaviour` and reports each step. */
export function runVectors(scenarios: readonly VectorScenario[], behaviour: DecoderBehaviour): VectorReport {
  if (behaviour !== 'spec' && behaviour !== 'shipped') {
    throw new Error(`behaviour must be "spec" or "shipped", got ${JSON.stringify(behaviour)}`);
  }
  const steps: VectorStepReport[] = [];
  const summaries: VectorScenarioSummary[] = [];
  for (const sc of scenarios) {
    let state = { maxCount: sc.initial_state.max_count, usedCounts: sc.initial_state.used_counts };
    let passed = 0;
    sc.steps.forEach((st, i) => {
      const useC = behaviour === 'shipped' && st.firmware_c !== undefined;
      const expected = useC ? st.firmware_c! : st.expected;
      let r: DecodeResult;
      try {
        r = decodeToken(st.token, state, {
          key: sc.secret_key, startingCode: sc.starting_code, behaviour, restricted: sc.restricted_digit_set,
        });
      } catch (err) {
        throw new VectorsError(`scenario "${sc.name}"`, `steps[${i}].token`, (err as Error).message);
      }
      const got: VectorExpectation = {
        value: r.value, count: r.count, max_count_after: r.maxCountAfter, used_counts_after: r.usedCountsAfter,
      };
      const pass = EXPECTATION_FIELDS.every((f) => got[f] === expected[f]);
      if (pass) passed++;
      const rep: VectorStepReport = { scenario: sc.name, step: i, token: st.token, source: useC ? 'firmware_c' : 'expected', expected, got, pass };
      if (st.note !== undefined) rep.note = st.note;
      steps.push(rep);
      state = { maxCount: r.maxCountAfter, usedCounts: r.usedCountsAfter };
    });
    summaries.push({ scenario: sc.name, steps: sc.steps.length, passed, pass: passed === sc.steps.length });
  }
  const passed = steps.filter((s) => s.pass).length;
  return { behaviour, steps, scenarios: summaries, passed, failed: steps.length - passed, pass: passed === steps.length };
}

/** One line describing a step's mismatch, e.g. for a CLI or a test failure message. */
export function describeMismatch(s: VectorStepReport): string {
  const fmt = (e: VectorExpectation): string =>
    `value ${e.value}, count ${e.count}, max_count_after ${e.max_count_after}, used_counts_after ${e.used_counts_after}`;
  return `scenario "${s.scenario}" step ${s.step} (token ${s.token}): expected (${s.source}) ${fmt(s.expected)}; got ${fmt(s.got)}`;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
