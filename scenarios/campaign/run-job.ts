// One run of a campaign: a loaded scenario (with its matrix cell applied) on a fresh bench with its own seed. A run
// depends on nothing but its job, so the verdicts of a campaign do not depend on the number of workers or on the
// order in which runs finish; only `wallMs` does.
import { formatTime } from '../../twin/kernel/clock.ts';
import type { BenchControl } from '../../twin/kernel/bench-types.ts';
import { ScenarioError } from '../loader.ts';
import { ScenarioRunError, runScenario, type ScenarioResult } from '../runner.ts';
import type { BenchConfig, Scenario, Step } from '../schema.ts';
import type { Cell, FirmwareOverride } from './matrix.ts';

/** Builds the bench a scenario runs on (default: the twin's `createBench`, twin/kernel/bench.ts). */
export type MakeBench = (cfg: BenchConfig) => BenchControl | Promise<BenchControl>;

/** Load the twin's modules (seconds on a busy machine) before the first run, so no run's wall time includes it. */
export function preloadTwin(): Promise<unknown> {
  return import('../../twin/kernel/bench.ts');
}

export const defaultMakeBench: MakeBench = async (cfg) => {
  const { createBench } = await import('../../twin/kernel/bench.ts');
  return createBench(cfg);
};

/** Everything a run needs, as plain data (it crosses to a worker thread). */
export interface CampaignJob {
  /** Position in the campaign: results are reported in this order. */
  index: number;
  scenario: Scenario;
  seed: number;
  speed: 'max' | number;
  cell?: Cell;
  /** Set by `applyCell` when the cell changed the scenario's own firmware. */
  override?: FirmwareOverride;
}

export type RunStatus = 'passed' | 'failed' | 'invalid' | 'error';

/** Where and why a scenario is invalid (the loader's `file:line:col: message`), or what broke in the simulator. */
export interface RunError {
  /** The whole one-line message (`file:line:col: message`, or `step 2 (power cut) at 1.000s: ...`). */
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** The step (1-based) a simulator error happened in, and when. */
  step?: number;
  timeUs?: number;
  time?: string;
}

interface RecordExtras {
  cell?: Cell;
  /** The firmware the scenario names, and the one its cell ran instead. */
  firmwareOverride?: FirmwareOverride;
  /** Wall time of the run in milliseconds: the only field that changes from one campaign to the next. */
  wallMs: number;
}

/** A run that went to its end: the runner's result (the same object `osm run --json` prints for one scenario). */
export type FinishedRecord = ScenarioResult & RecordExtras;

/** A run that could not be judged: the input was invalid (exit 2) or the simulator failed (exit 3). */
export interface BrokenRecord extends RecordExtras {
  name?: string;
  file: string;
  status: 'invalid' | 'error';
  exitCode: 2 | 3;
  seed?: number;
  error: RunError;
}

export type RunRecord = FinishedRecord | BrokenRecord;

/** A scenario that did not load, as a record (with every cell of a matrix it would have run in). */
export function invalidRecord(file: string, err: ScenarioError | { message: string }, cell?: Cell): BrokenRecord {
  const where = err instanceof ScenarioError ? { file: err.file, line: err.line, col: err.col } : { file };
  return { file, status: 'invalid', exitCode: 2, error: { message: err.message, ...where }, ...(cell ? { cell } : {}), wallMs: 0 };
}

export interface RunJobHooks {
  /** Called as each step starts (the run is in this thread: the only moments a progress display can update). */
  onStep?: (step: Step, text: string, nowUs: number) => void;
}

export async function runJob(job: CampaignJob, makeBench: MakeBench = defaultMakeBench, hooks: RunJobHooks = {}): Promise<RunRecord> {
  const { scenario, seed } = job;
  const extras = (wallMs: number): RecordExtras => ({
    ...(job.cell ? { cell: job.cell } : {}),
    ...(job.override !== undefined ? { firmwareOverride: job.override } : {}),
    wallMs,
  });
  const t0 = performance.now();
  let bench: BenchControl | undefined;
  let record: RunRecord;
  try {
    bench = await makeBench({ meter: scenario.meter, plant: scenario.plant, ...(scenario.network ? { network: scenario.network } : {}), seed, speed: job.speed });
    const b = bench;
    const result = await runScenario(scenario, b, {
      seed,
      ...(hooks.onStep ? { onStep: (step: Step, text: string) => hooks.onStep!(step, text, b.now()) } : {}),
    });
    record = { ...result, ...extras(0) };
  } catch (err) {
    if (err instanceof ScenarioError) {
      record = { ...invalidRecord(scenario.file, err), name: scenario.name, seed, ...extras(0) };
    } else if (err instanceof ScenarioRunError) {
      record = {
        name: scenario.name, file: scenario.file, status: 'error', exitCode: 3, seed,
        error: { message: `simulation error: ${err.message}`, step: err.step, timeUs: err.timeUs, time: formatTime(err.timeUs) },
        ...extras(0),
      };
    } else {
      record = {
        name: scenario.name, file: scenario.file, status: 'error', exitCode: 3, seed,
        error: { message: `internal error: ${(err as Error)?.message ?? String(err)}` },
        ...extras(0),
      };
    }
  } finally {
    try { await bench?.close(); } catch { /* the run's outcome is already known; a failing close adds nothing */ }
  }
  record.wallMs = Math.round((performance.now() - t0) * 10) / 10;
  return record;
}

/** True for an invalid input or a simulator error (a record with `error` and no verdict of its own). */
export function isBroken(r: RunRecord): r is BrokenRecord {
  return r.status === 'invalid' || r.status === 'error';
}
