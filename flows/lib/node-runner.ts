// What every osm-* node does the same way, in the style of Node-RED's core nodes: check the configuration once
// (red ring status and a logged error when it is bad), and for every message: run the work, show a status, and end
// with done() or done(err) so a Catch node sees the problem. Nothing here throws into the runtime.
import { formatTime } from '../../twin/kernel/clock.ts';
import type { MeterSession } from './meter-session.ts';
import type { MeterSetup } from './meter-settings.ts';
import { NodeInputError } from './step-parse.ts';
import { validateNode, type Config } from './validate.ts';
import type { Verdict } from './verdict.ts';

/** The parts of Node-RED's node API used here. */
export interface RedNode {
  id: string;
  type: string;
  name?: string;
  z?: string;
  status(s: { fill?: string; shape?: string; text?: string } | Record<string, never>): void;
  error(err: unknown, msg?: unknown): void;
  warn(msg: unknown): void;
  log(msg: unknown): void;
  send(msg: unknown): void;
  on(ev: string, fn: (...args: any[]) => unknown): void;
}

export interface MeterConfigNode extends RedNode { setup?: MeterSetup; session?: MeterSession; configError?: string }

export interface RedApi {
  nodes: { getNode(id: string): unknown };
  events: { emit(ev: string, ...args: unknown[]): boolean };
  util: { getSetting?(node: unknown, name: string): unknown };
}

export type Done = (err?: Error) => void;

/** Verdicts and node errors are announced on the runtime's event bus under these names (`osm flow run` listens). */
export const VERDICT_EVENT = 'osm:verdict';
/** A node's error on a message, also when a Catch node handles it: `{ id, type, name?, message }`. */
export const ERROR_EVENT = 'osm:error';

export class NodeRunner {
  readonly RED: RedApi;
  readonly node: RedNode;
  readonly config: Config;
  /** The configuration problem, when there is one. */
  readonly configError: string | undefined;

  constructor(RED: RedApi, node: RedNode, config: Config) {
    this.RED = RED;
    this.node = node;
    this.config = config;
    let problem: string | undefined;
    try {
      validateNode(node.type, config, (id) => this.#meterNode(id).setup!);
    } catch (err) {
      problem = err instanceof NodeInputError ? err.message : `unexpected: ${(err as Error).message}`;
    }
    this.configError = problem;
    if (problem) {
      node.status({ fill: 'red', shape: 'ring', text: `invalid: ${short(problem)}` });
      node.error(`invalid configuration: ${problem}`);
    }
  }

  #meterNode(id: string): MeterConfigNode {
    const m = this.RED.nodes.getNode(id) as MeterConfigNode | null;
    if (!m) throw new NodeInputError(`meter: the osm-meter node '${id}' is not in the flow`);
    if (m.configError || !m.setup) throw new NodeInputError(`meter: the osm-meter node '${id}' is invalid: ${m.configError ?? 'no settings'}`);
    return m;
  }

  /** The meter this node drives. */
  session(): MeterSession {
    const m = this.#meterNode(String(this.config.meter ?? ''));
    return m.session!;
  }

  /** The verdicts' suite: the node's `suite` setting, else the flow tab's name. */
  suite(): string {
    const s = String(this.config.suite ?? '').trim();
    if (s) return s;
    const tab = this.RED.util.getSetting?.(this.node, 'NR_FLOW_NAME');
    return typeof tab === 'string' && tab !== '' ? tab : 'flow';
  }

  source(): Verdict['source'] { return { id: this.node.id, type: this.node.type }; }

  announce(v: Verdict): void { this.RED.events.emit(VERDICT_EVENT, v); }

  ok(text: string, shape: 'dot' | 'ring' = 'dot'): void { this.node.status({ fill: 'green', shape, text: short(text) }); }
  busy(text: string): void { this.node.status({ fill: 'blue', shape: 'ring', text: short(text) }); }
  bad(text: string): void { this.node.status({ fill: 'red', shape: 'dot', text: short(text) }); }

  /**
   * Handle one message: refuse it when the configuration is bad, otherwise run `work`. A NodeInputError (a bad
   * message) or any other error ends as a red status and done(err), which a Catch node receives.
   */
  handle(msg: Record<string, unknown>, done: Done, work: () => Promise<void> | void): void {
    if (this.configError) {
      done(new Error(`invalid configuration: ${this.configError}`));
      return;
    }
    let p: Promise<void>;
    try { p = Promise.resolve(work()); } catch (err) { p = Promise.reject(err); }
    p.then(() => done(), (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      const text = e instanceof NodeInputError ? `bad message: ${e.message}` : e.message;
      this.bad(text);
      this.RED.events.emit(ERROR_EVENT, { id: this.node.id, type: this.node.type, ...(this.node.name ? { name: this.node.name } : {}), message: text });
      done(new Error(text));
    });
  }
}

export function timeText(us: number): string { return formatTime(us); }

function short(s: string): string { return s.length > 60 ? `${s.slice(0, 59)}…` : s; }
