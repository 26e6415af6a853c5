// Worker thread of a campaign (pool.ts): runs the jobs it is sent, one at a time, on the twin, and answers each with
// its record. A run's own failures are in its record; only a broken thread ends the campaign.
import { parentPort } from 'node:worker_threads';
import { preloadTwin, runJob, type CampaignJob } from './run-job.ts';

const port = parentPort;
if (!port) throw new Error('scenarios/campaign/worker.ts runs only as a worker thread (see pool.ts)');
// Jobs sent meanwhile wait in the port's queue: the first run's wall time does not include loading the twin.
await preloadTwin();

port.on('message', (msg: { at?: number; job?: CampaignJob; stop?: boolean }) => {
  if (msg.stop) { port.close(); return; }
  void runJob(msg.job!).then((record) => port.postMessage({ at: msg.at, record }));
});
