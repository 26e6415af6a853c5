// Worker thread of test/library-board.test.ts: runs the scenario files it is given on the emulated board (the firmware
// twin driving an in-process StandardFirmataPlus board through johnny-five) and posts each run's step verdicts.
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../../scenarios/loader.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { createRigBench, parseBoardChoice } from '../../hil-rig/rig-bench.ts';

export interface BoardRun { file: string; status: string; steps: string[]; failure?: string; deviations: number; error?: string }

const files = (workerData as { files: string[] }).files;
for (const file of files) {
  const out: BoardRun = { file, status: 'error', steps: [], deviations: 0 };
  try {
    const sc = await loadScenario(file);
    const bench = await createRigBench({ meter: sc.meter, plant: sc.plant, ...(sc.network ? { network: sc.network } : {}), seed: 1, speed: 'max' }, parseBoardChoice({ board: 'emulated' })!);
    bench.trace.subscribe((ev) => { if (ev.kind === 'deviation') out.deviations++; });
    try {
      const r = await runScenario(sc, bench, { seed: 1 });
      out.status = r.status;
      out.steps = r.steps.map((s) => s.status);
      if (r.failure) out.failure = `${r.failure.reason} at ${r.failure.time}`;
    } finally {
      await bench.close();
    }
  } catch (e) {
    out.error = (e as Error).message;
  }
  parentPort!.postMessage(out);
}
parentPort!.postMessage({ done: true });
