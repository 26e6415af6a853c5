// A campaign: many scenarios (and, with a matrix, each under several firmware builds and seeds) in one command.
// Every input is expanded and every scenario loaded before the first run, so an invalid one is known at once; the
// valid ones run anyway, and the invalid ones are reported beside them. Records come back in input order, then cell
// order, whatever the number of workers.
import { ScenarioError, loadScenario } from '../loader.ts';
import type { Scenario } from '../schema.ts';
import { applyEepromDump } from '../eeprom-dump.ts';
import { expandInputs } from './inputs.ts';
import { applyCell, type Cell } from './matrix.ts';
import { runJobs, workerCount, type PoolOptions } from './pool.ts';
import { invalidRecord, type CampaignJob, type RunRecord } from './run-job.ts';

export interface CampaignSpec {
  /** Files, folders and patterns, as typed. */
  inputs: readonly string[];
  /** The matrix cells; absent: each scenario runs once, as written. */
  cells?: readonly Cell[];
  /** Seed of every run (a seed cell replaces it). */
  seed: number;
  speed: 'max' | number;
  /** `--eeprom`: the dump every run starts from (replaces the scenarios' meter.eeprom; credit: eeprom-dump.ts). */
  eeprom?: { file: string; image: Uint8Array };
}

export interface CampaignResult {
  records: RunRecord[];
  cells?: readonly Cell[];
  /** Threads the runs used. */
  workers: number;
  /** Runs that were started (invalid inputs excluded). */
  runs: number;
  wallMs: number;
  exitCode: 0 | 1 | 2 | 3;
}

/** 2 if an input was invalid, else 3 if the simulator failed in a run, else 1 if an expectation failed, else 0. */
export function campaignExitCode(records: readonly RunRecord[]): 0 | 1 | 2 | 3 {
  if (records.some((r) => r.status === 'invalid')) return 2;
  if (records.some((r) => r.status === 'error')) return 3;
  if (records.some((r) => r.status === 'failed')) return 1;
  return 0;
}

/** One row of the plan: a record known before running (an invalid input) or the jobs of one scenario. */
type Slot = { record: RunRecord } | { jobs: CampaignJob[] };

export interface CampaignPlan {
  slots: Slot[];
  jobs: CampaignJob[];
  /** What the user should know before the runs (a scenario's credit and the --eeprom dump's differ). */
  notes: string[];
}

/** Expand the inputs, load every scenario, and make one job per scenario and cell. */
export async function planCampaign(spec: CampaignSpec): Promise<CampaignPlan> {
  const slots: Slot[] = [];
  const notes: string[] = [];
  const jobs: CampaignJob[] = [];
  for (const entry of expandInputs(spec.inputs)) {
    if ('problem' in entry) {
      slots.push({ record: invalidRecord(entry.problem.input, { message: `${entry.problem.input}: ${entry.problem.message}` }) });
      continue;
    }
    let scenario: Scenario;
    try {
      scenario = await loadScenario(entry.file);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      slots.push({ record: invalidRecord(entry.file, err) });
      continue;
    }
    if (spec.eeprom) {
      const note = applyEepromDump(scenario, spec.eeprom);
      if (note !== undefined) notes.push(note);
    }
    const own: CampaignJob[] = [];
    for (const cell of spec.cells ?? [undefined]) {
      const applied = cell ? applyCell(scenario, cell) : { scenario };
      const job: CampaignJob = {
        index: jobs.length,
        scenario: applied.scenario,
        seed: cell?.seed ?? spec.seed,
        speed: spec.speed,
        ...(cell ? { cell } : {}),
        ...(applied.override !== undefined ? { override: applied.override } : {}),
      };
      own.push(job);
      jobs.push(job);
    }
    slots.push({ jobs: own });
  }
  return { slots, jobs, notes };
}

/** The campaign's records in input order, then cell order: the plan's invalid inputs and the runs' records by job index. */
export function planRecords(plan: CampaignPlan, ran: readonly RunRecord[]): RunRecord[] {
  const records: RunRecord[] = [];
  for (const slot of plan.slots) {
    if ('record' in slot) records.push(slot.record);
    else for (const job of slot.jobs) records.push(ran[job.index]);
  }
  return records;
}

/**
 * The records as a report that depends on nothing but the inputs and seeds: JSON without the wall times, so a
 * campaign run on 1 thread, on 8, or on any number of queued workers gives the same bytes.
 */
export function deterministicReport(records: readonly RunRecord[]): string {
  return `${JSON.stringify(records.map(({ wallMs: _wall, ...rest }) => rest), null, 2)}\n`;
}

export async function runCampaign(spec: CampaignSpec, options: PoolOptions = {}, plan?: CampaignPlan): Promise<CampaignResult> {
  const p = plan ?? await planCampaign(spec);
  const t0 = performance.now();
  const ran = await runJobs(p.jobs, options);
  const records = planRecords(p, ran);
  return {
    records,
    ...(spec.cells ? { cells: spec.cells } : {}),
    workers: p.jobs.length === 0 ? 0 : options.makeBench ? 1 : workerCount(p.jobs.length, options.workers),
    runs: p.jobs.length,
    wallMs: performance.now() - t0,
    exitCode: campaignExitCode(records),
  };
}
