// Benchmark: the cost of driving a scenario through Node-RED instead of `osm run`. The library's credit-runs-out
// scenario (about 22 min of meter time) is run three ways: as `osm run` does (loader, bench, runner, in-process);
// in a headless Node-RED (`osm flow run`) by an osm-scenario node; and as a chain of osm-* nodes (load, waits,
// expects) doing the same steps, every step a message through the runtime and the meter's queue. Prints wall times
// and ratios of the second run of each (the first compiles the code); Node-RED's start-up is shown apart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import type { Benchmark } from './benchmark.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = join(ROOT, 'scenarios', 'library', 'credit-runs-out.yaml');
const QUIET_MS = 400;

/** The scenario's steps as osm-* nodes: meter as its meter/plant sections, then load, waits and expects in a chain. */
function chainFlow(tag: string, after: string | null): Record<string, unknown>[] {
  const steps: [string, Record<string, unknown>][] = [
    ['osm-load', { action: 'set', loadId: 'heater', kind: 'resistive', watts: '3000', pf: '1' }],
    ['osm-wait', { duration: '1min' }],
    ['osm-expect', { checks: 'relay: closed\nled.green: "off"\ncredit: { min: 1.5, max: 2 }', timeout: '' }],
    ['osm-expect', { checks: 'power: { approx: 3000, tolPercent: 10 }\nvoltage: { approx: 240, tolPercent: 3 }', timeout: '' }],
    ['osm-wait', { duration: '15min' }],
    ['osm-expect', { checks: 'relay: closed\ncredit: { min: 1.1, max: 1.5 }', timeout: '' }],
    ['osm-expect', { checks: 'relay: open', timeout: '20min' }],
    ['osm-expect', { checks: 'led.red: "on"\nled.green: "off"\ncredit: { max: 1 }', timeout: '' }],
    ['osm-expect', { checks: 'lcd.line0: "/CREDIT=#0\\\\.\\\\d\\\\d/"', timeout: '15s' }],
  ];
  const m = `${tag}m`;
  const nodes: Record<string, unknown>[] = [
    { id: `${tag}tab`, type: 'tab', label: `chain ${tag}` },
    { id: m, type: 'osm-meter', firmware: 'field', mode: 'sts', credit: '2', clock: '2026-03-01T08:00:00', vrms: '240', hz: '50', seed: '1' },
  ];
  steps.forEach(([type, cfg], i) => {
    const next = i + 1 < steps.length ? [`${tag}${i + 1}`] : after ? [after] : [];
    nodes.push({ id: `${tag}${i}`, type, z: `${tag}tab`, meter: m, ...cfg, wires: type === 'osm-expect' ? [next, []] : [next] });
  });
  return nodes;
}

const CHAIN_STEPS = 9;
const CHAIN_VERDICTS = 6;

async function direct(): Promise<{ s: number; status: string; endUs: number }> {
  const w0 = performance.now();
  const scenario = await loadScenario(SCENARIO);
  const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed: 1, speed: 'max' });
  const r = await runScenario(scenario, bench, { seed: 1 });
  await bench.close();
  return { s: (performance.now() - w0) / 1000, status: r.status, endUs: r.endUs };
}

export const NODE_RED_BENCHMARK: Benchmark = {
  name: 'node-red-overhead',
  description: 'credit-runs-out (22 min of meter time): osm run vs the same scenario through a headless Node-RED',
  async run(progress) {
    // Each way runs twice and the second run is timed: the first pays for compiling the code (the nodes run a
    // compiled copy of the twin, flows/dist, which warms up on its own).
    progress('osm run');
    await direct();
    const d = await direct();
    const directS = d.s;

    const dir = mkdtempSync(join(tmpdir(), 'osm-bench-flow-'));
    try {
      const file = join(dir, 'flow.json');
      writeFileSync(file, JSON.stringify([
        { id: 'main', type: 'tab', label: 'scenario node' },
        { id: 'm1', type: 'osm-meter', seed: '1' },
        { id: 'i1', type: 'inject', z: 'main', props: [], repeat: '', once: false, wires: [['s1']] },
        { id: 's1', type: 'osm-scenario', z: 'main', meter: 'm1', source: 'file', file: SCENARIO, wires: [['s2']] },
        { id: 's2', type: 'osm-scenario', z: 'main', meter: 'm1', source: 'file', file: SCENARIO, wires: [['a0']] },
        ...chainFlow('a', 'b0'),
        ...chainFlow('b', null),
      ]));
      progress('Node-RED');
      const { runFlowFile } = await import('../flows/flow-runner.ts');
      const t0 = performance.now();
      let started = 0;
      const at: number[] = [];
      const result = await runFlowFile(file, { quietMs: QUIET_MS, onStarted: () => { started = performance.now(); }, onVerdict: () => { at.push(performance.now()); } });
      const end = performance.now();
      const startupS = (started - t0) / 1000;
      if (at.length !== 2 + 2 * CHAIN_VERDICTS) throw new Error(`expected ${2 + 2 * CHAIN_VERDICTS} verdicts, got ${at.length}: ${JSON.stringify(result.verdicts.map((v) => v.message))}`);
      const viaNodeS = (at[1]! - at[0]!) / 1000;
      const chainS = (at[at.length - 1]! - at[1 + CHAIN_VERDICTS]!) / 1000;
      const totalS = (end - t0) / 1000;
      return [
        `osm run: ${directS.toFixed(2)} s (${d.status})`,
        `Node-RED start-up (runtime, nodes, flow): ${startupS.toFixed(2)} s; end of run on ${QUIET_MS} ms idle`,
        `osm-scenario node running the file: ${viaNodeS.toFixed(2)} s, ${(viaNodeS / directS).toFixed(2)}x osm run`,
        `the same steps as a chain of ${CHAIN_STEPS} osm-* nodes: ${chainS.toFixed(2)} s, ${(chainS / directS).toFixed(2)}x osm run `
          + `(meter time ${(result.verdicts[result.verdicts.length - 1]!.timeUs / 60e6).toFixed(1)} min vs ${(d.endUs / 60e6).toFixed(1)} min)`,
        `osm flow run in all (each way twice): ${totalS.toFixed(2)} s (${result.status}, ${result.verdicts.length} verdicts)`,
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
