// Benchmark: the cost of driving a scenario through Node-RED instead of `osm run`. The library's credit-runs-out
// scenario (about 40 min of meter time) is run three ways: as `osm run` does (loader, bench, runner, in-process);
// in a headless Node-RED (`osm flow run`) by an osm-scenario node; and as a chain of osm-* nodes (load, waits,
// expects) doing the same steps, every step a message through the runtime and the meter's queue. Prints wall times
// and ratios; Node-RED's start-up and the idle time that ends a headless run are shown apart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import type { Benchmark } from './benchmarks.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO = join(ROOT, 'scenarios', 'library', 'credit-runs-out.yaml');
const QUIET_MS = 400;

/** The scenario's steps as osm-* nodes: meter as its meter/plant sections, then load, waits and expects in a chain. */
function chainFlow(): Record<string, unknown>[] {
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
  const nodes: Record<string, unknown>[] = [
    { id: 'chain', type: 'tab', label: 'chain' },
    { id: 'm2', type: 'osm-meter', firmware: 'field', mode: 'sts', credit: '2', clock: '2026-03-01T08:00:00', vrms: '240', hz: '50', seed: '1' },
  ];
  steps.forEach(([type, cfg], i) => {
    const next = i + 1 < steps.length ? [`c${i + 1}`] : [];
    nodes.push({ id: `c${i}`, type, z: 'chain', meter: 'm2', ...cfg, wires: type === 'osm-expect' ? [next, []] : [next] });
  });
  return nodes;
}

export const NODE_RED_BENCHMARK: Benchmark = {
  name: 'node-red-overhead',
  description: 'credit-runs-out (40 min of meter time): osm run vs the same scenario through a headless Node-RED',
  async run(progress) {
    progress('osm run');
    const w0 = performance.now();
    const scenario = await loadScenario(SCENARIO);
    const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed: 1, speed: 'max' });
    const direct = await runScenario(scenario, bench, { seed: 1 });
    await bench.close();
    const directS = (performance.now() - w0) / 1000;

    const dir = mkdtempSync(join(tmpdir(), 'osm-bench-flow-'));
    try {
      const file = join(dir, 'flow.json');
      writeFileSync(file, JSON.stringify([
        { id: 'main', type: 'tab', label: 'scenario node' },
        { id: 'm1', type: 'osm-meter', seed: '1' },
        { id: 'i1', type: 'inject', z: 'main', props: [], repeat: '', once: false, wires: [['s1']] },
        { id: 's1', type: 'osm-scenario', z: 'main', meter: 'm1', source: 'file', file: SCENARIO, wires: [['c0']] },
        ...chainFlow(),
      ]));
      progress('Node-RED');
      const { runFlowFile } = await import('../flows/flow-runner.ts');
      const t0 = performance.now();
      let started = 0;
      const at: number[] = [];
      const result = await runFlowFile(file, { quietMs: QUIET_MS, onStarted: () => { started = performance.now(); }, onVerdict: () => { at.push(performance.now()); } });
      const end = performance.now();
      const startupS = (started - t0) / 1000;
      const viaNodeS = (at[0]! - started) / 1000;
      const chainS = (at[at.length - 1]! - at[0]!) / 1000;
      const totalS = (end - t0) / 1000;
      return [
        `osm run: ${directS.toFixed(2)} s (${direct.status})`,
        `Node-RED start-up (runtime, nodes, flow): ${startupS.toFixed(2)} s; end of run on ${QUIET_MS} ms idle`,
        `osm-scenario node running the file: ${viaNodeS.toFixed(2)} s, ${(viaNodeS / directS).toFixed(2)}x osm run`,
        `the same steps as a chain of ${chainFlow().length - 2} osm-* nodes: ${chainS.toFixed(2)} s, ${(chainS / directS).toFixed(2)}x osm run`,
        `osm flow run in all: ${totalS.toFixed(2)} s (${result.status}, ${result.verdicts.length} verdicts); overhead of the runtime ${(totalS - viaNodeS - chainS).toFixed(2)} s`,
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
