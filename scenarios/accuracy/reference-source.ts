// The reference source of `osm accuracy --board`: what puts each test point on the meter's terminals, and what the
// bench takes as the applied values (the reference the chip's readings are judged against).
// - EmulatedSource: the ATM90E26 behind the emulated board gets the accuracy bench's phantom load through the unit's
//   front end (phasors, or 8 kHz samples where the point needs the waveform level), exactly the pins `osm accuracy`
//   feeds its own chip; the applied values are the point's.
// - OperatorSource: a real board has no programmable source here. Each point is printed; the operator sets the source
//   and confirms (Enter; `q` stops); the applied values are the point's nominal ones, or, with an applied-values file,
//   what the source's own meter showed for that point (volts, amps, PF, Hz, and watts when the source measures it).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { InputFileError, readInputFile } from '../../io/input-file.ts';
import { parse as parseYaml } from 'yaml';
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { rmsOf } from '../../models/signals.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import type { TestCondition } from './points.ts';
import type { MeterUnit } from './meter-unit.ts';
import { pfLabel } from './limits.ts';
import { pinsFor, sourceLines, truthWatts, type SourceLines } from './phantom-load.ts';
import { WaveformDrive } from './waveform-drive.ts';

/** What the source applied for a point: the reference values. */
export interface Applied {
  volts: number;
  amps: number;
  /** Displacement power factor, signed as the point's (inductive and capacitive both positive; kind in the label). */
  pf: number;
  hz: number;
  /** True active power, W. */
  watts: number;
  /** Where the values come from (for the report's notes). */
  source: string;
}

export interface ReferenceSource {
  /** Put the condition on the terminals; resolves once it is applied (or rejects: the operator stopped). */
  apply(c: TestCondition, label: string, index: number, total: number): Promise<Applied>;
  /** The point is measured: switch the source off (or stop its waveform). */
  release(): void;
  readonly kind: 'emulated' | 'operator';
  /** Share of the applied point's samples with the CT's core saturated, when the source models the CT at the
   *  waveform level (the emulated board's DC test); null or absent otherwise (a real source says nothing of it). */
  readonly ctSaturatedShare?: number | null;
}

export class SourceStopped extends Error { constructor(m: string) { super(m); this.name = 'SourceStopped'; } }

function describe(c: TestCondition): string {
  const shape = c.shape === 'sine' ? 'sine' : c.shape === 'fifth' ? `5th harmonic ${c.fifthVoltagePercent ?? 0} % in V, ${c.fifthCurrentPercent ?? 0} % in I`
    : 'half-wave rectified current (DC)';
  return `${c.volts.toFixed(2)} V, ${c.amps.toFixed(3)} A, PF ${pfLabel(c.pf)}, ${c.hz} Hz, ${shape}`;
}

/** The emulated board's chip fed by the accuracy bench's phantom load. */
export class EmulatedSource implements ReferenceSource {
  readonly kind = 'emulated' as const;
  readonly #chip: ATM90E26;
  readonly #time: SimTime & { now(): number };
  readonly #unit: MeterUnit;
  readonly #fe: FrontEnd;
  readonly #noiseSeed: number;
  #drive: WaveformDrive | null = null;
  /** 'waveform' for the next apply (a point the phasor level cannot model). */
  fidelity: 'phasor' | 'waveform' = 'phasor';

  constructor(chip: ATM90E26, time: SimTime, unit: MeterUnit, noiseSeed = 1) {
    this.#chip = chip;
    this.#time = time;
    this.#unit = unit;
    this.#fe = new FrontEnd(unit.profile);
    this.#noiseSeed = noiseSeed;
  }

  async apply(c: TestCondition): Promise<Applied> {
    const lines: SourceLines = sourceLines(c);
    const pins = pinsFor(this.#fe, lines, c.hz);
    if (this.fidelity === 'waveform') {
      this.#chip.setPins({ freqHz: c.hz, V: pins.V, IL: [], IN: [] });
      const rng = new Rng(this.#noiseSeed).fork(`board|${c.volts}|${c.amps}|${c.shape}`);
      this.#drive = new WaveformDrive(this.#time as never, this.#chip, this.#unit.profile, lines, c.hz, () => rng.next());
      this.#drive.start();
    } else {
      this.#chip.setPins(pins);
    }
    return { volts: rmsOf(lines.v), amps: c.amps, pf: c.pf.value, hz: c.hz, watts: truthWatts(lines), source: 'the bench\'s phantom load' };
  }

  get ctSaturatedShare(): number | null {
    const d = this.#drive;
    return d && d.samples > 0 ? d.frontEnd.ct.saturatedSamples / d.samples : null;
  }

  release(): void {
    this.#drive?.stop();
    this.#drive = null;
    this.#chip.setPins({ freqHz: 50, V: [], IL: [], IN: [] });
  }
}

/** Applied values per point name, as a source's own meter showed them. */
export type AppliedTable = Map<string, Partial<Omit<Applied, 'source'>>>;

export class AppliedFileError extends Error { constructor(m: string) { super(m); this.name = 'AppliedFileError'; } }

/**
 * An applied-values file (YAML or JSON): `points:` mapping each test point's name (as `osm accuracy` prints it) to
 * `{ volts, amps, pf, hz, watts }`, any of them; what is left out is the point's nominal value.
 */
export function loadAppliedFile(file: string): AppliedTable {
  let text: string;
  try { text = readInputFile(file, 4 << 20).toString('utf8'); } catch (e) {
    if (e instanceof InputFileError) throw new AppliedFileError(`--applied ${file}: cannot read it (${e.reason})`);
    throw e;
  }
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) { throw new AppliedFileError(`--applied ${file}: not YAML or JSON (${(e as Error).message.split('\n')[0]})`); }
  const points = (doc as { points?: unknown } | null)?.points;
  if (points === null || typeof points !== 'object' || Array.isArray(points)) throw new AppliedFileError(`--applied ${file}: expected 'points:' mapping each test point's name to { volts, amps, pf, hz, watts }`);
  const out: AppliedTable = new Map();
  const ranges: Record<string, [number, number]> = { volts: [0, 1000], amps: [0, 200], pf: [-1, 1], hz: [40, 70], watts: [-200000, 200000] };
  for (const [name, v] of Object.entries(points as Record<string, unknown>)) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AppliedFileError(`--applied ${file}: point '${name}': expected { volts, amps, pf, hz, watts }`);
    const row: Partial<Omit<Applied, 'source'>> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const r = ranges[k];
      if (!r) throw new AppliedFileError(`--applied ${file}: point '${name}': unknown key '${k}' (volts, amps, pf, hz, watts)`);
      if (typeof x !== 'number' || !Number.isFinite(x) || x < r[0] || x > r[1]) throw new AppliedFileError(`--applied ${file}: point '${name}': ${k} must be a number ${r[0]}..${r[1]}, got ${JSON.stringify(x)}`);
      (row as Record<string, number>)[k] = x;
    }
    out.set(name, row);
  }
  return out;
}

/** A person at a real reference source, answering on `input` (a terminal or a pipe). */
export class OperatorSource implements ReferenceSource {
  readonly kind = 'operator' as const;
  readonly #say: (text: string) => void;
  readonly #lines: AsyncIterator<string>;
  readonly #applied: AppliedTable | null;
  readonly #appliedFile: string | null;
  readonly #close: () => void;

  constructor(input: Readable, say: (text: string) => void, applied: { table: AppliedTable; file: string } | null = null) {
    this.#say = say;
    const rl = createInterface({ input, terminal: false });
    this.#lines = rl[Symbol.asyncIterator]();
    this.#close = () => rl.close();
    this.#applied = applied?.table ?? null;
    this.#appliedFile = applied?.file ?? null;
  }

  async apply(c: TestCondition, label: string, index: number, total: number): Promise<Applied> {
    this.#say(`point ${index + 1}/${total}: ${label}: set the reference source to ${describe(c)}; press Enter when it is applied and steady (q to stop)\n`);
    const next = await this.#lines.next();
    if (next.done || /^\s*q/i.test(next.value)) throw new SourceStopped(`stopped by the operator at point ${index + 1}/${total} (${label})`);
    const nominal = truthWatts(sourceLines(c));
    const row = this.#applied?.get(label);
    if (this.#applied && !row) this.#say(`  (${this.#appliedFile} has no entry for '${label}': the nominal values are taken as applied)\n`);
    const volts = row?.volts ?? c.volts;
    const amps = row?.amps ?? c.amps;
    const pf = row?.pf ?? c.pf.value;
    const hz = row?.hz ?? c.hz;
    // without a measured power, scale the point's own (harmonics and DC included) by the applied V, I and PF
    const watts = row?.watts ?? (c.amps > 0 && c.volts > 0 && c.pf.value !== 0 ? nominal * (volts / c.volts) * (amps / c.amps) * (pf / c.pf.value) : 0);
    return { volts, amps, pf, hz, watts, source: row ? `applied values from ${this.#appliedFile}` : 'the point\'s nominal values, confirmed by the operator' };
  }

  release(): void { /* the operator switches the current off before setting the next point */ }

  close(): void { this.#close(); }
}
