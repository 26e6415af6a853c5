// Worker thread of the Monte Carlo yield run (monte-carlo.ts): receives the job as workerData, then ranges of unit
// indices; answers each range with its outcomes and
// the thread's peak heap so far, or with the failing unit's error (its text with the unit's number, and its name).
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { runUnit, type MonteCarloJob, type UnitOutcome } from './monte-carlo.ts';

const job = workerData as MonteCarloJob;
const port = parentPort;
if (!port) throw new Error('scenarios/accuracy/worker.ts runs only as a worker thread (see monte-carlo.ts)');

/** Peak memory of this thread's V8 isolate (physical heap pages plus memory V8 allocated outside them), in bytes. */
let peakHeapBytes = 0;
function sampleHeap(): number {
  const h = getHeapStatistics();
  peakHeapBytes = Math.max(peakHeapBytes, h.total_physical_size + h.malloced_memory + h.external_memory);
  return peakHeapBytes;
}

port.on('message', (msg: { from?: number; to?: number; stop?: boolean }) => {
  if (msg.stop) { port.close(); return; }
  void (async () => {
    const outcomes: UnitOutcome[] = [];
    for (let i = msg.from!; i < msg.to!; i++) {
      try {
        outcomes.push(await runUnit(job, i));
      } catch (err) {
        // the unit's number, and the error's name (an input error stays one: a CT curve too steep for this unit)
        port.postMessage({ error: `unit ${i}: ${(err as Error)?.message ?? String(err)}`, errorName: (err as Error)?.name });
        return;
      }
    }
    port.postMessage({ outcomes, peakHeapBytes: sampleHeap() });
  })();
});
