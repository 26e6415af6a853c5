// Shared by the node tests: node-red-node-test-helper on the project's Node-RED, the osm-* node modules (compiled
// first when a source changed), and small helpers that wait for messages and errors.
import { createRequire } from 'node:module';
import { ensureFlowsBuilt } from '../../build.ts';

const require = createRequire(import.meta.url);

export interface Helper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: Record<string, unknown>[]): Promise<void>;
  unload(): Promise<void>;
  /** Stop the flows (every node closes), as a stop or a full deploy does. */
  clearFlows(): Promise<void>;
  getNode(id: string): TestNode;
}

export interface TestNode {
  id: string;
  on(ev: string, fn: (...a: any[]) => void): void;
  receive(msg: Record<string, unknown>): void;
  status: { (s: unknown): void; lastCall?: unknown };
}

await ensureFlowsBuilt();

export const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));

/**
 * node-red-node-test-helper's mock runtime gives the nodes no `RED.hooks`; a real runtime gives them @node-red/util's
 * hooks, the ones its message routing triggers (onSend, preDeliver, onComplete). A node module gets those here.
 */
const { hooks } = require('@node-red/util') as { hooks: unknown };
export function withHooks(mod: (RED: Record<string, unknown>) => unknown): (RED: Record<string, unknown>) => unknown {
  return (RED) => {
    RED.hooks ??= hooks;
    return mod(RED);
  };
}

const NAMES = ['meter', 'grid', 'load', 'keypad', 'control', 'wait', 'observe', 'expect', 'scenario', 'accuracy', 'report', 'network'];
/** Every osm-* node module (the `(RED) => void` functions Node-RED loads). */
export const OSM_NODES: unknown[] = NAMES.map((n) => withHooks(require(`../osm-${n}.js`)));

/** A meter config node (default settings: field firmware, STS, seed 1) plus `nodes`. */
export function meterFlow(nodes: Record<string, unknown>[], meter: Record<string, unknown> = {}): Record<string, unknown>[] {
  return [{ id: 'm1', type: 'osm-meter', name: 'meter', ...meter }, ...nodes];
}

/** The next message a helper node receives. */
export function nextMessage(id: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const n = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no message at ${id} within ${timeoutMs} ms`)), timeoutMs);
    n.on('input', (msg: Record<string, any>) => { clearTimeout(t); resolve(msg); });
  });
}

/** Every message a helper node receives from now on. */
export function collect(id: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  helper.getNode(id).on('input', (msg: Record<string, any>) => out.push(msg));
  return out;
}

/** The error message a node raises next (node.error / done(err)), as a Catch node would see it. */
export function nextError(id: string, timeoutMs = 60_000): Promise<string> {
  const n = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no error from ${id} within ${timeoutMs} ms`)), timeoutMs);
    n.on('call:error', (call: { args: unknown[] }) => {
      clearTimeout(t);
      const e = call.args[0];
      resolve(e instanceof Error ? e.message : String(e));
    });
  });
}

/** The last status a node showed. */
export function lastStatus(id: string): { fill?: string; shape?: string; text?: string } {
  const n = helper.getNode(id) as unknown as { status: { lastCall?: { args: [{ fill?: string; text?: string }] } } };
  return n.status.lastCall?.args[0] ?? {};
}
