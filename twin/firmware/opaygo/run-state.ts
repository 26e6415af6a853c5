// What the OpenPAYGO part keeps between loop passes of one power-on, besides the firmware's own globals (state.ts):
// the build parameters and the twin's bookkeeping of its wait loop. A new power-on has a new FirmwareContext, so the
// record starts afresh, as RAM does.
import type { FirmwareContext } from '../firmware-context.ts';
import type { OpaygoConfig } from './config.ts';

export interface OpaygoRun {
  readonly config: OpaygoConfig;
  /** The first loop pass has run its set-up (D40 fixed: the timer interrupt of mode 2). */
  started: boolean;
  /** D40 fixed: `millis()` of the last relay/measurement service, or -1. */
  lastServiceMs: number;
  /** D40 fixed, mode 2: the next AFE read of the measurement cycle (0..3), or -1 when no cycle is running. */
  meterStep: number;
  /** `millis()` after the last poll, and how many polls in a row saw it unchanged (a loop must let time pass). */
  lastPollMs: number;
  stillPolls: number;
}

const runs = new WeakMap<FirmwareContext, OpaygoRun>();

export function runOf(fw: FirmwareContext, config: OpaygoConfig): OpaygoRun {
  let r = runs.get(fw);
  if (!r) {
    r = { config, started: false, lastServiceMs: -1, meterStep: -1, lastPollMs: -1, stillPolls: 0 };
    runs.set(fw, r);
  }
  return r;
}
