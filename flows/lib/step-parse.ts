// Node settings and messages are checked by the scenario language itself: a node's grid change, load, key
// presses or checks are written as one scenario step and read by the scenario loader, so a flow and a scenario
// file accept exactly the same values and say the same things about bad ones.
import { ScenarioError, parseScenario } from '../../scenarios/loader.ts';
import type { MeterSection, PlantSection, Step } from '../../scenarios/schema.ts';

/** A node's configuration or an input message is not usable; `message` says which value and why. */
export class NodeInputError extends Error {
  override readonly name = 'NodeInputError';
}

function scenarioText(meter: unknown, plant: unknown, steps: unknown[]): string {
  const lines = ['name: node', 'version: 1'];
  if (meter !== undefined) lines.push(`meter: ${JSON.stringify(meter)}`);
  if (plant !== undefined) lines.push(`plant: ${JSON.stringify(plant)}`);
  lines.push(`steps: ${JSON.stringify(steps)}`);
  return `${lines.join('\n')}\n`;
}

function parse(meter: unknown, plant: unknown, steps: unknown[]) {
  try {
    return parseScenario(scenarioText(meter, plant, steps), 'node');
  } catch (err) {
    if (err instanceof ScenarioError) throw new NodeInputError(err.detail);
    throw err;
  }
}

/** One step, e.g. `{ grid: { vrms: 180, for: '2s' } }`, checked and compiled as the scenario loader does. */
export function parseStep(step: Record<string, unknown>): Step {
  return parse(undefined, undefined, [step]).steps[0]!;
}

/** A scenario `meter:` and `plant:` section, checked as the loader does. */
export function parseSections(meter: Record<string, unknown>, plant: Record<string, unknown>): { meter: MeterSection; plant: PlantSection } {
  const s = parse(meter, plant, [{ log: 'settings' }]);
  return { meter: s.meter, plant: s.plant };
}
