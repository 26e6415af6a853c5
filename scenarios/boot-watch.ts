// Whether the meter was still booting when a check failed: a check written before the boot (an `expect` as the first
// step, a `wait-until` with a timeout shorter than the boot) fails with "observed relay open", which says nothing
// about why. The watch follows the trace: a meter power-on starts a boot, the firmware's `Setup Complete!` on its
// debug port ends it (about 19 s after power-on on this firmware; a hung boot, D28, never ends).
import type { TraceBus, TraceEvent } from '../twin/kernel/trace.ts';
import { formatTime } from '../twin/kernel/clock.ts';

/** Past this long after power-on a failure is not put down to the boot (the shipped build waits in its setup for ever). */
export const BOOT_NOTE_WINDOW_US = 60_000_000;

export class BootWatch {
  #poweredAtUs: number | null = null;
  #booted = false;
  readonly #off: () => void;

  constructor(trace: TraceBus) {
    this.#off = trace.subscribe((ev) => this.#see(ev));
  }

  #see(ev: TraceEvent): void {
    if (ev.source !== 'meter') return;
    const d = ev.data as { on?: unknown; port?: unknown; line?: unknown } | null;
    if (ev.kind === 'power') {
      if (d?.on === true) { this.#poweredAtUs = ev.t; this.#booted = false; } else if (d?.on === false) this.#poweredAtUs = null;
    } else if (ev.kind === 'serial' && d?.port === 'debug' && typeof d.line === 'string' && d.line.startsWith('Setup Complete!')) {
      this.#booted = true;
    }
  }

  /** A note for a failure at `tUs` when the meter was powered and had not finished its setup yet, else undefined. */
  noteAt(tUs: number): string | undefined {
    if (this.#poweredAtUs === null || this.#booted) return undefined;
    const since = tUs - this.#poweredAtUs;
    if (since < 0 || since > BOOT_NOTE_WINDOW_US) return undefined;
    return `the meter was still booting (powered on at ${formatTime(this.#poweredAtUs)}; its setup takes about 19 s and ` +
      'it acts on its credit a few seconds later): let the boot pass first, e.g. - delay: 1min';
  }

  close(): void { this.#off(); }
}
