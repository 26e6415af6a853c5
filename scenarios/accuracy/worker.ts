// Worker thread of the Monte Carlo yield run (monte-carlo.ts): receives the job as workerData, then ranges of unit
// indices; answers each range with its outcomes, or with the error text.
import { parentPort, workerData } from 'node:worker_threads';
import { runUnit, type MonteCarloJob, type UnitOutcome } from './monte-carlo.ts';

const job = workerData as MonteCarloJob;
const port = parentPort;
if (!port) throw new Error('scenarios/accuracy/worker.ts runs only as a worker thread (see monte-carlo.ts)');

port.on('message', (msg: { from?: number; to?: number; stop?: boolean }) => {
  if (msg.stop) { port.close(); return; }
  void (async () => {
    try {
      const outcomes: UnitOutcome[] = [];
      for (let i = msg.from!; i < msg.to!; i++) outcomes.push(await runUnit(job, i));
      port.postMessage({ outcomes });
    } catch (err) {
      port.postMessage({ error: (err as Error)?.message ?? String(err) });
    }
  })();
});
