// Progress of a campaign on stderr. On a terminal: one line rewritten in place (at most once per `ttyPeriodMs`),
// erased before the report. Elsewhere (CI logs, pipes): a plain line every `plainPeriodMs`, so a long campaign shows
// it is alive without flooding the log.
//
//   [12/31] 1 failed, 0 invalid  running sts-tokens.yaml, tamper.yaml  41s
import { basename } from 'node:path';
import type { CliIo } from '../command.ts';
import type { RunRecord } from '../../scenarios/campaign/run-job.ts';
import { formatWall } from '../../scenarios/campaign/summary.ts';

export interface CampaignProgressConfig {
  /** Total runs. */
  total: number;
  /** Wall clock in ms (default performance.now). */
  wallMs?: () => number;
  /** A terminal's line is rewritten at most this often (default 250 ms). */
  ttyPeriodMs?: number;
  /** A plain line is written at most this often (default 10 s). */
  plainPeriodMs?: number;
}

export class CampaignProgress {
  readonly #io: CliIo;
  readonly #tty: boolean;
  readonly #wallMs: () => number;
  readonly #total: number;
  readonly #period: number;
  readonly #t0: number;
  #last: number;
  #done = 0;
  #failed = 0;
  #invalid = 0;
  #running: string[] = [];
  #shown = false;

  constructor(io: CliIo, config: CampaignProgressConfig) {
    this.#io = io;
    this.#tty = io.stderr.isTTY === true;
    this.#wallMs = config.wallMs ?? (() => performance.now());
    this.#total = config.total;
    this.#period = this.#tty ? (config.ttyPeriodMs ?? 250) : (config.plainPeriodMs ?? 10_000);
    this.#t0 = this.#wallMs();
    this.#last = this.#t0;
  }

  started(file: string): void {
    this.#running.push(file);
    this.tick();
  }

  finished(record: RunRecord): void {
    const i = this.#running.indexOf(record.file);
    if (i >= 0) this.#running.splice(i, 1);
    this.#done++;
    if (record.status === 'failed' || record.status === 'error') this.#failed++;
    if (record.status === 'invalid') this.#invalid++;
    this.tick();
  }

  /** Show the line if its period has passed (call it as often as convenient: a timer, each step). */
  tick(): void {
    const w = this.#wallMs();
    if (w - this.#last < this.#period) return;
    this.#last = w;
    const names = this.#running.map((f) => basename(f));
    const running = names.length ? `  running ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` +${names.length - 3}` : ''}` : '';
    const counts = `${this.#failed} failed${this.#invalid ? `, ${this.#invalid} invalid` : ''}`;
    const text = `[${this.#done}/${this.#total}] ${counts}${running}  ${formatWall(w - this.#t0)}`;
    if (this.#tty) {
      this.#io.stderr.write(`\r\x1b[K${text.length > 110 ? `${text.slice(0, 109)}…` : text}`);
      this.#shown = true;
    } else {
      this.#io.stderr.write(`osm run: ${text}\n`);
    }
  }

  /** Erase the terminal line (before the report). */
  clear(): void {
    if (this.#shown) this.#io.stderr.write('\r\x1b[K');
    this.#shown = false;
  }
}
