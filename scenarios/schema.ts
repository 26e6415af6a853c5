// The typed scenario (README.md "Scenarios"): what `loader.ts` produces from YAML,
// what `runner.ts` executes, and the meter/plant sections a Bench is built from (`BenchConfig`).
//
// A scenario file, in short:
//
//   name: credit runs out                 # required
//   version: 1                            # required; only 1 exists
//   description: ...                      # optional
//   meter: { firmware: field, mode: sts, credit: 3, clock: "2026-03-01T08:00:00" }   # optional, defaults below
//   plant: { grid: { vrms: 240, hz: 50 }, fidelity: phasor, loads: [...] }           # optional, defaults below
//   steps: [ ... ]                        # required, at least one
//
// Every step is a mapping with exactly one command key and an optional `name`. Durations always carry a unit:
// `250us`, `500ms`, `2s`, `10min`, `2h`, `1d` (decimals allowed: `1.5s`); a bare number or a negative value is an
// error.
import type { GridChange, LoadKind, LoadSpec } from '../twin/kernel/stimuli.ts';
import type { BootMode, FirmwareConfig, FirmwareSelection } from '../twin/profiles/profile.ts';
import type { KeyName } from '../twin/meter.ts';
import type { NetworkSetup, NetworkStep as NetworkChangeSpec } from '../twin/comms/comms.ts';

/** 1-based line and column in the scenario file (columns count UTF-16 code units, as editors mostly do). */
export interface SourcePos { line: number; col: number }

// ---------------------------------------------------------------------------------------------------------------
// meter:

export type EepromImage = 'virgin' | 'zero';
export type RtcState = 'running' | 'halted' | 'missing';
export type CoverState = 'closed' | 'open';

export const EEPROM_IMAGES: readonly EepromImage[] = ['virgin', 'zero'];
export const RTC_STATES: readonly RtcState[] = ['running', 'halted', 'missing'];
export const COVER_STATES: readonly CoverState[] = ['closed', 'open'];
/** Where the meter's own supply comes from: its terminals (`mains`, as installed) or a bench supply (`external`). */
export type MeterSupplyKind = 'mains' | 'external';
export const METER_SUPPLIES: readonly MeterSupplyKind[] = ['mains', 'external'];
export const RELAY_POSITIONS: readonly ('open' | 'closed')[] = ['open', 'closed'];

/** A DS1307 wall-clock time with no time zone (the firmware keeps local time), as written `2026-03-01T08:00:00`. */
export interface LocalDateTime {
  /** The text as written in the scenario. */
  text: string;
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * `meter:` section. Keys and defaults:
 * - `firmware`: a profile name (`shipped`, `field`, `fixed`) or `{ profile, mode?, fix?: [D..], defects?: [D..] }`.
 *   Default `field` (README.md "Firmware profiles": the default for demos and most scenarios).
 * - `mode`: boot mode `sts` | `opaygo-energy` | `opaygo-time` | `none`; also accepted as `firmware.mode` (give it once).
 *   Default: the profile's (`resolveFirmware`). With D1 present (`shipped`) the firmware always boots `none`.
 * - `eeprom`: contents of the AT24C32 at first power-up: `virgin` (all 0xFF, as delivered; credit then reads
 *   4294967295 = `ovf`, docs/firmware.md §7.6) or `zero`. Default `virgin`.
 * - `eeprom-file`: a 4096-byte AT24C32 dump to start from instead (a path relative to the scenario file; `osm run
 *   --save-eeprom` writes one). Give either `eeprom` or `eeprom-file`.
 * - `credit`: the credit stored at EEPROM address 9 (uint32, little-endian, §7.2) at first power-up, a whole number
 *   0..4294967295. It overrides bytes 9..12 of the `eeprom` image. Default: whatever the image holds there.
 * - `credit-over-eeprom`: `true` keeps `credit` when `osm run --eeprom DUMP` starts the meter from a dump (the dump's
 *   credit cell is replaced, the rest of the dump kept); `false` (default): the dump is the meter's state and its
 *   credit wins. Either way a difference between the two credits is reported. Needs `credit`.
 * - `clock`: the DS1307 time at first power-up, local, `YYYY-MM-DDTHH:MM:SS` (years 2000..2099, the DS1307 range).
 *   Default `2026-01-01T00:00:00`.
 * - `rtc`: `running`, `halted` (CH bit set: the firmware warns and leaves it stopped, D27) or `missing` (no ACK at
 *   0x68: boot hangs, D28). Default `running`.
 * - `cover`: terminal cover at power-up, `closed` or `open`. Default `closed`.
 * - `relay`: the latching relay's contact before the first power-up, `open` (default: as delivered) or `closed` (as
 *   left by a meter that was running). The contact is in series with the loads: open, they draw nothing.
 * - `supply`: `mains` (default: the meter runs from the voltage at its terminals, so an outage or a sag below its
 *   supply's input range powers it down after the hold-up, and `power: cut` removes the mains at the terminals, loads
 *   included) or `external` (a bench supply: the meter runs whatever the grid does; `power: cut` cuts only the meter).
 * - `ctRatio`: CT turns ratio N:1 (docs/atm90e26.md §5: 1000:1 is documented nowhere, so a parameter).
 *   Default: the board profile's.
 */
export interface MeterSection {
  /** The firmware selection as written, with `meter.mode` merged into `mode`. */
  firmware: FirmwareSelection;
  /** Set when the scenario names no firmware (no `meter.firmware`): `firmware` is then the default selection. */
  firmwareDefault?: true;
  /** The same, resolved by `resolveFirmware`: the defects present and the effective boot mode. */
  build: FirmwareConfig;
  eeprom: EepromImage;
  /** `eeprom-file` as written, and the dump read from it (it replaces `eeprom`). */
  eepromFile?: string;
  eepromImage?: Uint8Array;
  credit?: number;
  /** `credit-over-eeprom: true`: `credit` wins over the credit of an `osm run --eeprom` dump. */
  creditOverEeprom?: boolean;
  clock: LocalDateTime;
  rtc: RtcState;
  cover: CoverState;
  supply: MeterSupplyKind;
  relay: 'open' | 'closed';
  ctRatio?: number;
}

export const DEFAULT_PROFILE = 'field';
export const DEFAULT_CLOCK = '2026-01-01T00:00:00';

// ---------------------------------------------------------------------------------------------------------------
// plant:

export type Fidelity = 'phasor' | 'waveform';
export const FIDELITIES: readonly Fidelity[] = ['phasor', 'waveform'];

/** One harmonic of the supply: `{ order: 3, percent: 5, phase: 0 }` (percent of the fundamental, phase in degrees). */
export type HarmonicSpec = NonNullable<GridChange['harmonics']>[number];

/** `plant.grid`: the supply at the start. Defaults: 230 V, 50 Hz (IEC 60038 nominal), no harmonics. */
export interface GridSection {
  vrms: number;
  hz: number;
  harmonics: HarmonicSpec[];
}

/**
 * `plant:` section.
 * - `grid`: `{ vrms, hz, harmonics? }`, default `{ vrms: 230, hz: 50 }`.
 * - `fidelity`: `phasor` (default; fast, for long scenarios) or `waveform` (8 kHz samples).
 * - `loads`: loads connected from the start, each like a `set-load` step: `{ id, kind?, watts? | amps?, pf?,
 *   ratedVolts? }`.
 */
export interface PlantSection {
  grid: GridSection;
  fidelity: Fidelity;
  loads: LoadSpec[];
}

export const DEFAULT_GRID: Readonly<GridSection> = { vrms: 230, hz: 50, harmonics: [] };

/** Runtime list of `LoadKind` (twin/kernel/stimuli.ts); the record makes the compiler check it is complete. */
const LOAD_KIND_SET: Record<LoadKind, true> = {
  resistive: true, inductive: true, capacitive: true, motor: true, smps: true, lamp: true, kettle: true, rectifier: true,
};
export const LOAD_KINDS = Object.keys(LOAD_KIND_SET) as LoadKind[];

/** What `createBench` (twin/kernel/bench.ts) is built from. */
export interface BenchConfig {
  meter: MeterSection;
  plant: PlantSection;
  /** Seed of every random source of the bench (twin/kernel/rng.ts). */
  seed: number;
  /** `max`: as fast as possible; a number: virtual time paced at that multiple of wall time. */
  speed: 'max' | number;
  /** The scenario's `network:` section (comms-syntax.ts); absent: the modem is mute. */
  network?: NetworkSetup;
  /** Without the simulation's exact shortcuts (`osm run --exact-slow`). */
  exactSlow?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Observables and matchers

/**
 * How an observable's value is compared:
 * - `enum`: one of `values` (relay `closed|open`; LEDs `on|off|blinking`; buzzer `on|off`).
 * - `number`: the firmware's own variable (credit, kWh, V, A, W, PF, Hz).
 * - `lcd`: LCD text (see `matchers.ts` for the exact rules on spaces and lines).
 * - `log`: the debug serial log so far; a plain string matches when the log contains it.
 * - `any`: telemetry values (numbers, strings, booleans).
 */
export type ObservableKind = 'enum' | 'number' | 'lcd' | 'log' | 'any';

export interface ObservableInfo {
  kind: ObservableKind;
  values?: readonly string[];
  /** Only a meter whose firmware runs on the host observes it (twin/meter.ts TWIN_ONLY_OBSERVABLES); refused on a rig. */
  twinOnly: boolean;
  unit?: string;
}

export const OBSERVABLES: Readonly<Record<string, ObservableInfo>> = {
  relay: { kind: 'enum', values: ['closed', 'open'], twinOnly: false },
  'led.red': { kind: 'enum', values: ['on', 'off', 'blinking'], twinOnly: false },
  'led.green': { kind: 'enum', values: ['on', 'off', 'blinking'], twinOnly: false },
  buzzer: { kind: 'enum', values: ['on', 'off'], twinOnly: false },
  lcd: { kind: 'lcd', twinOnly: true },
  'lcd.line0': { kind: 'lcd', twinOnly: true },
  'lcd.line1': { kind: 'lcd', twinOnly: true },
  credit: { kind: 'number', twinOnly: true },
  energy: { kind: 'number', twinOnly: true, unit: 'kWh' },
  voltage: { kind: 'number', twinOnly: true, unit: 'V' },
  current: { kind: 'number', twinOnly: true, unit: 'A' },
  power: { kind: 'number', twinOnly: true, unit: 'W' },
  pf: { kind: 'number', twinOnly: true },
  freq: { kind: 'number', twinOnly: true, unit: 'Hz' },
  serial: { kind: 'log', twinOnly: false },
  // OpenPAYGO modes (twin/firmware/opaygo/observe.ts): the decoder and activation state of the firmware.
  /** `Output.Value` of the last token decoded: 0..999, −1 invalid, −2 already used; none before the first. */
  'opaygo.result': { kind: 'number', twinOnly: true },
  /** Tokens decoded since power-on. */
  'opaygo.entries': { kind: 'number', twinOnly: true },
  /** `TokenCount`, the decoder's highest count. */
  'opaygo.count': { kind: 'number', twinOnly: true },
  /** `UsedTokens`, the 16-bit mask of used older counts. */
  'opaygo.used': { kind: 'number', twinOnly: true },
  'opaygo.payg': { kind: 'enum', values: ['enabled', 'disabled'], twinOnly: true },
  /** Mode 3: days until `ActiveUntil` (0 once it has passed). */
  'opaygo.days-left': { kind: 'number', twinOnly: true, unit: 'd' },
  /** Seconds of token-entry lockout still to run. */
  'opaygo.lockout': { kind: 'number', twinOnly: true, unit: 's' },
  /** `IsActive()`. */
  'opaygo.active': { kind: 'enum', values: ['yes', 'no'], twinOnly: true },
};

export const TELEMETRY_PREFIX = 'telemetry.';
const TELEMETRY_INFO: ObservableInfo = { kind: 'any', twinOnly: false };

/** Names offered in error messages. */
export const OBSERVABLE_NAMES: readonly string[] = [...Object.keys(OBSERVABLES), 'telemetry.<key>'];

/** Catalogue entry of an observable name, including `telemetry.<key>`; undefined if unknown. */
export function observableInfo(name: string): ObservableInfo | undefined {
  if (Object.hasOwn(OBSERVABLES, name)) return OBSERVABLES[name];
  if (name.startsWith(TELEMETRY_PREFIX) && name.length > TELEMETRY_PREFIX.length) return TELEMETRY_INFO;
  return undefined;
}

/** A compiled matcher (see matchers.ts for the semantics). Plain data: it serialises into the JSON report. */
export type Matcher =
  | { kind: 'equals'; value: string | number | boolean }
  | { kind: 'regex'; source: string; flags: string }
  | { kind: 'approx'; value: number; tol: number; percent: boolean }
  | { kind: 'range'; min?: number; max?: number }
  | { kind: 'not'; matcher: Matcher };

/** One `observable: matcher` entry of an `expect` or `wait-until` step. */
export interface Check {
  observable: string;
  matcher: Matcher;
  pos: SourcePos;
}

// ---------------------------------------------------------------------------------------------------------------
// steps:

export const STEP_COMMANDS = [
  'delay', 'set-load', 'grid', 'press-keys', 'power', 'tamper', 'expect', 'wait-until', 'log', 'network', 'topup',
] as const;
export type StepCommand = (typeof STEP_COMMANDS)[number];

interface StepBase {
  /** 0-based position in `steps` (reports show it 1-based). */
  index: number;
  name?: string;
  /** Position of the command key. */
  pos: SourcePos;
}

/** `delay: 2s`: let virtual time pass. */
export interface DelayStep extends StepBase { command: 'delay'; us: number; text: string }
/** `set-load: { id, kind?, watts? | amps?, pf?, ratedVolts? }`: connect a load or change it (same id). */
export interface SetLoadStep extends StepBase { command: 'set-load'; remove: false; load: LoadSpec }
/** `set-load: { id, remove: true }`: disconnect it. */
export interface RemoveLoadStep extends StepBase { command: 'set-load'; remove: true; id: string }
/**
 * `grid: { vrms?, hz?, phase?, outage?, harmonics?, for? }`: change the supply now (does not advance time). With
 * `for`, the bench reverts the change after that long.
 */
export interface GridStep extends StepBase { command: 'grid'; change: GridChange; forText?: string }
/**
 * `press-keys: "*1234#"` or `{ keys, hold?, gap? }`: type on the keypad; time advances until the last key is
 * released and its gap has passed. Keys `0-9 A-D * #`; spaces are ignored (group long tokens for readability).
 */
export interface PressKeysStep extends StepBase {
  command: 'press-keys';
  keys: KeyName[];
  holdMs?: number;
  gapMs?: number;
}
/** `power: cut | restore`. */
export interface PowerStep extends StepBase { command: 'power'; on: boolean }
/** `tamper: open | close`: the terminal cover switch. */
export interface TamperStep extends StepBase { command: 'tamper'; open: boolean }
/**
 * `expect: { observable: matcher, ... }`: every check must hold now. With `for: 1min` every check must hold now and
 * at every moment of the next minute: that much time passes (as in `delay`), and the step fails at the first moment
 * a check stops holding.
 */
export interface ExpectStep extends StepBase { command: 'expect'; checks: Check[]; forUs?: number; forText?: string }
/** `wait-until: { observable: matcher, ..., timeout: 8min }`: run until all hold; fail at the timeout. */
export interface WaitUntilStep extends StepBase { command: 'wait-until'; checks: Check[]; timeoutUs: number; timeoutText: string }
/** `log: text`: a note in the trace and the report. */
export interface LogStep extends StepBase { command: 'log'; text: string }

/**
 * `network: { coverage?, csq?, latency?, registration?, attach-failures?, attach-failure-rate?, drop?, backend?,
 * broker?, fault?, fault-count?, for? }`: change the cellular network and the servers now (comms-syntax.ts).
 */
export interface NetworkStep extends StepBase { command: 'network'; change: NetworkChangeSpec; forText?: string }
/** `topup: { amount }`: a customer pays; the amount is pending on the backend for the meter. */
export interface TopupStep extends StepBase { command: 'topup'; amount: number }

export type Step =
  | DelayStep | SetLoadStep | RemoveLoadStep | GridStep | PressKeysStep | PowerStep | TamperStep | ExpectStep
  | WaitUntilStep | LogStep | NetworkStep | TopupStep;

export interface Scenario {
  /** The path the scenario was loaded from, as given (used in every message). */
  file: string;
  name: string;
  version: 1;
  description?: string;
  meter: MeterSection;
  plant: PlantSection;
  /** `network:` section: the SIM800, the network and the servers; absent: the modem is mute (no coverage). */
  network?: NetworkSetup;
  /** `targets: [twin, rig]`: the meters the scenario is written for (absent: any meter that can observe its checks). */
  targets?: ScenarioTarget[];
  /** The steps; empty when they are kept `packed` (a large scenario loaded for a run: LoadOptions.packSteps). */
  steps: Step[];
  /** A large scenario's steps kept packed, read back in order by the runner (a PackedSteps: scenarios/packed-steps.ts). */
  packed?: StepSource;
}

/** Steps read back in order, and how many there are. */
export interface StepSource extends Iterable<Step> { readonly length: number }

/** A scenario's steps in order, wherever they are kept. */
export function stepsOf(s: Pick<Scenario, 'steps' | 'packed'>): Iterable<Step> {
  return s.packed ?? s.steps;
}

/** How many steps a scenario has. */
export function stepCount(s: Pick<Scenario, 'steps' | 'packed'>): number {
  return s.packed?.length ?? s.steps.length;
}

/** What a scenario may run on: the twin, or a rig (a real or emulated board observed from outside). */
export type ScenarioTarget = 'twin' | 'rig';
export const SCENARIO_TARGETS: readonly ScenarioTarget[] = ['twin', 'rig'];

/** Every expectation of a scenario that only the twin can observe: its name and where it is. */
export function twinOnlyChecks(steps: Iterable<Step>): { observable: string; pos: SourcePos }[] {
  const out: { observable: string; pos: SourcePos }[] = [];
  for (const step of steps) {
    if (step.command !== 'expect' && step.command !== 'wait-until') continue;
    for (const c of step.checks) if (observableInfo(c.observable)?.twinOnly) out.push({ observable: c.observable, pos: c.pos });
  }
  return out;
}

export type { BootMode };
