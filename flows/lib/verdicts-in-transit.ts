// The verdict messages on their way to an osm-report, so that a report closing in a stop can take those the stop left
// on the way.
//
// A verdict a node has decided and sent (osm-expect, osm-scenario, osm-accuracy) travels by Node-RED's message
// passing: each hop is delivered on a later turn of the event loop, and a node between the step and the report (a
// change, a link, a delay) may hold it a while. A stop takes every node out of the flow at once, then closes them: a
// message queued for a node that has closed is not handled, one sent after that finds no node to go to, and a delay
// node drops what it holds. Node-RED's message hooks say where each verdict message is: sent along a wire (onSend,
// one event per wire), handed on from there (the node's own onSend of it) or finished with (onComplete). A message a
// running node finishes with without handing it on was meant to go no further (a switch that sent it nowhere); one
// still on a wire, in a node, or finished with by a node the stop closed is what a closing report takes.
import { isVerdict, type Verdict } from './verdict.ts';

type Msg = Record<string, unknown>;

/** The parts of Node-RED's SendEvent used here: a message going along one wire. */
export interface SendEvent { msg: Msg; source: { id: string }; destination: { id: string } }

/** The parts of Node-RED's CompleteEvent used here: a node has finished with a message it received. */
export interface CompleteEvent { msg: Msg; node: { id: string } }

/** One copy of a verdict message: the node it was sent to (and is on its way to, or in), as it was delivered. */
interface Leg { seq: number; msg: Msg; holder: string }

export class VerdictsInTransit {
  readonly #running: (id: string) => boolean;
  /** The legs by the node they were sent to. */
  readonly #at = new Map<string, Set<Leg>>();
  readonly #bySend = new WeakMap<object, Leg>();
  #seq = 0;

  /** `running(id)`: node `id` is in a running flow (a stop takes a node out of the flow before closing it). */
  constructor(running: (id: string) => boolean) {
    this.#running = running;
  }

  /** Verdict messages on their way now. */
  get size(): number {
    let n = 0;
    for (const legs of this.#at.values()) n += legs.size;
    return n;
  }

  /** Node-RED's onSend: messages leave a node, one event per wire. A message the node had received goes on from it. */
  sent(events: readonly SendEvent[]): void {
    for (const ev of events) {
      if (ev.msg?.verdict === undefined) continue;
      this.#release(ev.source.id, ev.msg);
      const leg: Leg = { seq: this.#seq++, msg: ev.msg, holder: ev.destination.id };
      const legs = this.#at.get(leg.holder);
      if (legs) legs.add(leg); else this.#at.set(leg.holder, new Set([leg]));
      this.#bySend.set(ev, leg);
    }
  }

  /** Node-RED's preDeliver: the message as it will be delivered (a copy on every wire but the first of a fan-out). */
  delivering(ev: SendEvent): void {
    const leg = this.#bySend.get(ev);
    if (leg) leg.msg = ev.msg;
  }

  /**
   * Node-RED's onComplete: a node has finished with a message. A running node is done with it; a node the stop has
   * closed (a delay node dropping what it held) has lost it, and the message stays on its way.
   */
  completed(ev: CompleteEvent): void {
    if (this.#running(ev.node.id)) this.#release(ev.node.id, ev.msg);
  }

  /** A report took the message's verdicts (also while it closes, when it no longer counts as running). */
  received(reportId: string, msg: Msg): void {
    this.#release(reportId, msg);
  }

  /**
   * The verdicts of the messages sent to a node of `at` and not handed on or finished with there, in the order they
   * were sent. They stay (two reports fed through one node both take what that node holds) until `clear`.
   */
  onTheWay(at: ReadonlySet<string>): Verdict[] {
    const legs: Leg[] = [];
    for (const id of at) legs.push(...(this.#at.get(id) ?? []));
    legs.sort((a, b) => a.seq - b.seq);
    return legs.flatMap((leg) => {
      const v = leg.msg.verdict;
      return (Array.isArray(v) ? v : [v]).filter(isVerdict);
    });
  }

  /** Forget every message (the flows have stopped: the reports took theirs, the rest went nowhere a report is). */
  clear(): void {
    this.#at.clear();
  }

  #release(holder: string, msg: Msg): void {
    const legs = this.#at.get(holder);
    if (!legs) return;
    for (const leg of legs) {
      if (leg.msg !== msg) continue;
      legs.delete(leg);
      if (legs.size === 0) this.#at.delete(holder);
      return;
    }
  }
}

/** The parts of Node-RED's runtime API used to follow the messages. */
export interface RedRuntime {
  events: { on(ev: string, fn: (...args: unknown[]) => void): unknown };
  nodes: { getNode(id: string): unknown };
  hooks?: { add(id: string, fn: (ev: any) => void): void; remove(id: string): void };
}

const runtimes = new WeakMap<object, VerdictsInTransit>();

/** The hooks' label: `*.osm-verdicts`. */
const LABEL = 'osm-verdicts';

/**
 * The verdict messages in transit in one Node-RED runtime (keyed by its event bus). The first call adds the message
 * hooks, which follow every message with `msg.verdict` from then on.
 */
export function verdictsInTransit(RED: RedRuntime): VerdictsInTransit {
  let t = runtimes.get(RED.events);
  if (t) return t;
  const transit = new VerdictsInTransit((id) => !!RED.nodes.getNode(id));
  t = transit;
  runtimes.set(RED.events, t);
  const hooks = RED.hooks;
  if (hooks) {
    // the hooks are the process's: ones left by an earlier runtime in this process are replaced
    hooks.remove(`*.${LABEL}`);
    hooks.add(`onSend.${LABEL}`, (evs: SendEvent[]) => { transit.sent(evs); });
    hooks.add(`preDeliver.${LABEL}`, (ev: SendEvent) => { transit.delivering(ev); });
    hooks.add(`onComplete.${LABEL}`, (ev: CompleteEvent) => { transit.completed(ev); });
  }
  RED.events.on('flows:stopped', () => transit.clear());
  return t;
}
