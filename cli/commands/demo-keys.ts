// The keys of `osm demo`: what each character does, and keys that come from a pipe or a file (a workshop script,
// `printf '*<token>#q' | osm demo`). On a terminal a person sees the screen and types when the meter is ready, so each
// key acts at once. A script cannot see: its keys arrive together, most of them while the meter is still booting,
// when the real keypad is not read. So keys from a pipe are held until the firmware has booted and then typed one
// after another with the keypad's timing, and the demo's own keys (cover, load, sag, quit) act in their place
// between them: `q` quits once the keys before it have been typed, not before they reach the meter.
import { KEY_NAMES, type KeyName } from '../../twin/meter.ts';

/** A key of the demo: one of the meter's keypad, or one of the demo's own. */
export type DemoKey =
  | { kind: 'keypad'; key: KeyName }
  | { kind: 'cover' | 'load' | 'sag' | 'quit' | 'faster' | 'slower' };

/** The speeds `+` and `-` step through (the dashboard's 1x, 10x, 60x and max, and 600x between). */
export const DEMO_SPEEDS: readonly (number | 'max')[] = [1, 10, 60, 600, 'max'];

/**
 * The next speed up (`+`) or down (`-`) from `speed`: the nearest of DEMO_SPEEDS beyond it (a speed given with
 * --speed off the ladder, 400, steps to 600 or 60). Below the slowest and above the fastest it stays where it is.
 */
export function nextSpeed(speed: number | 'max', up: boolean): number | 'max' {
  const value = (s: number | 'max'): number => (s === 'max' ? Infinity : s);
  const v = value(speed);
  const beyond = up ? DEMO_SPEEDS.filter((s) => value(s) > v) : DEMO_SPEEDS.filter((s) => value(s) < v);
  if (beyond.length === 0) return speed;
  return up ? beyond[0] : beyond[beyond.length - 1];
}

/**
 * What a typed character does: 0-9 A B C D * # are the keypad (lower-case a b d too; lower-case c is the cover), l
 * the next load, s the sag, + (or =, the same key unshifted) and - the speed, q and Ctrl-C quit. Anything else (a newline, a space) does nothing: null.
 */
export function demoKey(ch: string): DemoKey | null {
  switch (ch) {
    case 'q': case '\u0003': return { kind: 'quit' };
    case 'c': return { kind: 'cover' };
    case 'l': return { kind: 'load' };
    case 's': return { kind: 'sag' };
    case '+': case '=': return { kind: 'faster' };
    case '-': return { kind: 'slower' };
  }
  const key = ch.toUpperCase();
  return (KEY_NAMES as readonly string[]).includes(key) ? { kind: 'keypad', key: key as KeyName } : null;
}

/** The firmware's last line of `setup()` on its debug port: from here on its keypad is read. */
export const SETUP_COMPLETE_LINE = 'Setup Complete!';

/** Keys read from a pipe or a file, acted on in the order they came once the meter can take them. */
export class PipedKeys {
  readonly #pending: DemoKey[] = [];
  /** Virtual time (µs) at which the keypad keys handed out so far have been typed (released, and the gap passed). */
  #keypadFreeAtUs = 0;

  /** Characters read from the input (anything that is not a key is dropped). */
  push(text: string): void {
    for (const ch of text) {
      const k = demoKey(ch);
      if (k) this.#pending.push(k);
    }
  }

  /** Keys read and not yet acted on. */
  get pending(): number { return this.#pending.length; }

  /**
   * Act on the keys that are due at `nowUs`, in order: a keypad key once the firmware has `booted` (`press` queues it
   * on the meter and returns the virtual time at which it has been typed), any other key once the keypad keys before
   * it have been typed. Stops at the first key that is not due yet, so none overtakes another.
   */
  drain(nowUs: number, booted: boolean, press: (key: KeyName) => number, act: (k: DemoKey) => void): void {
    while (this.#pending.length) {
      const k = this.#pending[0];
      if (k.kind === 'keypad') {
        if (!booted) return;
        this.#keypadFreeAtUs = press(k.key);
      } else {
        if (nowUs < this.#keypadFreeAtUs) return;
        this.#pending.shift();
        act(k);
        if (k.kind === 'quit') return;
        continue;
      }
      this.#pending.shift();
    }
  }
}
