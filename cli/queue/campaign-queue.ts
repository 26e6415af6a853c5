// `osm run ... --queue URL`: a campaign's runs (scenario x cell) split into jobs, run by `osm worker`s, and merged in
// the plan's order (input order, then cell order), exactly as the local pool merges them, so the campaign's report is
// the same bytes whatever the number of workers and the order their jobs finish in.
import { planRecords, campaignExitCode, type CampaignPlan, type CampaignResult, type CampaignSpec } from '../../scenarios/campaign/campaign.ts';
import type { CampaignJob, RunRecord } from '../../scenarios/campaign/run-job.ts';
import { watchInterrupts } from '../../io/interrupt.ts';
import type { CliIo } from '../command.ts';
import type { QueueArgs } from './queue-options.ts';
import { runOnQueue } from './submit.ts';

/** Runs per job unless --chunk says: a scenario takes from a fraction of a second to minutes. */
export const DEFAULT_RUNS_PER_JOB = 1;

export interface CampaignQueueHooks {
  io: CliIo;
  quiet: boolean;
  onDone?: (record: RunRecord) => void;
  /** Runs finished so far (completed jobs plus the running jobs' progress). */
  onProgress?: (runsDone: number, workers: number) => void;
}

export async function runCampaignOnQueue(spec: CampaignSpec, plan: CampaignPlan, q: QueueArgs, hooks: CampaignQueueHooks): Promise<CampaignResult & { queueFailed: number; queueWorkers: string[] }> {
  const size = q.chunk ?? DEFAULT_RUNS_PER_JOB;
  const chunks: CampaignJob[][] = [];
  for (let i = 0; i < plan.jobs.length; i += size) chunks.push(plan.jobs.slice(i, i + size));
  const ran: RunRecord[] = new Array(plan.jobs.length);
  let completed = 0;
  const t0 = performance.now();
  const interrupts = watchInterrupts();
  let r;
  try {
    r = await runOnQueue({
      target: q.target, kind: 'campaign', chunks: chunks.map((jobs) => ({ jobs })),
      ...(q.lockMs !== undefined ? { lockMs: q.lockMs } : {}),
      ...(q.timeLimitMs !== undefined ? { timeLimitMs: q.timeLimitMs } : {}),
      interrupts,
      onChunk: (c, results) => {
        (results as RunRecord[]).forEach((record, i) => {
          ran[chunks[c][i].index] = record;
          hooks.onDone?.(record);
        });
        completed += results.length;
      },
      onProgress: (p) => hooks.onProgress?.(completed + p.runningItems, p.workers),
      onNoWorker: (id) => {
        if (!hooks.quiet) hooks.io.stderr.write(`osm run: queue ${id}: no worker has taken a job yet; start some with: osm worker --redis ${q.target.shown}\n`);
      },
    });
  } finally {
    interrupts.dispose();
  }
  for (const f of r.failed) {
    const jobs = chunks[f.chunk];
    const partial = f.partial as RunRecord[];
    jobs.forEach((job, i) => {
      if (partial[i] !== undefined) { ran[job.index] = partial[i]; return; }
      ran[job.index] = {
        name: job.scenario.name, file: job.scenario.file, status: 'error', exitCode: 3, seed: job.seed,
        error: { message: `not run: its queued job failed: ${f.reason.split('\n')[0]}` },
        ...(job.cell ? { cell: job.cell } : {}),
        wallMs: 0,
      };
    });
  }
  const records = planRecords(plan, ran);
  return {
    records,
    ...(spec.cells ? { cells: spec.cells } : {}),
    workers: r.workers.length,
    runs: plan.jobs.length,
    wallMs: performance.now() - t0,
    exitCode: campaignExitCode(records),
    queueFailed: r.failed.length,
    queueWorkers: r.workers,
  };
}
