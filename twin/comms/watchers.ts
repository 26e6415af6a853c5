// Observers of a server shared by several benches (a fleet's meters, a dashboard): those that want everything, and
// those that want one meter's or one device's part only, so that telling them costs no more with more meters.

/** Observers of `T`, each for every item or for the items of one key (a meter id, an access token). */
export class Watchers<T> {
  readonly #all = new Set<(item: T) => void>();
  readonly #byKey = new Map<string, Set<(item: T) => void>>();

  /** Add `fn` for every item, or for the items of `key` only; returns the function that removes it. */
  add(fn: (item: T) => void, key?: string): () => void {
    if (key === undefined) {
      this.#all.add(fn);
      return () => { this.#all.delete(fn); };
    }
    let set = this.#byKey.get(key);
    if (!set) this.#byKey.set(key, set = new Set());
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.#byKey.get(key) === set) this.#byKey.delete(key);
    };
  }

  /** Tell the observers of every item and those of `key` (null: an item of no key). */
  tell(item: T, key: string | null): void {
    for (const w of this.#all) w(item);
    if (key === null) return;
    const own = this.#byKey.get(key);
    if (own) for (const w of own) w(item);
  }
}
