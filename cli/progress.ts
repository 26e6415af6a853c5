// Progress of a long command on stderr, terminal or not: on a terminal one line rewritten in place (at most four times
// a second); otherwise a line once `intervalMs` has passed since the start or the last line, while updates come, so a
// log or a CI job never sits silent for long and a short command prints nothing. `quiet` prints nothing. Results stay
// on stdout.
import { performance } from 'node:perf_hooks';
import type { CliIo } from './command.ts';

export interface ProgressConfig {
  /** Print nothing (--quiet). */
  quiet?: boolean;
  /** Wall clock, ms (tests pass their own). */
  wallMs?: () => number;
  /** Not a terminal: the longest gap between lines, ms (default 2000). */
  intervalMs?: number;
}

export class Progress {
  readonly #io: CliIo;
  readonly #quiet: boolean;
  readonly #wallMs: () => number;
  readonly #intervalMs: number;
  readonly #tty: boolean;
  #last: number;
  #printed = false;
  #pending: string | null = null;
  #shown = false;

  constructor(io: CliIo, config: ProgressConfig = {}) {
    this.#io = io;
    this.#quiet = config.quiet === true;
    this.#wallMs = config.wallMs ?? (() => performance.now());
    this.#intervalMs = config.intervalMs ?? 2000;
    this.#tty = io.stderr.isTTY === true;
    this.#last = this.#tty ? -Infinity : this.#wallMs();
  }

  /** The work's state now ("accuracy: 12/37 points, Ib (5 A) PF 0.5L"); printed when it is time to. */
  update(text: string): void {
    if (this.#quiet) return;
    const w = this.#wallMs();
    if (this.#tty) {
      if (w - this.#last < 250) return;
      this.#last = w;
      this.#io.stderr.write(`\r\x1b[K${text}`);
      this.#shown = true;
      return;
    }
    if (w - this.#last < this.#intervalMs) { this.#pending = text; return; }
    this.#last = w;
    this.#pending = null;
    this.#printed = true;
    this.#io.stderr.write(`${text}\n`);
  }

  /** The work is over: clear the terminal line, or print the final state if a line is owed. */
  done(text?: string): void {
    if (this.#quiet) return;
    if (this.#tty) {
      if (this.#shown) this.#io.stderr.write(text ? `\r\x1b[K${text}\n` : '\r\x1b[K');
      return;
    }
    const last = text ?? this.#pending;
    if (last !== null && last !== undefined && this.#printed) this.#io.stderr.write(`${last}\n`);
  }
}
