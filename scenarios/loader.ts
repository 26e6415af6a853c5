// Scenario loader: YAML text -> typed `Scenario` (schema.ts), validated by hand so that every problem is reported as
// one line `file:line:col: message` saying what was expected. The first problem found stops the load.
import { dirname, resolve } from 'node:path';
import {
  LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument,
  type Document, type Node, type Scalar, type YAMLMap,
} from 'yaml';
import { InputFileError, readInputFile } from '../io/input-file.ts';
import { parseDuration } from '../twin/kernel/clock.ts';
import type { GridChange, LoadSpec } from '../twin/kernel/stimuli.ts';
import { KEY_NAMES, type KeyName } from '../twin/meter.ts';
import {
  CT_RATIO, GRID_HZ, GRID_VRMS, LOAD_AMPS, LOAD_RATED_VOLTS, MAX_DURATION_DAYS, MAX_DURATION_US, PHASE_DEG,
  formatValue, maxWattsAt, outOfRange, type Limit,
} from '../models/installation.ts';
import { DEFAULT_PF, checkSpec } from '../models/loads/load.ts';
import { DEFECT_IDS, isDefectId } from '../twin/profiles/defects.ts';
import {
  BOOT_MODES, PROFILE_NAMES, ProfileError, resolveFirmware,
  type BootMode, type FirmwareSelection, type ProfileName,
} from '../twin/profiles/profile.ts';
import {
  COVER_STATES, METER_SUPPLIES, RELAY_POSITIONS, DEFAULT_CLOCK, DEFAULT_GRID, DEFAULT_PROFILE, EEPROM_IMAGES, FIDELITIES, LOAD_KINDS, OBSERVABLE_NAMES,
  RTC_STATES, SCENARIO_TARGETS, STEP_COMMANDS, TELEMETRY_PREFIX, observableInfo, twinOnlyChecks,
  type ScenarioTarget,
  type Check, type GridSection, type HarmonicSpec, type LocalDateTime, type Matcher, type MeterSection,
  type PlantSection, type Scenario, type SourcePos, type Step, type StepCommand,
} from './schema.ts';
import { closest, expectedOneOf, suggestion } from './suggest.ts';
import { STREAM_THRESHOLD_CHARS, splitSteps, type StepGroups } from './step-groups.ts';
import { PackedSteps } from './packed-steps.ts';
import { needsNetwork, readNetworkSection, readNetworkStep, readTopupStep } from './comms-syntax.ts';
import { plural } from '../io/plural.ts';

/** A problem with a scenario file, located at `file:line:col` (line and col are 0 when there is no position). */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message without its location. */
  readonly detail: string;

  constructor(file: string, pos: SourcePos | undefined, detail: string) {
    super(pos ? `${file}:${pos.line}:${pos.col}: ${detail}` : `${file}: ${detail}`);
    this.file = file;
    this.line = pos?.line ?? 0;
    this.col = pos?.col ?? 0;
    this.detail = detail;
  }
}

/** The largest scenario file read (a generated one of a year of steps is a few tens of MB). */
export const MAX_SCENARIO_BYTES = 256 << 20;

/** What a long load reports: the characters read so far of all, and the steps read (large scenarios only). */
export interface LoadOptions {
  onProgress?: (read: number, total: number, steps: number) => void;
  /** Text length above which the steps are read in groups (default STREAM_THRESHOLD_CHARS), and steps per group. */
  streamAboveChars?: number;
  /**
   * Keep the steps of a scenario read in groups packed (`Scenario.packed`, `steps` left empty) instead of as objects,
   * so memory does not grow with the step count: for a caller that only runs the scenario (`osm run`); the runner
   * takes either form.
   */
  packSteps?: boolean;
  groupSteps?: number;
}

/** Read and validate a scenario file. `file` is used as written in every message. */
export async function loadScenario(file: string, opts: LoadOptions = {}): Promise<Scenario> {
  let text: string;
  try {
    // Whatever the name is (a FIFO, /dev/zero), the read ends: at most MAX_SCENARIO_BYTES.
    text = readInputFile(file, MAX_SCENARIO_BYTES).toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw new ScenarioError(file, undefined, `cannot read the scenario: ${err.reason}`);
    throw err;
  }
  return parseScenario(text, file, opts);
}

/**
 * Validate scenario text; `file` names it in messages. A large one (over 1 MB) has its steps parsed a group at a
 * time (step-groups.ts): the same checks, the same messages at the same file:line:col, in bounded memory.
 */
export function parseScenario(text: string, file: string, opts: LoadOptions = {}): Scenario {
  const split = text.length > (opts.streamAboveChars ?? STREAM_THRESHOLD_CHARS) ? splitSteps(text, opts.groupSteps) : null;
  if (split) {
    const lc = new LineCounter();
    const doc = parseDocument(split.head, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
    const groups: StepGroups = { ...split.steps, ...(opts.onProgress ? { onProgress: (read, steps) => opts.onProgress!(read, text.length, steps) } : {}) };
    const r = new Reader(file, lc, doc, split.head, groups, opts.packSteps === true);
    const err = doc.errors[0];
    if (err) r.fail(r.posAt(err.pos[0]), `YAML syntax error: ${yamlMessage(err, split.head)}`);
    return r.scenario();
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(file, lc, doc, text);
  const err = doc.errors[0];
  if (err) r.fail(r.posAt(err.pos[0]), `YAML syntax error: ${yamlMessage(err, text)}`);
  return r.scenario();
}

/** What a newcomer calls an observable, by the quantity's usual name or unit: the name the language gives it. */
const OBSERVABLE_SYNONYMS: Record<string, string> = {
  watts: 'power', w: 'power', 'active-power': 'power', activepower: 'power', p: 'power',
  volts: 'voltage', v: 'voltage', vrms: 'voltage', urms: 'voltage',
  amps: 'current', a: 'current', irms: 'current', i: 'current',
  frequency: 'freq', hz: 'freq', kwh: 'energy', 'power-factor': 'pf', powerfactor: 'pf',
  display: 'lcd', screen: 'lcd', balance: 'credit', contactor: 'relay',
};

function yamlMessage(err: { code: string; message: string; pos: [number, number] }, text: string): string {
  const rest = text.slice(err.pos[0]).split('\n')[0];
  if (err.code === 'DUPLICATE_KEY') {
    // the parser's "Map keys must be unique" names no key: say which one
    const key = /^("[^"]*"|'[^']*'|[^:,{}[\]#]+?)\s*:/.exec(rest)?.[1];
    if (key) return `the key ${/^["']/.test(key) ? key : `'${key}'`} is given twice in the same mapping (give each key once)`;
  }
  const lineStart = text.lastIndexOf('\n', err.pos[0] - 1) + 1;
  const before = text.slice(lineStart, err.pos[0]);
  if (err.code === 'BLOCK_AS_IMPLICIT_KEY' && /:\s/.test(rest) && /^\s*(?:-\s+)?[^\s#:-][^#:]*:\s+$/.test(before)) {
    // `name: field report: meter froze` (a text to quote), `expect: relay: closed` (a mapping to brace)
    const value = rest.replace(/\s+#.*$/, '').trim();
    return `a second ': ' on this line: a value that is a mapping goes in braces ({ ${value} }), a text with ': ' ` +
      `in quotes ("${value.replace(/["\\]/g, '\\$&')}")`;
  }
  const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return first.replace(/; please use YAML\.parseAllDocuments\(\)/, ' (a scenario is one YAML document: remove the extra ---)');
}

/** One `key: value` of a mapping, with where it came from. */
interface Entry {
  key: string;
  keyNode: Node;
  /** The value node (aliases resolved), or null when the key has no value. */
  node: Node | null;
  /** Dotted path for messages: `meter.credit`, `set-load.watts`. */
  path: string;
}

const TOP_KEYS = ['name', 'version', 'description', 'meter', 'plant', 'network', 'targets', 'steps'] as const;
const METER_KEYS = ['firmware', 'mode', 'eeprom', 'eeprom-file', 'credit', 'credit-over-eeprom', 'clock', 'rtc', 'cover', 'relay', 'supply', 'ctRatio'] as const;
/** AT24C32: 32 kbit (models/eeprom/at24c32.ts). */
const EEPROM_BYTES = 4096;
const FIRMWARE_KEYS = ['profile', 'mode', 'fix', 'defects'] as const;
const PLANT_KEYS = ['grid', 'fidelity', 'loads'] as const;
const GRID_SECTION_KEYS = ['vrms', 'hz', 'harmonics'] as const;
const GRID_STEP_KEYS = ['vrms', 'hz', 'phase', 'outage', 'harmonics', 'for'] as const;
const HARMONIC_KEYS = ['order', 'percent', 'phase'] as const;
const LOAD_KEYS = ['id', 'kind', 'watts', 'amps', 'pf', 'ratedVolts', 'remove'] as const;
const PRESS_KEYS_KEYS = ['keys', 'hold', 'gap'] as const;
const DURATION_UNITS = 'us, ms, s, min, h, d';
const REGEX_FLAGS = 'imsu';

interface NumOpts {
  min?: number; max?: number; above?: number; integer?: boolean;
  /** A physical range of the installation (models/installation.ts), checked after the others, with its reason. */
  limit?: Readonly<Limit>;
  unit?: string;
}

class Reader {
  readonly #file: string;
  #lc: LineCounter;
  #doc: Document;
  #text: string;
  /** Lines before the text `#doc` was parsed from (a group of steps of a streamed scenario starts at this line). */
  #lineOffset = 0;
  /** A large scenario's steps, read group by group (parseStreamed); the document's `steps` is then empty. */
  #streamed: StepGroups | undefined;
  /** Keep a streamed scenario's steps packed (LoadOptions.packSteps). */
  #pack: boolean;
  /** The supply voltage as the steps so far leave it (undefined while a `grid: { ..., for }` change may revert). */
  #vrms: number | undefined = DEFAULT_GRID.vrms;

  constructor(file: string, lc: LineCounter, doc: Document, text: string, streamed?: StepGroups, pack = false) {
    this.#file = file;
    this.#pack = pack;
    this.#lc = lc;
    this.#doc = doc;
    this.#text = text;
    this.#streamed = streamed;
  }

  posAt(offset: number): SourcePos {
    const p = this.#lc.linePos(offset);
    return { line: p.line + this.#lineOffset, col: p.col };
  }

  pos(node: Node | null | undefined): SourcePos {
    return this.posAt(node?.range?.[0] ?? 0);
  }

  fail(at: Node | SourcePos | null | undefined, detail: string): never {
    const pos = at && 'line' in at ? at : this.pos(at as Node | null | undefined);
    throw new ScenarioError(this.#file, pos, detail);
  }

  /** Where to point for a value: the value itself, or the key when the value is missing. */
  at(e: Entry): Node {
    if (e.node === null || (isScalar(e.node) && e.node.value === null)) return e.keyNode;
    return e.node;
  }

  deref(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.#doc) as Node | undefined;
      if (target === undefined) {
        this.fail(node, `YAML error: the alias '*${node.source}' refers to no anchor (define '&${node.source}' before it)`);
      }
      return target;
    }
    return node as Node;
  }

  // --- mappings -----------------------------------------------------------------------------------------------

  /** The entries of a mapping, refusing keys outside `allowed`. */
  entries(node: Node, where: string, allowed: readonly string[], pathPrefix: string): Map<string, Entry> {
    if (!isMap(node)) this.fail(node, `${where}: expected a mapping, got ${describe(node)}`);
    const out = new Map<string, Entry>();
    for (const pair of (node as YAMLMap).items) {
      const keyNode = this.deref(pair.key);
      if (!keyNode || !isScalar(keyNode) || typeof keyNode.value !== 'string') {
        // `{ credit: 5,000 }`: the comma ends the value and 000 becomes a key
        const start = keyNode?.range?.[0];
        const split = keyNode && isScalar(keyNode) && typeof keyNode.value === 'number' && start !== undefined && /\d,\s*$/.test(this.#text.slice(Math.max(0, start - 2), start))
          ? ' (a comma inside a number ends the value: write 5000, not 5,000)' : '';
        this.fail(keyNode ?? node, `${where}: keys must be plain names, got ${describe(keyNode)}${split}`);
      }
      const key = (keyNode as Scalar).value as string;
      if (!allowed.includes(key)) {
        const knob = where === 'meter' && (key === 'fix' || key === 'defects' || key === 'profile')
          ? ` (${key} belongs to the firmware: firmware: { profile: field, ${key === 'profile' ? 'fix: [D22]' : `${key}: [D22]`} })` : '';
        this.fail(keyNode, `unknown key '${key}' in ${where}${knob || expectedOneOf(key, allowed)}`);
      }
      out.set(key, { key, keyNode, node: this.deref(pair.value), path: pathPrefix ? `${pathPrefix}.${key}` : key });
    }
    return out;
  }

  require(map: Map<string, Entry>, key: string, mapNode: Node, where: string, hint = ''): Entry {
    const e = map.get(key);
    if (!e) this.fail(mapNode, `missing required key '${key}' in ${where}${hint}`);
    return e;
  }

  // --- scalars ------------------------------------------------------------------------------------------------

  scalarValue(e: Entry): unknown {
    return e.node && isScalar(e.node) ? e.node.value : e.node === null ? null : undefined;
  }

  str(e: Entry, opts: { nonEmpty?: boolean } = {}): string {
    const v = this.scalarValue(e);
    if (typeof v !== 'string') this.fail(this.at(e), `${e.path}: expected a string, got ${describe(e.node)}`);
    if (opts.nonEmpty && v.trim() === '') this.fail(this.at(e), `${e.path}: must not be empty`);
    return v;
  }

  num(e: Entry, o: NumOpts = {}): number {
    const v = this.scalarValue(e);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(this.at(e), `${e.path}: expected ${o.integer ? 'a whole number' : 'a number'}, got ${describe(e.node)}`);
    }
    const range = rangeText(o);
    if (o.integer && !Number.isInteger(v)) this.fail(this.at(e), `${e.path}: expected a whole number${range}, got ${v}`);
    if ((o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max) || (o.above !== undefined && v <= o.above)) {
      this.fail(this.at(e), `${e.path}: ${formatValue(v)} is out of range (expected${range || ' a valid value'})`);
    }
    if (o.limit) {
      const why = outOfRange(v, o.limit, o.unit ?? '');
      if (why) this.fail(this.at(e), `${e.path}: ${why}`);
    }
    return v;
  }

  bool(e: Entry): boolean {
    const v = this.scalarValue(e);
    if (typeof v !== 'boolean') this.fail(this.at(e), `${e.path}: expected true or false, got ${describe(e.node)}`);
    return v;
  }

  oneOf<T extends string>(e: Entry, values: readonly T[]): T {
    const v = this.scalarValue(e);
    if (typeof v !== 'string') {
      this.fail(this.at(e), `${e.path}: expected one of ${values.join(', ')}, got ${describe(e.node)}`);
    }
    if (!(values as readonly string[]).includes(v)) {
      this.fail(this.at(e), `${e.path}: unknown value '${v}'${expectedOneOf(v, values)}`);
    }
    return v as T;
  }

  /** A duration with a unit, in microseconds. */
  duration(e: Entry, opts: { positive?: boolean } = {}): { us: number; text: string } {
    const v = this.scalarValue(e);
    const where = this.at(e);
    if (typeof v === 'number') {
      if (v < 0) this.fail(where, `${e.path}: duration '${v}' must not be negative`);
      this.fail(where, `${e.path}: duration '${v}' needs a unit (${DURATION_UNITS})`);
    }
    if (typeof v !== 'string') {
      this.fail(where, `${e.path}: expected a duration with a unit (e.g. 500ms, 2s, 10min), got ${describe(e.node)}`);
    }
    const us = parseDuration(v);
    if (us === null) {
      if (/^\s*-/.test(v)) this.fail(where, `${e.path}: duration '${v}' must not be negative`);
      if (/^\s*\d+(\.\d+)?\s*$/.test(v)) this.fail(where, `${e.path}: duration '${v}' needs a unit (${DURATION_UNITS})`);
      const m = /^\s*\d+(?:\.\d+)?\s*([A-Za-zµ]+)\s*$/.exec(v);
      if (m) {
        const units = ['us', 'ms', 's', 'min', 'h', 'd'];
        const hint = m[1] === 'm' ? '; did you mean \'min\'?' : closest(m[1], units) ? `; did you mean '${closest(m[1], units)}'?` : '';
        this.fail(where, `${e.path}: unknown unit '${m[1]}' in duration '${v}' (use ${DURATION_UNITS}${hint})`);
      }
      this.fail(where, `${e.path}: invalid duration '${v}' (expected a number with a unit, e.g. 500ms, 2s, 10min)`);
    }
    if (opts.positive && us <= 0) this.fail(where, `${e.path}: duration '${v}' must be longer than 0`);
    if (us > MAX_DURATION_US) {
      this.fail(where, `${e.path}: duration '${v}' is too long: at most ${MAX_DURATION_DAYS}d (274 years; the virtual clock counts microseconds)`);
    }
    return { us, text: v.trim() };
  }

  list(e: Entry): Node[] {
    if (!e.node || !isSeq(e.node)) this.fail(this.at(e), `${e.path}: expected a list, got ${describe(e.node)}`);
    return e.node.items.map((it) => this.deref(it) ?? e.node!);
  }

  item(parent: Entry, node: Node, i: number): Entry {
    return { key: String(i), keyNode: node, node: isScalar(node) && node.value === null ? null : node, path: `${parent.path}[${i}]` };
  }

  // --- the scenario -------------------------------------------------------------------------------------------

  scenario(): Scenario {
    const root = this.deref(this.#doc.contents);
    if (root === null || (isScalar(root) && root.value === null)) {
      this.fail({ line: 1, col: 1 }, 'the scenario is empty (expected a mapping with name, version, meter, plant and steps)');
    }
    if (!isMap(root)) {
      this.fail(root, `expected a mapping with name, version, meter, plant and steps at the top level, got ${describe(root)}`);
    }
    const top = this.entries(root, 'the scenario', TOP_KEYS, '');
    const versionE = this.require(top, 'version', root, 'the scenario', ' (add \'version: 1\')');
    const version = this.scalarValue(versionE);
    if (version !== 1) {
      if (typeof version === 'number') this.fail(this.at(versionE), `unsupported version ${version} (this osm reads version 1)`);
      this.fail(this.at(versionE), `version: expected 1, got ${describe(versionE.node)}`);
    }
    const name = this.str(this.require(top, 'name', root, 'the scenario'), { nonEmpty: true });
    const descE = top.get('description');
    const description = descE ? this.str(descE) : undefined;
    const meter = this.meter(top.get('meter'));
    const plant = this.plant(top.get('plant'));
    const networkE = top.get('network');
    const network = networkE ? readNetworkSection(this, networkE) : undefined;
    const stepsE = this.require(top, 'steps', root, 'the scenario');
    const read = this.#streamed ? this.streamedSteps(this.#streamed, plant, this.#pack) : this.steps(stepsE, plant);
    const all: Iterable<Step> = read;
    if (!network) {
      for (const s of all) if (s.command === 'network' || s.command === 'topup') this.fail(s.pos, needsNetwork(s.command));
    }
    const targetsE = top.get('targets');
    const targets = targetsE ? this.targets(targetsE, all, network !== undefined) : undefined;
    return {
      file: this.#file, name, version: 1, ...(description !== undefined ? { description } : {}), meter, plant,
      ...(network ? { network } : {}), ...(targets ? { targets } : {}),
      ...(read instanceof PackedSteps ? { steps: [], packed: read } : { steps: read }),
    };
  }

  /** `targets: [twin, rig]`; a scenario that names rig may assert only what a rig observes. */
  targets(e: Entry, steps: Iterable<Step>, hasNetwork: boolean): ScenarioTarget[] {
    const node = this.at(e);
    if (!isSeq(node) || node.items.length === 0) this.fail(node, `targets: expected a list such as [twin, rig], got ${describe(node)}`);
    const out: ScenarioTarget[] = [];
    for (const item of node.items) {
      const v = isScalar(item) ? item.value : undefined;
      if (typeof v !== 'string' || !(SCENARIO_TARGETS as readonly string[]).includes(v)) {
        this.fail(item as Node, `targets: unknown target ${describe(item as Node)} (targets: ${SCENARIO_TARGETS.join(', ')})`);
      }
      if (!out.includes(v as ScenarioTarget)) out.push(v as ScenarioTarget);
    }
    if (out.includes('rig')) {
      const bad = twinOnlyChecks(steps);
      if (bad.length) {
        this.fail(bad[0].pos, `targets names rig, but these expectations only the twin can observe: ${bad.map((b) => `${b.observable} (line ${b.pos.line})`).join(', ')}`);
      }
      if (hasNetwork) this.fail(node, 'targets names rig, but the scenario has a network: section (the rig\'s modem line is not wired to the SIM800 model)');
    }
    return out;
  }

  // --- meter: -------------------------------------------------------------------------------------------------

  meter(e: Entry | undefined): MeterSection {
    const m = e ? this.entries(this.at(e), 'meter', METER_KEYS, 'meter') : new Map<string, Entry>();
    const sel: { profile: ProfileName; mode?: BootMode; fix: string[]; defects: string[] } = {
      profile: DEFAULT_PROFILE, fix: [], defects: [],
    };
    let modeFrom: Entry | undefined;
    const fw = m.get('firmware');
    if (fw) {
      if (fw.node && isMap(fw.node)) {
        const f = this.entries(fw.node, 'meter.firmware', FIRMWARE_KEYS, 'meter.firmware');
        sel.profile = this.profile(this.require(f, 'profile', fw.node, 'meter.firmware', ' (e.g. profile: field)'));
        const fm = f.get('mode');
        if (fm) { sel.mode = this.oneOf(fm, BOOT_MODES); modeFrom = fm; }
        for (const k of ['fix', 'defects'] as const) {
          const le = f.get(k);
          if (!le) continue;
          this.list(le).forEach((node, i) => {
            const ie = this.item(le, node, i);
            const v = this.scalarValue(ie);
            if (typeof v !== 'string') this.fail(this.at(ie), `${ie.path}: expected a defect knob like D11, got ${describe(ie.node)}`);
            if (!isDefectId(v)) {
              const near = closest(v.toUpperCase(), DEFECT_IDS);
              this.fail(this.at(ie), `unknown defect knob '${v}' (expected D1..D48${near && near === v.toUpperCase() ? `; did you mean '${near}'?` : ''})`);
            }
            const other = k === 'fix' ? sel.defects : sel.fix;
            if (other.includes(v)) this.fail(this.at(ie), `${v} is listed in both fix and defects (give each knob once)`);
            sel[k].push(v);
          });
        }
      } else {
        sel.profile = this.profile(fw);
      }
    }
    const me = m.get('mode');
    if (me) {
      const mode = this.oneOf(me, BOOT_MODES);
      if (sel.mode !== undefined && sel.mode !== mode) {
        this.fail(this.at(me), `meter.mode '${mode}' contradicts firmware.mode '${sel.mode}' at line ${this.pos(modeFrom!.node).line} (give the mode once)`);
      }
      sel.mode = mode;
    }
    const selection: FirmwareSelection = {
      profile: sel.profile,
      ...(sel.mode !== undefined ? { mode: sel.mode } : {}),
      ...(sel.fix.length ? { fix: sel.fix } : {}),
      ...(sel.defects.length ? { defects: sel.defects } : {}),
    };
    let build;
    try {
      build = resolveFirmware(selection);
    } catch (err) {
      if (err instanceof ProfileError) this.fail(fw ? this.at(fw) : e ? this.at(e) : null, `meter.firmware: ${err.message}`);
      throw err;
    }
    const ee = m.get('eeprom');
    const ef = m.get('eeprom-file');
    if (ee && ef) this.fail(ef.keyNode, 'meter: give either eeprom or eeprom-file, not both');
    const image = ef ? this.eepromFile(ef) : undefined;
    const ce = m.get('credit');
    const cw = m.get('credit-over-eeprom');
    const creditOverEeprom = cw ? this.bool(cw) : undefined;
    if (cw && !ce) this.fail(cw.keyNode, `${cw.path}: says which credit wins over an --eeprom dump, but the scenario gives no meter.credit (add one, or remove this key)`);
    const ke = m.get('clock');
    const re = m.get('rtc');
    const co = m.get('cover');
    const su = m.get('supply');
    const rl = m.get('relay');
    const ct = m.get('ctRatio');
    return {
      firmware: selection,
      ...(fw ? {} : { firmwareDefault: true as const }),
      build,
      eeprom: ee ? this.oneOf(ee, EEPROM_IMAGES) : 'virgin',
      ...(image ? { eepromFile: image.path, eepromImage: image.bytes } : {}),
      ...(ce ? { credit: this.num(ce, { integer: true, min: 0, max: 4294967295 }) } : {}),
      ...(creditOverEeprom !== undefined ? { creditOverEeprom } : {}),
      clock: ke ? this.clock(ke) : parseLocal(DEFAULT_CLOCK)!,
      rtc: re ? this.oneOf(re, RTC_STATES) : 'running',
      cover: co ? this.oneOf(co, COVER_STATES) : 'closed',
      supply: su ? this.oneOf(su, METER_SUPPLIES) : 'mains',
      relay: rl ? this.oneOf(rl, RELAY_POSITIONS) : 'open',
      ...(ct ? { ctRatio: this.num(ct, { above: 0, limit: CT_RATIO }) } : {}),
    };
  }

  /** `meter.eeprom-file`: a dump of exactly 4096 bytes, relative to the scenario file. */
  eepromFile(e: Entry): { path: string; bytes: Uint8Array } {
    const path = this.str(e, { nonEmpty: true });
    const full = resolve(dirname(this.#file), path);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readInputFile(full, 1 << 20));
    } catch (err) {
      const why = err instanceof InputFileError ? err.reason : (err as Error).message;
      this.fail(this.at(e), `${e.path}: cannot read the EEPROM dump '${path}': ${why}${why.startsWith('it is larger') ? `; an AT24C32 dump is exactly ${EEPROM_BYTES} bytes` : ''}`);
    }
    if (bytes.length !== EEPROM_BYTES) {
      this.fail(this.at(e), `${e.path}: '${path}' is ${plural(bytes.length, 'byte')}; an AT24C32 dump must be exactly ${EEPROM_BYTES} bytes`);
    }
    return { path, bytes };
  }

  profile(e: Entry): ProfileName {
    const v = this.scalarValue(e);
    if (typeof v !== 'string') {
      this.fail(this.at(e), `${e.path}: expected a profile name (${PROFILE_NAMES.join(', ')}) or { profile, mode?, fix?, defects? }, got ${describe(e.node)}`);
    }
    if (!(PROFILE_NAMES as readonly string[]).includes(v)) {
      this.fail(this.at(e), `unknown firmware profile '${v}'${expectedOneOf(v, PROFILE_NAMES)}`);
    }
    return v as ProfileName;
  }

  clock(e: Entry): LocalDateTime {
    const v = this.scalarValue(e);
    if (typeof v !== 'string') this.fail(this.at(e), `${e.path}: expected a local time like "2026-03-01T08:00:00", got ${describe(e.node)}`);
    const t = parseLocal(v);
    if (!t) this.fail(this.at(e), `${e.path}: '${v}' is not a valid local time (expected YYYY-MM-DDTHH:MM:SS, years 2000..2099, e.g. "2026-03-01T08:00:00")`);
    return t;
  }

  // --- plant: -------------------------------------------------------------------------------------------------

  plant(e: Entry | undefined): PlantSection {
    if (!e) return { grid: { ...DEFAULT_GRID, harmonics: [] }, fidelity: 'phasor', loads: [] };
    const p = this.entries(this.at(e), 'plant', PLANT_KEYS, 'plant');
    const grid: GridSection = { ...DEFAULT_GRID, harmonics: [] };
    const ge = p.get('grid');
    if (ge) {
      const g = this.entries(this.at(ge), 'plant.grid', GRID_SECTION_KEYS, 'plant.grid');
      const v = g.get('vrms');
      const h = g.get('hz');
      const hh = g.get('harmonics');
      if (v) grid.vrms = this.num(v, { limit: GRID_VRMS, unit: 'V' });
      if (h) grid.hz = this.num(h, { limit: GRID_HZ, unit: 'Hz' });
      if (hh) grid.harmonics = this.harmonics(hh);
    }
    const fe = p.get('fidelity');
    const loads: LoadSpec[] = [];
    this.#vrms = grid.vrms;
    const le = p.get('loads');
    if (le) {
      const ids = new Set<string>();
      this.list(le).forEach((node, i) => {
        const ie = this.item(le, node, i);
        const spec = this.load(ie, false);
        if (spec.remove) this.fail(this.at(ie), `${ie.path}: remove is only for set-load steps`);
        if (ids.has(spec.load.id)) this.fail(this.at(ie), `${ie.path}: duplicate load id '${spec.load.id}'`);
        this.checkAmpsAtZeroVolts(ie, spec.load);
        ids.add(spec.load.id);
        loads.push(spec.load);
      });
    }
    return { grid, fidelity: fe ? this.oneOf(fe, FIDELITIES) : 'phasor', loads };
  }

  harmonics(e: Entry): HarmonicSpec[] {
    const seen = new Set<number>();
    return this.list(e).map((node, i) => {
      const ie = this.item(e, node, i);
      const h = this.entries(this.at(ie), ie.path, HARMONIC_KEYS, ie.path);
      const oe = this.require(h, 'order', this.at(ie), ie.path);
      const order = this.num(oe, { integer: true, min: 2, max: 50 });
      if (seen.has(order)) this.fail(this.at(oe), `${oe.path}: harmonic order ${order} is given twice (give each order once)`);
      seen.add(order);
      const percent = this.num(this.require(h, 'percent', this.at(ie), ie.path), { min: 0, max: 100 });
      const ph = h.get('phase');
      return { order, percent, ...(ph ? { phaseDeg: this.num(ph, { limit: PHASE_DEG, unit: 'degrees' }) } : {}) };
    });
  }

  load(e: Entry, allowRemove: boolean): { remove: true; id: string } | { remove: false; load: LoadSpec } {
    const node = this.at(e);
    const l = this.entries(node, e.path, allowRemove ? LOAD_KEYS : LOAD_KEYS.filter((k) => k !== 'remove'), e.path);
    const id = this.str(this.require(l, 'id', node, e.path, ' (every load has an id, e.g. id: heater)'), { nonEmpty: true });
    const re = l.get('remove');
    if (re) {
      if (this.bool(re) !== true) this.fail(this.at(re), `${re.path}: only 'remove: true' is meaningful (leave it out to connect a load)`);
      const extra = [...l.keys()].find((k) => k !== 'id' && k !== 'remove');
      if (extra) this.fail(l.get(extra)!.keyNode, `${e.path}: '${extra}' cannot be given with remove: true (only id)`);
      return { remove: true, id };
    }
    const we = l.get('watts');
    const ae = l.get('amps');
    if (we && ae) this.fail(ae.keyNode, `${e.path}: give either watts or amps, not both`);
    if (!we && !ae) this.fail(node, `${e.path}: load '${id}' needs watts or amps (e.g. watts: 2000)`);
    const load: LoadSpec = { id };
    const ke = l.get('kind');
    if (ke) load.kind = this.oneOf(ke, LOAD_KINDS);
    if (ae) load.amps = this.num(ae, { above: 0, limit: LOAD_AMPS, unit: 'A' });
    const pe = l.get('pf');
    if (pe) load.pf = this.num(pe, { above: 0, max: 1 });
    const rv = l.get('ratedVolts');
    if (rv) load.ratedVolts = this.num(rv, { limit: LOAD_RATED_VOLTS, unit: 'V' });
    // What the load model refuses (a resistive kind with pf < 1), refused here, where the line is known.
    try { checkSpec({ ...load, ...(we ? { watts: 1 } : { amps: 1 }) }); } catch (err) {
      this.fail(pe ? this.at(pe) : node, `${e.path}: ${(err as Error).message.replace(/^load '[^']*': /, '')}`);
    }
    if (we) {
      load.watts = this.num(we, { above: 0 });
      // The power is taken at the rated voltage: it may draw at most the CT's limit there.
      const volts = load.ratedVolts ?? 240;
      const pf = load.pf ?? DEFAULT_PF[load.kind ?? 'resistive'];
      const max = maxWattsAt(volts, pf);
      if (load.watts > max) {
        this.fail(this.at(we), `${we.path}: ${formatValue(load.watts)} W at ${volts} V draws ${formatValue(Number((load.watts / (volts * pf)).toPrecision(3)))} A; `
          + `${LOAD_AMPS.why}, so at most ${formatValue(max)} W at ${volts} V${pf < 1 ? ` and PF ${pf}` : ''}`);
      }
    }
    return { remove: false, load };
  }

  // --- steps: -------------------------------------------------------------------------------------------------

  steps(e: Entry, plant: PlantSection): Step[] {
    if (!e.node || !isSeq(e.node)) this.fail(this.at(e), `steps: expected a list of steps, got ${describe(e.node)}`);
    if (e.node.items.length === 0) this.fail(this.at(e), 'steps: the list is empty (give at least one step, e.g. - delay: 1s)');
    const ctx = { loads: new Set(plant.loads.map((l) => l.id)), totalUs: 0 };
    const seq = e.node;
    return seq.items.map((raw, index) => this.oneStep(raw, index, seq, ctx));
  }

  /**
   * The steps of a streamed scenario: each group of items is parsed as its own small YAML document (the lines as in
   * the file, so positions stay those of the file), read, and dropped before the next one is parsed. With `pack`, each
   * group's steps are packed as they are read (PackedSteps), so only one group is ever held as objects.
   */
  streamedSteps(groups: StepGroups, plant: PlantSection, pack = false): Step[] | PackedSteps {
    const ctx = { loads: new Set(plant.loads.map((l) => l.id)), totalUs: 0 };
    const packed = pack ? new PackedSteps() : undefined;
    let steps: Step[] = [];
    let before = 0;
    const [headDoc, headLc, headText] = [this.#doc, this.#lc, this.#text];
    try {
      for (const g of groups.groups()) {
        let lc = new LineCounter();
        let doc = parseDocument(g.text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
        this.#lineOffset = g.line - 1;
        let err = doc.errors[0];
        let errText = g.text;
        if (err && err.pos[0] >= g.text.trimEnd().length) {
          // The error runs into the next step (an unclosed bracket): parse on into it, as the whole file would be.
          lc = new LineCounter();
          errText = g.withNext();
          err = parseDocument(errText, { lineCounter: lc, prettyErrors: false, uniqueKeys: true }).errors[0] ?? err;
        }
        this.#doc = doc;
        this.#lc = lc;
        this.#text = g.text;
        if (err) this.fail(this.posAt(err.pos[0]), `YAML syntax error: ${yamlMessage(err, errText)}`);
        const seq = doc.contents;
        if (!seq || !isSeq(seq)) this.fail({ line: g.line, col: 1 }, `steps: expected a list of steps, got ${describe(seq)}`);
        for (const raw of seq.items) steps.push(this.oneStep(raw, before + steps.length, seq, ctx));
        if (packed) {
          packed.add(steps);
          before += steps.length;
          steps = [];
        }
        groups.onProgress?.(g.end, before + steps.length);
      }
    } finally {
      [this.#doc, this.#lc, this.#text, this.#lineOffset] = [headDoc, headLc, headText, 0];
    }
    if (before + steps.length === 0) this.fail(groups.stepsKeyPos, 'steps: the list is empty (give at least one step, e.g. - delay: 1s)');
    return packed ?? steps;
  }

  oneStep(raw: unknown, index: number, seq: Node, ctx: { loads: Set<string>; totalUs: number }): Step {
    const node = this.deref(raw) ?? seq;
    if (!isMap(node)) {
      this.fail(node, `steps[${index}]: expected a step like '- delay: 2s' (one command and an optional name), got ${describe(node)}`);
    }
    let name: string | undefined;
    let cmd: { key: StepCommand; entry: Entry } | undefined;
    for (const pair of node.items) {
      const keyNode = this.deref(pair.key);
      if (!keyNode || !isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.fail(keyNode ?? node, `steps[${index}]: step keys must be plain names, got ${describe(keyNode)}`);
      }
      const key = keyNode.value as string;
      const entry: Entry = { key, keyNode, node: this.deref(pair.value), path: key };
      if (key === 'name') { name = this.str(entry, { nonEmpty: true }); continue; }
      if (!(STEP_COMMANDS as readonly string[]).includes(key)) {
        const beside = this.commandBeside(node);
        if (beside !== undefined && closest(key, ['name', ...STEP_COMMANDS]) === undefined) {
          // `- expect: { relay: open }` with `for: 1min` on the next line: a setting of the command, written beside it.
          const v = this.deref(pair.value);
          const text = v && isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number') ? String(v.value) : '...';
          this.fail(keyNode, `'${key}' is beside '${beside}' in this step, not inside it: a command's settings go in its mapping (- ${beside}: { ..., ${key}: ${text} }, or indented under ${beside}:)`);
        }
        this.fail(keyNode, `unknown step '${key}' (expected one of ${STEP_COMMANDS.join(', ')})`);
      }
      if (cmd) this.fail(keyNode, `a step has one command, this one has '${cmd.key}' and '${key}' (split it into two steps)`);
      cmd = { key: key as StepCommand, entry };
    }
    if (!cmd) this.fail(node, `steps[${index}]: the step has no command (expected one of ${STEP_COMMANDS.join(', ')})`);
    const base = { index, ...(name !== undefined ? { name } : {}), pos: this.pos(cmd.entry.keyNode) };
    const step = this.step(cmd.key, cmd.entry, base, ctx.loads);
    // The whole scenario stays within what the virtual clock counts exactly.
    ctx.totalUs += step.command === 'delay' ? step.us : step.command === 'wait-until' ? step.timeoutUs : step.command === 'expect' ? step.forUs ?? 0 : 0;
    if (ctx.totalUs > MAX_DURATION_US) {
      this.fail(cmd.entry.keyNode, `steps[${index}]: the scenario would run past ${MAX_DURATION_DAYS}d of simulated time (274 years; the virtual clock counts microseconds)`);
    }
    return step;
  }

  /** The command a step's mapping holds, if any (to explain a setting written beside it instead of inside). */
  commandBeside(node: YAMLMap): string | undefined {
    for (const pair of node.items) {
      const k = this.deref(pair.key);
      if (k && isScalar(k) && typeof k.value === 'string' && (STEP_COMMANDS as readonly string[]).includes(k.value)) return k.value;
    }
    return undefined;
  }

  step(key: StepCommand, e: Entry, base: { index: number; name?: string; pos: SourcePos }, loads: Set<string>): Step {
    switch (key) {
      case 'delay': {
        const d = this.duration(e);
        return { ...base, command: 'delay', us: d.us, text: d.text };
      }
      case 'set-load': {
        const r = this.load(e, true);
        if (r.remove) {
          if (!loads.has(r.id)) {
            const known = [...loads];
            this.fail(this.at(e), `set-load: no load '${r.id}' to remove (${known.length ? `connected: ${known.join(', ')}` : 'no load is connected'})`);
          }
          loads.delete(r.id);
          return { ...base, command: 'set-load', remove: true, id: r.id };
        }
        loads.add(r.load.id);
        this.checkAmpsAtZeroVolts(e, r.load);
        return { ...base, command: 'set-load', remove: false, load: r.load };
      }
      case 'grid': {
        const g = this.entries(this.at(e), 'grid', GRID_STEP_KEYS, 'grid');
        const change: GridChange = {};
        const v = g.get('vrms');
        if (v) change.vrms = this.num(v, { limit: GRID_VRMS, unit: 'V' });
        const h = g.get('hz');
        if (h) change.hz = this.num(h, { limit: GRID_HZ, unit: 'Hz' });
        const p = g.get('phase');
        if (p) change.phaseDeg = this.num(p, { limit: PHASE_DEG, unit: 'degrees' });
        const o = g.get('outage');
        if (o) change.outage = this.bool(o);
        const hh = g.get('harmonics');
        if (hh) change.harmonics = this.harmonics(hh);
        if (Object.keys(change).length === 0) {
          this.fail(this.at(e), 'grid: nothing to change (give vrms, hz, phase, outage or harmonics)');
        }
        const f = g.get('for');
        let forText: string | undefined;
        if (f) { const d = this.duration(f, { positive: true }); change.forUs = d.us; forText = d.text; }
        if (change.vrms !== undefined) this.#vrms = f ? undefined : change.vrms;
        return { ...base, command: 'grid', change, ...(forText !== undefined ? { forText } : {}) };
      }
      case 'press-keys': {
        if (e.node && isMap(e.node)) {
          const k = this.entries(e.node, 'press-keys', PRESS_KEYS_KEYS, 'press-keys');
          const keys = this.keys(this.require(k, 'keys', e.node, 'press-keys', ' (e.g. keys: "*1234#")'));
          const he = k.get('hold');
          const ge = k.get('gap');
          return {
            ...base, command: 'press-keys', keys,
            ...(he ? { holdMs: this.duration(he, { positive: true }).us / 1000 } : {}),
            ...(ge ? { gapMs: this.duration(ge).us / 1000 } : {}),
          };
        }
        return { ...base, command: 'press-keys', keys: this.keys(e) };
      }
      case 'power': {
        const v = this.oneOf(e, ['cut', 'restore'] as const);
        return { ...base, command: 'power', on: v === 'restore' };
      }
      case 'tamper': {
        const v = this.oneOf(e, ['open', 'close'] as const);
        return { ...base, command: 'tamper', open: v === 'open' };
      }
      case 'expect': {
        const r = this.checks(e, false);
        return { ...base, command: 'expect', checks: r.checks, ...(r.lasting ? { forUs: r.lasting.us, forText: r.lasting.text } : {}) };
      }
      case 'wait-until': {
        const r = this.checks(e, true);
        return { ...base, command: 'wait-until', checks: r.checks, timeoutUs: r.timeout!.us, timeoutText: r.timeout!.text };
      }
      case 'log':
        return { ...base, command: 'log', text: this.str(e) };
      case 'network':
        return { ...base, command: 'network', ...readNetworkStep(this, e) };
      case 'topup':
        return { ...base, command: 'topup', amount: readTopupStep(this, e) };
    }
  }

  /** `amps` are taken at the supply voltage of the moment: at 0 V there is no impedance to derive. */
  checkAmpsAtZeroVolts(e: Entry, load: LoadSpec): void {
    if (load.amps !== undefined && this.#vrms === 0) {
      this.fail(this.at(e), `${e.path}: load '${load.id}' gives amps, which are taken at the supply voltage, and the supply is at 0 V here; give watts instead (at ratedVolts)`);
    }
  }

  keys(e: Entry): KeyName[] {
    const v = this.scalarValue(e);
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.fail(this.at(e), `${e.path}: expected keys as a string like "*1234#", got ${describe(e.node)}`);
    }
    if (typeof v === 'number') {
      this.fail(this.at(e), `${e.path}: write the keys as a quoted string (e.g. "${v}"), got number ${v}`);
    }
    const out: KeyName[] = [];
    for (let i = 0; i < v.length; i++) {
      const ch = v[i];
      if (ch === ' ') continue;
      if (!(KEY_NAMES as readonly string[]).includes(ch)) {
        const upper = ch.toUpperCase();
        const hint = upper !== ch && (KEY_NAMES as readonly string[]).includes(upper) ? ` (keys are upper case: '${upper}')` : ' (keys are 0-9, A-D, * and #; spaces are ignored)';
        this.fail(this.charPos(e, i), `${e.path}: invalid key '${ch}' at position ${i + 1} of "${v}"${hint}`);
      }
      out.push(ch as KeyName);
    }
    if (out.length === 0) this.fail(this.at(e), `${e.path}: no keys to press`);
    return out;
  }

  /** Position of character `i` of a one-line scalar (exact when the source has no escapes), else the scalar's. */
  charPos(e: Entry, i: number): SourcePos {
    const n = e.node;
    if (n && isScalar(n) && typeof n.value === 'string' && n.range) {
      const src = this.#text.slice(n.range[0], n.range[1]);
      const q = n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE' ? 1 : 0;
      if (n.type !== 'BLOCK_LITERAL' && n.type !== 'BLOCK_FOLDED' && src.slice(q, q + n.value.length) === n.value) {
        return this.posAt(n.range[0] + q + i);
      }
    }
    return this.pos(this.at(e));
  }

  /**
   * The checks of an `expect` or a `wait-until`, with the wait's `timeout` (required in a wait-until) or the expect's
   * `for` (optional: the checks must hold for that long). A wait-until has no `for` and an expect with `for` no
   * `timeout`: each refusal says which step to write instead.
   */
  checks(e: Entry, withTimeout: boolean): { checks: Check[]; timeout?: { us: number; text: string }; lasting?: { us: number; text: string } } {
    const cmd = withTimeout ? 'wait-until' : 'expect';
    const node = this.at(e);
    if (!isMap(node)) {
      this.fail(node, `${cmd}: expected a mapping of observables to values, e.g. { relay: open${withTimeout ? ', timeout: 8min' : ''} }, got ${describe(e.node)}`);
    }
    const checks: Check[] = [];
    let timeout: { us: number; text: string } | undefined;
    let lasting: { us: number; text: string } | undefined;
    const hasFor = node.items.some((p) => { const k = this.deref(p.key); return !!k && isScalar(k) && k.value === 'for'; });
    for (const pair of node.items) {
      const keyNode = this.deref(pair.key);
      if (!keyNode || !isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.fail(keyNode ?? node, `${cmd}: keys must be observable names, got ${describe(keyNode)}`);
      }
      const key = keyNode.value as string;
      const entry: Entry = { key, keyNode, node: this.deref(pair.value), path: key };
      if (withTimeout && key === 'timeout') { timeout = this.duration(entry); continue; }
      if (key === 'for') {
        if (withTimeout) {
          this.fail(keyNode, 'wait-until has no \'for\': it ends as soon as its checks hold; to require a state to last, wait for it, then expect it with for (- expect: { relay: open, for: 1min })');
        }
        lasting = this.duration({ ...entry, path: 'expect.for' }, { positive: true });
        continue;
      }
      if (!withTimeout && key === 'timeout' && hasFor) {
        this.fail(keyNode, 'an expect with for has no timeout: it lasts exactly its for and fails at the first moment a check stops holding; to wait for the state first, put a wait-until with the timeout before it');
      }
      if (key === TELEMETRY_PREFIX.slice(0, -1) || key === TELEMETRY_PREFIX) {
        this.fail(keyNode, `'${key}' needs a key: telemetry.<key>, e.g. telemetry.energy`);
      }
      const info = observableInfo(key);
      if (!info) {
        const names = [...OBSERVABLE_NAMES, withTimeout ? 'timeout' : 'for'];
        const synonym = OBSERVABLE_SYNONYMS[key.toLowerCase()];
        const typo = closest(key, names);
        const hint = !withTimeout && key === 'timeout' ? ' (timeout belongs to wait-until; a state that must last takes for, e.g. for: 1min)'
          : synonym ? ` (did you mean '${synonym}'?)`
            : typo ? ` (did you mean '${typo}'?)`
              : ` (expected one of ${OBSERVABLE_NAMES.join(', ')}${withTimeout ? '; and the wait\'s timeout' : '; and for, how long they must hold'})`;
        this.fail(keyNode, `unknown observable '${key}'${hint}`);
      }
      checks.push({ observable: key, matcher: this.matcher(entry, key), pos: this.pos(keyNode) });
    }
    if (checks.length === 0) this.fail(node, `${cmd}: nothing to check (give at least one observable)`);
    if (withTimeout && !timeout) {
      this.fail(node, 'missing required key \'timeout\' in wait-until (e.g. timeout: 8min; a wait must end)');
    }
    return { checks, ...(timeout ? { timeout } : {}), ...(lasting ? { lasting } : {}) };
  }

  matcher(e: Entry, observable: string): Matcher {
    const info = observableInfo(observable)!;
    const node = e.node;
    const at = this.at(e);
    const numeric = info.kind === 'number' || info.kind === 'any';
    const forms = numeric
      ? 'a number, { approx, tol }, { approx, tolPercent }, { min, max }, "/regex/" or { not: ... }'
      : info.kind === 'enum' ? `${info.values!.join(' or ')}, "/regex/" or { not: ... }` : 'a string, "/regex/" or { not: ... }';
    if (node === null || (isScalar(node) && node.value === null)) this.fail(at, `${e.path}: missing value (expected ${forms})`);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string') {
        const rm = /^\/(.*)\/([A-Za-z]*)$/s.exec(v);
        if (rm && v.length >= 2) return this.regex(at, e.path, rm[1], rm[2]);
        if (info.kind === 'number') this.fail(at, `${e.path}: expected ${forms}, got string '${v}'`);
        if (info.kind === 'enum' && !info.values!.includes(v)) {
          this.fail(at, `${e.path}: expected ${info.values!.join(' or ')}, got '${v}'${closest(v, info.values!) ? ` (did you mean '${closest(v, info.values!)}'?)` : ''}`);
        }
        return { kind: 'equals', value: v };
      }
      if (typeof v === 'number') {
        if (!numeric) this.fail(at, `${e.path}: expected ${forms}, got number ${v}`);
        if (!Number.isFinite(v)) this.fail(at, `${e.path}: expected a finite number, got ${v}`);
        return { kind: 'equals', value: v };
      }
      if (typeof v === 'boolean') {
        if (info.kind !== 'any') this.fail(at, `${e.path}: expected ${forms}, got boolean ${v}`);
        return { kind: 'equals', value: v };
      }
      this.fail(at, `${e.path}: expected ${forms}, got ${describe(node)}`);
    }
    if (!isMap(node)) this.fail(at, `${e.path}: expected ${forms}, got ${describe(node)}`);
    const keys = node.items.map((p) => { const k = this.deref(p.key); return k && isScalar(k) ? String(k.value) : ''; });
    const matcherKeys = ['approx', 'tol', 'tolPercent', 'min', 'max', 'not'];
    const m = this.entries(node, `the matcher of ${e.path}`, matcherKeys, e.path);
    if (m.has('not')) {
      const extra = keys.find((k) => k !== 'not');
      if (extra) this.fail(m.get(extra)!.keyNode, `${e.path}: 'not' stands alone ({ not: <matcher> }), remove '${extra}'`);
      return { kind: 'not', matcher: this.matcher({ ...m.get('not')!, path: `${e.path}.not` }, observable) };
    }
    if (!numeric) {
      this.fail(node, `${e.path}: { ${keys.join(', ')} } applies to numbers only (expected ${forms})`);
    }
    if (m.has('approx')) {
      const extra = keys.find((k) => k === 'min' || k === 'max');
      if (extra) this.fail(m.get(extra)!.keyNode, `${e.path}: use either { approx, tol } or { min, max }, not both`);
      const value = this.num(m.get('approx')!);
      const te = m.get('tol');
      const pe = m.get('tolPercent');
      if (te && pe) this.fail(pe.keyNode, `${e.path}: give tol or tolPercent, not both`);
      if (!te && !pe) this.fail(node, `${e.path}: approx needs a tolerance: tol (absolute) or tolPercent`);
      return te
        ? { kind: 'approx', value, tol: this.num(te, { min: 0 }), percent: false }
        : { kind: 'approx', value, tol: this.num(pe!, { min: 0 }), percent: true };
    }
    if (m.has('tol') || m.has('tolPercent')) {
      const k = m.has('tol') ? 'tol' : 'tolPercent';
      this.fail(m.get(k)!.keyNode, `${e.path}: ${k} needs approx ({ approx: 230, ${k}: 2 })`);
    }
    const mine = m.get('min');
    const maxe = m.get('max');
    if (!mine && !maxe) this.fail(node, `${e.path}: empty matcher (expected ${forms})`);
    const min = mine ? this.num(mine) : undefined;
    const max = maxe ? this.num(maxe) : undefined;
    if (min !== undefined && max !== undefined && min > max) this.fail(maxe!.node, `${e.path}: max ${max} is below min ${min}`);
    return { kind: 'range', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }

  regex(at: Node, path: string, source: string, flags: string): Matcher {
    for (const f of flags) {
      if (!REGEX_FLAGS.includes(f)) {
        this.fail(at, `${path}: regex flag '${f}' is not supported in /${source}/${flags} (use i, m, s or u)`);
      }
    }
    if (source === '') this.fail(at, `${path}: empty regex // (write a pattern between the slashes)`);
    try {
      new RegExp(source, flags);
    } catch (err) {
      const msg = (err as Error).message;
      const why = msg.slice(msg.lastIndexOf(': ') + 2);
      this.fail(at, `${path}: invalid regex /${source}/${flags}: ${why}`);
    }
    return { kind: 'regex', source, flags };
  }
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
    if (typeof v === 'number') return `number ${v}`;
    if (typeof v === 'boolean') return `boolean ${v}`;
    return `${typeof v} ${String(v)}`;
  }
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  return 'an unsupported YAML node';
}

function rangeText(o: NumOpts): string {
  const parts: string[] = [];
  if (o.above !== undefined) parts.push(`> ${o.above}`);
  if (o.min !== undefined) parts.push(`>= ${o.min}`);
  if (o.max !== undefined) parts.push(`<= ${o.max}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

/** Parse `YYYY-MM-DDTHH:MM:SS` (years 2000..2099, a real calendar date); undefined if invalid. */
export function parseLocal(text: string): LocalDateTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = year % 4 === 0; // 2000..2099: every 4th year (2000 is a leap year)
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day < 1 || day > days) return undefined;
  return { text: text.trim(), year, month, day, hour, minute, second };
}
