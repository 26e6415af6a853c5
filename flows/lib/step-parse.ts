// Node settings and messages are checked by the scenario language itself: a node's grid change, load, key
// presses or checks are written as one scenario step and read by the scenario loader, so a flow and a scenario
// file accept exactly the same values and say the same things about bad ones.
import { ScenarioError, parseScenario } from '../../scenarios/loader.ts';
import type { MeterSection, PlantSection, Step } from '../../scenarios/schema.ts';
import type { NetworkSetup } from '../../twin/comms/comms.ts';

/** A node's configuration or an input message is not usable; `message` says which value and why. */
export class NodeInputError extends Error {
  override readonly name = 'NodeInputError';
}

function scenarioText(meter: unknown, plant: unknown, steps: unknown[], network?: unknown): string {
  const lines = ['name: node', 'version: 1'];
  if (meter !== undefined) lines.push(`meter: ${JSON.stringify(meter)}`);
  if (plant !== undefined) lines.push(`plant: ${JSON.stringify(plant)}`);
  if (network !== undefined) lines.push(`network: ${JSON.stringify(network)}`);
  lines.push(`steps: ${JSON.stringify(steps)}`);
  return `${lines.join('\n')}\n`;
}

function parse(meter: unknown, plant: unknown, steps: unknown[], network?: unknown) {
  try {
    return parseScenario(scenarioText(meter, plant, steps, network), 'node');
  } catch (err) {
    if (err instanceof ScenarioError) throw new NodeInputError(err.detail);
    throw err;
  }
}

/**
 * One step, e.g. `{ grid: { vrms: 180, for: '2s' } }`, checked and compiled as the scenario loader does. The
 * communications steps (`network:`, `topup:`) are read as in a scenario with a `network:` section.
 */
export function parseStep(step: Record<string, unknown>): Step {
  const comms = 'network' in step || 'topup' in step;
  return parse(undefined, undefined, [step], comms ? {} : undefined).steps[0]!;
}

/** A scenario's top-level `network:` section (`{ coverage: true, latency: '250ms' }`), checked as the loader does. */
export function parseNetworkSection(network: Record<string, unknown>): NetworkSetup {
  return parse(undefined, undefined, [{ log: 'settings' }], network).network ?? {};
}

/** A scenario `meter:` and `plant:` section, checked as the loader does. */
export function parseSections(meter: Record<string, unknown>, plant: Record<string, unknown>): { meter: MeterSection; plant: PlantSection } {
  const s = parse(meter, plant, [{ log: 'settings' }]);
  return { meter: s.meter, plant: s.plant };
}
