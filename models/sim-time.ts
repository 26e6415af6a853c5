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

/**
 * The initializer of a number field that will hold virtual times (`t = DOUBLE_FIELD;`), replaced in the constructor by
 * the field's real first value: V8 then keeps the field as a double from the start. (Not stored in the constructor
 * into a field declared without an initializer: with ES2022 class fields that field already holds undefined, and V8
 * then keeps it as a tagged value, a small integer while the time is one.) A field whose first value is a small integer is kept as one, and
 * the first value beyond 2^30 - 1 changes its representation; virtual microseconds pass 2^30 after 17.9 simulated
 * minutes, and the change throws away the optimized code of every function that used objects of that shape, which V8
 * then compiles again (docs/speed.md, "Number fields that start as doubles"). Values and results do not change.
 */
export const DOUBLE_FIELD = 0.5;

/** An empty array whose elements V8 stores as doubles from the start (see DOUBLE_FIELD): for an array of times. */
export function doubleArray(): number[] {
  const a = [DOUBLE_FIELD];
  a.length = 0;
  return a;
}

/**
 * Turn the number fields `keys` of `obj` into doubles as V8 stores them, their values unchanged (see DOUBLE_FIELD):
 * for a constructor, on fields that will hold times or fractional values but start at a small integer.
 */
export function keepAsDoubles<T extends object>(obj: T, keys: readonly (keyof T & string)[]): void {
  const o = obj as Record<string, unknown>;
  for (const k of keys) {
    const v = o[k];
    o[k] = DOUBLE_FIELD;
    o[k] = v;
  }
}
