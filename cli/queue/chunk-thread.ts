// Worker thread of `osm worker` (chunk-runner.ts): runs the items of one chunk at a time (campaign runs, Monte Carlo
// units, fleet meters) and posts each item's result as it finishes, so a chunk stopped at its time limit keeps what
// it had done. The thread keeps the process's event loop free for BullMQ's lock renewals while the simulator runs.
import { parentPort } from 'node:worker_threads';
import { fromWire, toWire } from '../../io/wire.ts';
import type { ChunkKind } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('cli/queue/chunk-thread.ts runs only as a worker thread (see chunk-runner.ts)');

type Post = (i: number, result: unknown) => void;
/** The chunk's progress (chunk-runner.ts's onProgress). */
type Report = (progress: unknown) => void;
type ItemRunner = (body: Record<string, unknown>, post: Post, report: Report) => Promise<void>;

const RUNNERS: Record<ChunkKind, ItemRunner> = {
  async campaign(body, post) {
    const { runJob } = await import('../../scenarios/campaign/run-job.ts');
    const jobs = body.jobs as import('../../scenarios/campaign/run-job.ts').CampaignJob[];
    for (let i = 0; i < jobs.length; i++) post(i, await runJob(jobs[i]));
  },
  async 'monte-carlo'(body, post) {
    const { runUnit } = await import('../../scenarios/accuracy/monte-carlo.ts');
    const job = body.job as import('../../scenarios/accuracy/monte-carlo.ts').MonteCarloJob;
    const from = body.from as number;
    const to = body.to as number;
    for (let i = from; i < to; i++) post(i - from, await runUnit(job, i));
  },
  async fleet(body, post, report) {
    const { runFleetChunk } = await import('../../scenarios/fleet/fleet-chunk.ts');
    // progress: { ready: true } once the meters are built, then { t } (simulated µs every meter reached) each simulated hour
    await runFleetChunk(body as unknown as import('../../scenarios/fleet/fleet-chunk.ts').FleetChunk, post, {
      onReady: () => report({ ready: true }),
      onSlice: (t) => report({ t }),
    });
  },
};

// The simulator's modules load before the first job's clock starts (a job's time limit is its own running time).
await Promise.all([
  import('../../scenarios/campaign/run-job.ts').then((m) => m.preloadTwin()),
  import('../../scenarios/accuracy/monte-carlo.ts'),
]);
port.postMessage({ ready: true });

port.on('message', (msg: { kind: ChunkKind; body: string }) => {
  void (async () => {
    try {
      const body = fromWire<Record<string, unknown>>(msg.body);
      await RUNNERS[msg.kind](body, (i, result) => port.postMessage({ i, result: toWire(result) }), (progress) => port.postMessage({ progress }));
      port.postMessage({ done: true });
    } catch (err) {
      port.postMessage({ error: (err as Error)?.stack ?? String(err) });
    }
  })();
});
