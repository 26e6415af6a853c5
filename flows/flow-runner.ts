// `osm flow run`: a flow file run headless in an in-process Node-RED, on the meter's virtual time, to a verdict.
//
// 1. The file is checked before anything runs: JSON, a flow export (an array of nodes with id and type), every
//    osm-* node's configuration (the same check the node makes), every node type installed. A problem is a
//    FlowInputError naming the node's id, type and the reason (exit 2).
// 2. Node-RED starts with the flow (no editor, no HTTP), the osm-* nodes of this package and the core nodes.
// 3. Inject nodes that fire by themselves ("inject once") do so; every other inject node without a repeat is fired
//    once, in file order, after the flow has started: that is the button a user would click in the editor.
// 4. The run ends when the flow is idle: no osm-* node working and no message moving for `quietMs` of wall time.
//    The verdicts (osm-expect, osm-scenario, osm-accuracy) and the errors nodes raised give the result: exit 0 when
//    every verdict passed and nothing raised an error, 1 otherwise (also when the flow reached no verdict at all).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { InputFileError, readInputFile } from '../io/input-file.ts';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFlowsBuilt } from './build.ts';
import { nodeRedSettings, type RedRuntime } from './embed.ts';
import { parseMeterSettings, type MeterNodeSettings, type MeterSetup } from './lib/meter-settings.ts';
import { NodeInputError } from './lib/step-parse.ts';
import { NODE_TYPES, validateNode } from './lib/validate.ts';
import { ERROR_EVENT, VERDICT_EVENT } from './lib/node-runner.ts';
import type { Verdict } from './lib/verdict.ts';

const require = createRequire(import.meta.url);

/** The flow file cannot run as it is (exit 2). */
export class FlowInputError extends Error {
  override readonly name = 'FlowInputError';
}

export interface FlowNode { id: string; type: string; name?: string; z?: string; [k: string]: unknown }

export interface NodeProblem { id: string; type: string; name?: string; message: string }

export interface FlowRunOptions {
  /** Wall-clock limit of the whole run, ms (default 30 min). */
  timeoutMs?: number;
  /** Idle time that ends the run, ms (default 400). */
  quietMs?: number;
  /** Called with each verdict as it is reached. */
  onVerdict?: (v: Verdict) => void;
  /** Called with each error a node raises. */
  onError?: (p: NodeProblem) => void;
  /** Called once the flow has started, just before its inject nodes are fired. */
  onStarted?: () => void;
  /** Stop (Ctrl-C): the run throws the signal's reason within 50 ms; Node-RED is stopped and its folder removed. */
  signal?: AbortSignal;
}

export interface FlowRunResult {
  file: string;
  status: 'passed' | 'failed';
  exitCode: 0 | 1;
  verdicts: Verdict[];
  errors: NodeProblem[];
  /** Why the run failed when no verdict or error says it (no verdict, timeout). */
  note?: string;
  /** Inject nodes fired by the runner. */
  fired: string[];
}

const STRUCTURAL = new Set(['tab', 'subflow', 'group', 'junction', 'comment']);

function describeNode(n: { id: string; type: string; name?: string }): string {
  return `node ${n.id} (${n.type}${n.name ? ` "${n.name}"` : ''})`;
}

/** Read and check a flow file; throws FlowInputError. */
export function loadFlowFile(file: string): FlowNode[] {
  let text: string;
  try { text = readInputFile(file, 16 << 20).toString('utf8'); } catch (err) {
    if (err instanceof InputFileError) throw new FlowInputError(`${file}: cannot read the flow: ${err.reason}`);
    throw err;
  }
  let data: unknown;
  try { data = JSON.parse(text); } catch (err) {
    throw new FlowInputError(`${file}: not JSON: ${(err as Error).message}`);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as { flows?: unknown }).flows)) data = (data as { flows: unknown }).flows;
  if (!Array.isArray(data)) throw new FlowInputError(`${file}: expected a flow export (a JSON array of nodes, as the editor's Export gives)`);
  const ids = new Set<string>();
  data.forEach((n, i) => {
    if (!n || typeof n !== 'object' || typeof (n as FlowNode).id !== 'string' || typeof (n as FlowNode).type !== 'string') {
      throw new FlowInputError(`${file}: entry ${i + 1} is not a node (an object with a string id and type)`);
    }
    if (ids.has((n as FlowNode).id)) throw new FlowInputError(`${file}: two nodes have the id ${(n as FlowNode).id}`);
    ids.add((n as FlowNode).id);
  });
  const nodes = data as FlowNode[];
  checkOsmNodes(file, nodes);
  return nodes;
}

/** Check every osm-* node's configuration as the node itself will. */
export function checkOsmNodes(file: string, nodes: readonly FlowNode[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const meterOf = (id: string): MeterSetup => {
    const m = byId.get(id);
    if (!m || m.type !== 'osm-meter') throw new NodeInputError(`meter: there is no osm-meter node with id ${id} in the flow`);
    try { return parseMeterSettings(m as MeterNodeSettings); } catch (err) {
      throw new NodeInputError(`meter: the osm-meter node ${id} is invalid: ${(err as Error).message}`);
    }
  };
  for (const n of nodes) {
    if (!n.type.startsWith('osm-') || n.d === true) continue;
    if (!(NODE_TYPES as readonly string[]).includes(n.type)) throw new FlowInputError(`${file}: ${describeNode(n)}: unknown node type (this package has ${NODE_TYPES.join(', ')})`);
    try { validateNode(n.type, n, meterOf); } catch (err) {
      if (err instanceof NodeInputError) throw new FlowInputError(`${file}: ${describeNode(n)}: ${err.message}`);
      throw err;
    }
  }
}

let used = false;

/** Run a flow file to its verdict. Node-RED runs once per process: a second call is refused. */
export async function runFlowFile(file: string, opts: FlowRunOptions = {}): Promise<FlowRunResult> {
  const nodes = loadFlowFile(file);
  if (used) throw new Error('a flow has already run in this process (Node-RED runs once per process)');
  used = true;
  await ensureFlowsBuilt();
  const userDir = mkdtempSync(join(tmpdir(), 'osm-flow-'));
  const errors: NodeProblem[] = [];
  const verdicts: Verdict[] = [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const record = (p: NodeProblem): void => {
    const key = `${p.id}\u0000${p.message}`;
    if (seen.has(key)) return; // an osm-* node's error is both announced and logged
    seen.add(key);
    errors.push(p);
    opts.onError?.(p);
  };
  // Errors of nodes: logged by Node-RED when no Catch node handles them; osm-* nodes also announce theirs.
  const logHandler = () => (m: { level: number; msg?: unknown; type?: string; id?: string; name?: string }) => {
    if (m.level > 20 || !m.id) return; // errors (20) and fatal (10) of nodes only
    const n = byId.get(m.id);
    const message = typeof m.msg === 'string' ? m.msg : (m.msg as Error)?.message ?? JSON.stringify(m.msg);
    record({ id: m.id, type: m.type ?? n?.type ?? '?', ...(n?.name ? { name: n.name } : {}), message: message.replace(/^Error: /, '') });
  };
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(nodes));
  const RED = require('node-red') as RedRuntime;
  let lastActivity = Date.now();
  let inflight = 0;
  let delivering = 0;
  const touch = (): void => { lastActivity = Date.now(); };
  const isOsm = (ev: { destination?: { node?: { type?: string } }; node?: { node?: { type?: string } } }, t?: string): boolean => (t ?? '').startsWith('osm-');
  try {
    RED.init(null, { ...nodeRedSettings({ userDir, adminRoot: false, nodeRoot: false, logLevel: process.env.OSM_FLOW_LOG ?? 'off', logHandler }), SKIP_BUILD_CHECK: true });
    RED.events.on(VERDICT_EVENT, (v: Verdict) => { verdicts.push(v); touch(); opts.onVerdict?.(v); });
    RED.events.on(ERROR_EVENT, (p: NodeProblem) => { touch(); record(p); });
    // Hooks must take exactly one argument: Node-RED treats any other arity as callback style and waits for the callback.
    // A message routed to a node but not yet received (delivery waits for the event loop's check phase) is work
    // in progress too: after a long synchronous stretch the idle timer may run before the delivery does.
    RED.hooks.add('onSend.osmFlowRun', (_events: unknown) => { touch(); });
    RED.hooks.add('preDeliver.osmFlowRun', (_ev: unknown) => { touch(); delivering++; });
    RED.hooks.add('onReceive.osmFlowRun', (ev: { destination: { node: { type: string } } }) => { touch(); delivering--; if (isOsm(ev, ev.destination?.node?.type)) inflight++; });
    RED.hooks.add('onComplete.osmFlowRun', (ev: { node: { node: { type: string } } }) => { touch(); if (isOsm(ev, ev.node?.node?.type)) inflight--; });
    const started = new Promise<void>((resolve) => RED.events.once('flows:started', () => resolve()));
    await RED.start();
    for (const n of nodes) {
      if (STRUCTURAL.has(n.type) || n.type.startsWith('subflow:') || n.d === true) continue;
      if (!RED.nodes.getType(n.type)) throw new FlowInputError(`${file}: ${describeNode(n)}: unknown node type (not installed in this Node-RED)`);
    }
    await withTimeout(started, 60_000, 'Node-RED did not start the flow within 60 s');
    opts.onStarted?.();
    touch();
    const onceDelays = nodes.filter((n) => n.type === 'inject' && n.once === true && n.d !== true).map((n) => Number(n.onceDelay ?? 0.1) * 1000);
    const fired: string[] = [];
    for (const n of nodes) {
      if (n.type !== 'inject' || n.once === true || n.d === true || (n.repeat !== undefined && String(n.repeat) !== '') || (n.crontab !== undefined && String(n.crontab) !== '')) continue;
      const live = RED.nodes.getNode(n.id);
      if (!live) continue;
      fired.push(n.id);
      live.receive({});
    }
    const t0 = Date.now();
    const quietMs = opts.quietMs ?? 400;
    const settleAt = t0 + Math.max(0, ...onceDelays);
    const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
    let note: string | undefined;
    for (;;) {
      await sleep(50);
      if (opts.signal?.aborted) throw opts.signal.reason;
      const now = Date.now();
      const quiet = now - lastActivity;
      // (a delivery the hooks never saw arrive does not hold the run for longer than ten quiet periods)
      if (now >= settleAt && inflight <= 0 && quiet >= quietMs && (delivering <= 0 || quiet >= 10 * quietMs)) break;
      if (now - t0 > timeoutMs) { note = `the flow did not finish within ${Math.round(timeoutMs / 1000)} s of wall time`; break; }
    }
    if (!note && verdicts.length === 0) {
      note = fired.length === 0 && onceDelays.length === 0
        ? 'the flow reached no verdict: it has no inject node to start it'
        : 'the flow reached no verdict (no osm-expect, osm-scenario or osm-accuracy node finished)';
    }
    const failed = note !== undefined || errors.length > 0 || verdicts.some((v) => v.status !== 'passed');
    return { file, status: failed ? 'failed' : 'passed', exitCode: failed ? 1 : 0, verdicts, errors, ...(note ? { note } : {}), fired };
  } finally {
    try { await RED.stop(); } catch { /* the run's result stands */ }
    rmSync(userDir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(what)), ms); })]).finally(() => clearTimeout(t));
}
