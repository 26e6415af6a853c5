// The verdicts a flow's nodes are still deciding on a meter, so that an osm-report closing with the flow can take
// those a stop interrupts.
//
// A stop (a deploy, the editor's stop, the end of `osm flow run`, Ctrl-C) closes every node of the flow in one go,
// the report before the meters. A meter's close ends the waits running on it at once, and the nodes that were
// waiting decide then, after the report's close has begun: the message they send is no longer delivered (the report
// has left the flow). So each such node says here what it is deciding, on which meter, and settles it with its
// verdict; the report, when it closes, takes the verdicts of the nodes wired to it whose meter has stopped.
import { formatTime } from '../../twin/kernel/clock.ts';
import type { Verdict } from './verdict.ts';

/** What a report may write for a node whose verdict did not come in time (see `interrupted`). */
export interface PendingStep { suite: string; name: string; source: Verdict['source'] }

/** The meter a step runs on, as far as this is concerned. */
export interface SteppedMeter { readonly closed: boolean; now(): number }

export interface InFlight {
  /** The step's verdict, or null when it ended without one (an error); the first call counts. */
  settle(v: Verdict | null): void;
}

interface Entry { step: PendingStep; meter: SteppedMeter; verdict: Promise<Verdict | null> }

/** How long a closing report waits for interrupted verdicts (Node-RED gives a closing node 15 s). */
export const LATE_VERDICT_MS = 10_000;

export class VerdictsInFlight {
  #entries = new Set<Entry>();

  /** A step of node `step.source.id` starts deciding a verdict on `meter`. */
  begin(step: PendingStep, meter: SteppedMeter): InFlight {
    let resolve!: (v: Verdict | null) => void;
    const entry: Entry = { step, meter, verdict: new Promise((r) => { resolve = r; }) };
    this.#entries.add(entry);
    let settled = false;
    return {
      settle: (v) => {
        if (settled) return;
        settled = true;
        this.#entries.delete(entry);
        resolve(v);
      },
    };
  }

  /** Steps being decided now. */
  get size(): number { return this.#entries.size; }

  /**
   * The steps of nodes in `from` being decided now. A report takes them when its close begins: the meters close
   * later in the same stop, and a step may well be decided (its verdict sent to a report no longer there) before
   * the report looks again.
   */
  pending(from: ReadonlySet<string>): PendingSteps {
    return new PendingSteps([...this.#entries].filter((e) => from.has(e.step.source.id)));
  }
}

/** Steps taken by `VerdictsInFlight.pending`. */
export class PendingSteps {
  readonly #entries: readonly Entry[];
  constructor(entries: readonly Entry[]) { this.#entries = entries; }

  get size(): number { return this.#entries.length; }

  /**
   * The verdicts of the steps whose meter has stopped, in the order the steps began, once each is decided (the
   * others run on and reach the report as messages). A step still undecided after `limitMs` of wall time is written
   * as an error that says it was interrupted and when (its meter's virtual time then).
   */
  async interrupted(limitMs = LATE_VERDICT_MS): Promise<Verdict[]> {
    const stopped = this.#entries.filter((e) => e.meter.closed);
    if (stopped.length === 0) return [];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), limitMs); });
    try {
      const got = await Promise.all(stopped.map(async (e) => {
        const v = await Promise.race([e.verdict, late]);
        if (v !== 'late') return v;
        const t = e.meter.now();
        return {
          ...e.step,
          status: 'error' as const,
          message: `interrupted: the flow was stopped while this step ran (at ${formatTime(t)}); its verdict did not come within ${limitMs / 1000} s`,
          timeUs: t,
          durationUs: 0,
        };
      }));
      return got.filter((v): v is Verdict => v !== null);
    } finally {
      clearTimeout(timer);
    }
  }
}

const runtimes = new WeakMap<object, VerdictsInFlight>();

/** The steps in flight of one Node-RED runtime (keyed by its event bus, which every node module shares). */
export function verdictsInFlight(runtime: object): VerdictsInFlight {
  let v = runtimes.get(runtime);
  if (!v) { v = new VerdictsInFlight(); runtimes.set(runtime, v); }
  return v;
}
