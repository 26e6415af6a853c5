// The trace bus: every observable change of a bench is one event `{ t, source, kind, data }`.
// Consumers (JSONL recorder, expectations, reports, dashboard, Node-RED) subscribe with plain callbacks.

export interface TraceEvent {
  /** Virtual time in microseconds. */
  t: number;
  /** Who produced it: `meter`, `plant`, `afe`, `scenario`, `bench`, ... */
  source: string;
  /** What happened: `relay`, `lcd`, `serial`, `led`, `step`, ... */
  kind: string;
  data: unknown;
}

export type TraceListener = (ev: TraceEvent) => void;

export class TraceBus {
  #listeners: TraceListener[] = [];
  #now: () => number;

  constructor(now: () => number) { this.#now = now; }

  emit(source: string, kind: string, data: unknown): void {
    if (this.#listeners.length === 0) return;
    const ev: TraceEvent = { t: this.#now(), source, kind, data };
    for (const l of this.#listeners) l(ev);
  }

  subscribe(listener: TraceListener): () => void {
    this.#listeners.push(listener);
    return () => { this.#listeners = this.#listeners.filter((l) => l !== listener); };
  }
}

/** Serialise one event as a JSONL line with stable key order. */
export function traceLine(ev: TraceEvent): string {
  return JSON.stringify({ t: ev.t, source: ev.source, kind: ev.kind, data: ev.data });
}
