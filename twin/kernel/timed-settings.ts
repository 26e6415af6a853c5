// Settings a scenario changes for a while or for good (a `grid:` or `network:` step with or without `for`), and what
// each goes back to when a timed change ends. Timed changes may overlap and end in any order: a setting goes back to
// the newest timed change still running that set it, else to its last lasting value; a setting changed for good after
// a timed change began is left alone when that change ends. So a sag, then a swell clicked before the sag ended, end
// with the grid as it was before the sag.

/** A timed change while it runs: the values it set, and the settings no later lasting change has set since. */
export interface TimedChange<S> {
  readonly values: Partial<S>;
  readonly held: Set<keyof S>;
}

export class TimedSettings<S extends object> {
  /** The settings as the lasting changes left them; taken from `current` at the first change. */
  #base: S | null = null;
  /** The timed changes still running, oldest first. */
  readonly #running: TimedChange<S>[] = [];
  readonly #current: () => S;
  readonly #copy: <V>(v: V) => V;

  /**
   * `current` reads the settings as they are now (a fresh object); `copy` makes a value safe to keep (default: the
   * value itself, for numbers, flags and strings).
   */
  constructor(current: () => S, copy: <V>(v: V) => V = (v) => v) {
    this.#current = current;
    this.#copy = copy;
  }

  /** A change for good, recorded before it is applied: what these settings go back to from now on. */
  lasting(values: Partial<S>): void {
    const base = this.#baseNow();
    for (const k of keysOf(values)) {
      base[k] = this.#copy(values[k]) as S[keyof S];
      for (const c of this.#running) c.held.delete(k);
    }
  }

  /** A change for a while, recorded before it is applied; give the handle to `end` when its time is up. */
  timed(values: Partial<S>): TimedChange<S> {
    this.#baseNow();
    const change: TimedChange<S> = { values: {}, held: new Set(keysOf(values)) };
    for (const k of keysOf(values)) change.values[k] = this.#copy(values[k]);
    this.#running.push(change);
    return change;
  }

  /**
   * The timed change is over: the values that `keys` go back to (a setting the change set and a lasting change has
   * set since is left out). `keys` may name settings the change did not set (the grid's voltage and outage go back
   * together).
   */
  end(change: TimedChange<S>, keys: readonly (keyof S)[]): Partial<S> {
    const i = this.#running.indexOf(change);
    if (i >= 0) this.#running.splice(i, 1);
    const base = this.#baseNow();
    const out: Partial<S> = {};
    for (const k of keys) {
      if (k in change.values && !change.held.has(k)) continue;
      const holder = this.#running.findLast((c) => c.held.has(k));
      out[k] = this.#copy(holder ? holder.values[k] : base[k]);
    }
    return out;
  }

  /** The settings as the lasting changes left them: what they will be once the timed changes running now have ended. */
  lastingNow(): S {
    const now = this.#current();
    const base = this.#base;
    if (!base) return now;
    for (const k of keysOf(now)) if (this.#running.some((c) => c.held.has(k))) now[k] = this.#copy(base[k]);
    return now;
  }

  #baseNow(): S {
    return this.#base ??= this.#current();
  }
}

function keysOf<S extends object>(o: Partial<S>): (keyof S)[] {
  return (Object.keys(o) as (keyof S)[]).filter((k) => o[k] !== undefined);
}
