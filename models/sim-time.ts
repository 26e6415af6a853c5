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
  /**
   * Optional (the virtual clock has them): the place in the event order an event scheduled now would take, without
   * scheduling one (for a part that keeps what would have been events in a queue of its own) ...
   */
  reserveSeq?(): number;
  /** ... whether an event at `tUs` with the place `seq` would have run by now ... */
  ranBefore?(tUs: number, seq: number): boolean;
  /** ... and the event scheduled at that place after all. */
  atReserved?(tUs: number, seq: number, fn: () => void): EventHandle;
}
