// Runs a scenario file on the real twin bench (its network too, when it has one) and records its trace as JSONL
// lines: what the library tests compare run against run.
import { loadScenario } from '../../scenarios/loader.ts';
import { runScenario } from '../../scenarios/runner.ts';
import { createBench } from '../../twin/kernel/bench.ts';
import { traceLine } from '../../twin/kernel/trace.ts';

export async function runWithTrace(file: string, seed: number): Promise<{ exitCode: number; trace: string; failure?: unknown }> {
  const scenario = await loadScenario(file);
  const bench = createBench({
    meter: scenario.meter, plant: scenario.plant, ...(scenario.network ? { network: scenario.network } : {}), seed, speed: 'max',
  });
  const lines: string[] = [];
  bench.trace.subscribe((ev) => lines.push(traceLine(ev)));
  try {
    const result = await runScenario(scenario, bench, { seed });
    return { exitCode: result.exitCode, trace: lines.join('\n'), failure: result.failure };
  } finally {
    await bench.close();
  }
}
