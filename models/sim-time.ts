// The only view of time a model gets: the virtual clock's, in integer microseconds.
// `twin/kernel/clock.ts` implements it; models never read the host clock.

export interface EventHandle {
  /** Cancel the scheduled callback; harmless if it already ran. */
  cancel(): void;
}

export interface SimTime {
  /** Current virtual time in integer microseconds. */
  now(): number;
  /** Run `fn` when virtual time reaches `tUs` (>= now). Same-time events run in scheduling order. */
  at(tUs: number, fn: () => void): EventHandle;
}
