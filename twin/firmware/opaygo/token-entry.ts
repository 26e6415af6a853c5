// `WaitForTokenEntry()` (opaygo_token.hpp:115-163; docs/firmware.md §6.2): wait for `*`, then read the token.
//
// Waiting: `GetKeyPressed()` in a loop. `*` starts an entry unless a lockout runs (then one red blink and
// `Token entry locked for <n>seconds`); `#` reports the status (device-status.ts); other keys are ignored.
//
// Reading the token:
// - D38 (as shipped): nine more `GetKeyPressed()` calls at once, without waiting for keys, each adding
//   `key × 10^(8−i)` to a uint64 through a double (`TempToken += GetKeyPressed() * pow(10, 8 - i)`): a poll without a
//   key adds −48 × 10^(8−i), and a negative double converted to uint64 gives 0 on this toolchain. The nine polls take
//   about 180 ms on the modem line (D39), so unless keys are pressed inside that window the token is 0: "invalid".
//   Each poll lets virtual time pass, so a scripted typist fast enough to land keys on the polls can still get
//   digits in (a key must reach slot 0 of the Keypad list, so at most one key every third poll).
// - D38 fixed: the entry waits for the digits (9, or 15 with the restricted digit set). `*` starts it again, `#`
//   abandons it, A-D are ignored, and `entryTimeoutMs` without a key abandons it too.
import type { FirmwareContext } from '../firmware-context.ts';
import { BlinkRedLED } from '../led-buzzer.ts';
import { printfPort } from '../storage.ts';
import { GetTimeInSeconds } from '../timekeeping.ts';
import { tokenLength } from './decoder.ts';
import { BLINK_PERIOD, TokenEntryAllowed, reportStatus } from './device-status.ts';
import { GetKeyPressed, HASH_KEY, STAR_KEY, isDigit } from './keys.ts';
import { serviceMeter } from './meter-service.ts';
import type { OpaygoRun } from './run-state.ts';

/** Polls in a row that may see no time pass before the loop sleeps 1 ms (the original spins; the twin must not). */
const MAX_STILL_POLLS = 8;

/**
 * Let time pass after a poll. With D39 the 19 bytes of `incoming byte = ` pace the loop (the TX buffer is full after
 * three polls: then about 19.8 ms each); without, the loop polls every `keyPollMs`.
 */
export async function pace(fw: FirmwareContext, run: OpaygoRun): Promise<void> {
  await fw.board.delay(fw.has('D39') ? 0 : run.config.keyPollMs);
  const now = fw.board.millis();
  if (now === run.lastPollMs) {
    if (++run.stillPolls > MAX_STILL_POLLS) {
      run.stillPolls = 0;
      await fw.board.delay(1);
    }
  } else {
    run.stillPolls = 0;
  }
  run.lastPollMs = fw.board.millis();
}

/** `uint64_t += double`: the sum in double, then converted to uint64 (negative → 0 on this toolchain, else truncated). */
export function addToToken(TempToken: number, key: number, power: number): number {
  const sum = TempToken + key * 10 ** power;
  return sum < 0 ? 0 : Math.trunc(sum);
}

/** Wait for `*` (handling `#` and the lockout on the way). */
async function waitForStar(fw: FirmwareContext, run: OpaygoRun): Promise<void> {
  const s = fw.state;
  for (;;) {
    const LastKey = GetKeyPressed(fw);
    if (LastKey === STAR_KEY) {
      if (TokenEntryAllowed(fw)) return;
      await BlinkRedLED(fw, 1, BLINK_PERIOD);
      printfPort(fw).print(`\nToken entry locked for ${(s.TokenEntryLockedUntil - GetTimeInSeconds(fw)) >>> 0}seconds`);
    } else if (LastKey === HASH_KEY) {
      await reportStatus(fw);
    }
    await serviceMeter(fw, run);
    await pace(fw, run);
  }
}

/** D38: the nine (or fifteen) polls straight after `*`. */
async function readTokenAtOnce(fw: FirmwareContext, length: number): Promise<number> {
  let TempToken = 0;
  for (let i = 0; i < length; i++) {
    TempToken = addToToken(TempToken, GetKeyPressed(fw), length - 1 - i);
    await fw.board.delay(0); // the poll's own time (the modem line), during which keys may change
  }
  return TempToken;
}

/** D38 fixed: wait for the digits; null when the entry is abandoned. */
async function readTokenWaiting(fw: FirmwareContext, run: OpaygoRun, length: number): Promise<number | null> {
  let token = 0;
  let n = 0;
  let lastKeyMs = fw.board.millis();
  while (n < length) {
    const k = GetKeyPressed(fw);
    if (isDigit(k)) {
      token = token * 10 + k;
      n++;
      lastKeyMs = fw.board.millis();
      if (n === length) break;
    } else if (k === STAR_KEY) {
      token = 0;
      n = 0;
      lastKeyMs = fw.board.millis();
    } else if (k === HASH_KEY) {
      return null;
    }
    if (((fw.board.millis() - lastKeyMs) >>> 0) > run.config.entryTimeoutMs) return null;
    await serviceMeter(fw, run);
    await pace(fw, run);
  }
  return token;
}

/** The token entered after `*`, as the uint64 the decoder gets; null when a D38-fixed entry was abandoned. */
export async function WaitForTokenEntry(fw: FirmwareContext, run: OpaygoRun): Promise<number | null> {
  await waitForStar(fw, run);
  const length = tokenLength(run.config);
  if (fw.has('D38')) return readTokenAtOnce(fw, length);
  return readTokenWaiting(fw, run, length);
}
