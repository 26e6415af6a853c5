// The CD4066B quad bilateral switch, as the rig uses it: each channel's switch sits across one key's row/column pair
// of the meter's keypad, in parallel with the key, and its control input is a rig output. Control HIGH closes the
// switch (on-resistance about 270 ohm at VDD 5 V, far below what the meter's 40 kohm row pull-ups need to read LOW),
// LOW opens it; the 20-40 ns switching time is nothing next to the keypad scan. A control input left floating (a rig
// output not yet set up) is undefined for a CMOS part; the model holds the switch open, as the rig's 100 kohm
// pull-downs on the control lines make it.

export class Cd4066 {
  readonly #closed = [false, false, false, false];
  /** A channel's switch opened or closed. */
  onSwitch: ((channel: number, closed: boolean) => void) | undefined = undefined;

  /** Set a channel's control input (null: floating, held LOW by the pull-down). */
  control(channel: number, level: 0 | 1 | null): void {
    if (!Number.isInteger(channel) || channel < 0 || channel > 3) throw new RangeError(`CD4066 channel must be 0..3, got ${String(channel)}`);
    const closed = level === 1;
    if (this.#closed[channel] === closed) return;
    this.#closed[channel] = closed;
    this.onSwitch?.(channel, closed);
  }

  isClosed(channel: number): boolean { return this.#closed[channel] ?? false; }
}
