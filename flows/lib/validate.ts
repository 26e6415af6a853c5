// The configuration check of every osm-* node type, shared by the nodes themselves (red status and a catchable
// error) and by `osm flow run` (exit 2 naming the node's id, type and the reason before anything runs).
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration } from '../../twin/kernel/clock.ts';
import { observableInfo, OBSERVABLE_NAMES } from '../../scenarios/schema.ts';
import { accuracyJob } from './accuracy-run.ts';
import { parseChecks } from './checks.ts';
import { parseMeterSettings, type MeterNodeSettings, type MeterSetup } from './meter-settings.ts';
import { scenarioItems } from './scenario-run.ts';
import { NodeInputError } from './step-parse.ts';
import { controlAction, gridChange, keyEntry, loadOp, waitSpec, CONTROL_ACTIONS } from './stimuli.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import { changeIsEmpty, networkOp } from './network.ts';

export const NODE_TYPES = [
  'osm-meter', 'osm-grid', 'osm-load', 'osm-keypad', 'osm-control', 'osm-wait', 'osm-observe', 'osm-expect',
  'osm-scenario', 'osm-accuracy', 'osm-report', 'osm-network',
] as const;
export type OsmNodeType = (typeof NODE_TYPES)[number];

/** Node types that drive a meter and must name an osm-meter config node in `meter`. */
export const NEEDS_METER: readonly string[] = ['osm-grid', 'osm-load', 'osm-keypad', 'osm-control', 'osm-wait', 'osm-observe', 'osm-expect', 'osm-network'];

export type Config = Record<string, unknown>;
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export interface ObserveSettings { names: string[]; mode: 'change' | 'sample'; periodUs: number }

export function observeSettings(c: Config): ObserveSettings {
  const names = str(c.observables).split(/[\s,]+/).filter((s) => s !== '');
  if (names.length === 0) throw new NodeInputError('observables: name at least one (relay, led.red, led.green, buzzer, lcd, credit, energy, voltage, current, power, ...)');
  for (const n of names) {
    if (!observableInfo(n)) throw new NodeInputError(`observables: unknown observable '${n}' (known: ${OBSERVABLE_NAMES.join(', ')})`);
  }
  const mode = str(c.mode) || 'change';
  if (mode !== 'change' && mode !== 'sample') throw new NodeInputError(`mode: expected change or sample, got '${mode}'`);
  let periodUs = 1e6;
  if (mode === 'sample') {
    const p = parseDuration(str(c.period) || '1s');
    if (p === null || !(p > 0)) throw new NodeInputError(`period: expected a duration with a unit (100ms, 1s, 1min), got '${str(c.period)}'`);
    periodUs = p;
  }
  return { names, mode, periodUs };
}

export interface ReportSettings { title: string; junit?: string; html?: string }

/** An output path the report may write: its folder exists and it is not a folder. Relative to `cwd`. */
export function outputPath(what: string, p: string, cwd = process.cwd()): string {
  const full = resolve(cwd, p);
  let dirOk = false;
  try { dirOk = statSync(dirname(full)).isDirectory(); } catch { dirOk = false; }
  if (!dirOk) throw new NodeInputError(`${what}: the folder of '${p}' does not exist`);
  let isDir = false;
  try { isDir = statSync(full).isDirectory(); } catch { isDir = false; }
  if (isDir) throw new NodeInputError(`${what}: '${p}' is a folder`);
  return full;
}

export function reportSettings(c: Config, cwd = process.cwd()): ReportSettings {
  const junit = str(c.junit).trim();
  const html = str(c.html).trim();
  return {
    title: str(c.title).trim() || 'OpenSmartMeter Twin flow',
    ...(junit ? { junit: outputPath('junit', junit, cwd) } : {}),
    ...(html ? { html: outputPath('html', html, cwd) } : {}),
  };
}

/**
 * Check one node's configuration. `meterOf` gives the setup of the osm-meter node a config names (or throws).
 * Throws NodeInputError with the setting and the reason.
 */
export function validateNode(type: string, c: Config, meterOf: (id: string) => MeterSetup): void {
  let setup: MeterSetup | undefined;
  if (NEEDS_METER.includes(type)) {
    const id = str(c.meter);
    if (id === '') throw new NodeInputError('meter: no osm-meter selected');
    setup = meterOf(id);
  }
  switch (type) {
    case 'osm-meter': parseMeterSettings(c as MeterNodeSettings); return;
    case 'osm-grid':
      if ((str(c.action) || 'set') === 'set' && [c.vrms, c.hz, c.harmonics].every((v) => str(v).trim() === '')) return; // msg.grid supplies it
      gridChange(c, setup!);
      return;
    case 'osm-load': loadOp(c); return;
    case 'osm-keypad': {
      const source = str(c.source) || 'keys';
      const complete = source === 'keys' ? str(c.keys).trim() !== '' : source === 'sts' ? str(c.amount).trim() !== '' : source === 'opaygo' ? str(c.value).trim() !== '' && str(c.count).trim() !== '' : true;
      if (complete) keyEntry(c, () => new Rng(1));
      else if (str(c.hold) !== '' || str(c.gap) !== '') keyEntry({ ...c, source: 'keys', keys: '#' }, () => new Rng(1));
      return;
    }
    case 'osm-control': controlAction(str(c.action)); return;
    case 'osm-wait': waitSpec(c); return;
    case 'osm-observe': observeSettings(c); return;
    case 'osm-expect': parseChecks(c.checks, str(c.timeout)); return;
    case 'osm-scenario': scenarioItems(c); return;
    case 'osm-accuracy': accuracyJob(c); return;
    case 'osm-report': reportSettings(c); return;
    case 'osm-network': {
      if (!setup!.network) throw new NodeInputError('meter: the selected osm-meter has its modem mute (set its Modem to connected)');
      const action = str(c.action) || 'change';
      if ((action === 'change' && changeIsEmpty(c)) || (action === 'topup' && str(c.amount).trim() === '')) return; // the message supplies it
      networkOp(c);
      return;
    }
    default: throw new NodeInputError(`unknown osm node type '${type}'`);
  }
}

export { CONTROL_ACTIONS };
