// A large scenario's steps kept between their check and their run as compressed text, a group at a time, instead of
// as objects. A 200 000-step scenario holds about 100 MB as step objects (plus, in the runner, one outcome per step)
// and 40 MB as JSON; packed it holds a few MB, and the runner unpacks one group while it runs it. The text is the
// project's wire form (io/wire.ts), so a step comes back exactly as the loader made it (a Set, NaN, a Uint8Array
// included); raw deflate at its fastest level costs a few ms per group, against seconds of YAML parsing.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { fromWire, toWire } from '../io/wire.ts';
import type { Step, StepSource } from './schema.ts';

export class PackedSteps implements StepSource {
  #groups: Buffer[] = [];
  #length = 0;

  /** Bytes held (compressed). */
  get bytes(): number { return this.#groups.reduce((n, g) => n + g.length, 0); }

  /** Steps packed so far. */
  get length(): number { return this.#length; }

  /** Keep a group of validated steps (in order: their `index` continues the previous group's). */
  add(steps: readonly Step[]): void {
    if (steps.length === 0) return;
    this.#groups.push(deflateRawSync(toWire(steps), { level: 1 }));
    this.#length += steps.length;
  }

  /** The steps in order, one group unpacked at a time (each pass reads the packed text again). */
  *[Symbol.iterator](): Iterator<Step> {
    for (const g of this.#groups) yield* fromWire<Step[]>(inflateRawSync(g).toString('utf8'));
  }
}
