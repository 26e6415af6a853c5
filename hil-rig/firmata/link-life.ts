// What every host-side Firmata link of the rig does the same way, whichever rig it serves (the firmware twin's board
// in hil-rig/rig/connection.ts, the original firmware's rig board in hil-rig/rig-original/original-link.ts): run time
// until a condition holds, say why a handshake failed, watch a board that goes silent, close the port.
import type { EventHandle, SimTime } from '../../models/sim-time.ts';
import type { VirtualClock } from '../../twin/kernel/clock.ts';
import type { Firmata } from './io.ts';
import type { SysexTap } from './sysex-tap.ts';
import type { EmulatedLink } from '../emulator/link.ts';
import { plural } from '../../io/plural.ts';

/**
 * Run the link's time until `cond` holds or `timeoutUs` passed: pump the private clock of an emulated board not yet
 * on the bench's clock (`privateClock`), or wait on the wall. A fault (`faultOf`) is checked on every turn and thrown.
 */
export async function pumpUntil(
  time: SimTime, privateClock: VirtualClock | null, faultOf: () => string | null,
  cond: () => boolean, timeoutUs: number, toError: (fault: string) => Error,
): Promise<boolean> {
  const t0 = time.now();
  for (;;) {
    if (cond()) return true;
    const fault = faultOf();
    if (fault) throw toError(fault);
    if (time.now() - t0 >= timeoutUs) return cond();
    if (privateClock) {
      await privateClock.runFor(1000);
      await new Promise((r) => setImmediate(r));
    } else {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** The message for a board that gave no Firmata handshake within `limitUs`: nothing, or the first bytes it sent. */
export function handshakeFailure(tap: SysexTap, description: string, limitUs: number, advice: string): string {
  const head = tap.head.map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const what = tap.bytes === 0 ? 'nothing came back' : `received ${plural(tap.bytes, 'byte')} that ${tap.bytes === 1 ? 'is' : 'are'} not a Firmata handshake (${head}${tap.bytes > 32 ? ' …' : ''})`;
  return `no Firmata board on ${description} within ${(limitUs / 1e6).toFixed(0)} s: ${what}; ${advice}`;
}

/**
 * Whether the event loop has turned since the last `look()`: a watchdog of a real port judges silence only then
 * (its bytes may be waiting unread while this process catches up on a burst of paced events). Disabled, it always
 * says yes, so a watchdog on an emulated link stays a function of virtual time.
 */
export class LoopTurns {
  #turned = true;
  constructor(readonly enabled: boolean) {}

  look(): void {
    if (!this.enabled) return;
    this.#turned = false;
    setImmediate(() => { this.#turned = true; });
  }

  turned(): boolean { return this.#turned; }
}

/**
 * The watchdog: a board that has sent nothing for half of `silenceUs` is asked for its version; at `silenceUs` it is
 * silent (`onSilent` with the quiet time). Returns the way to stop it.
 *
 * `overLoop`: the board's bytes come through the event loop (a real serial port), and time is paced to the wall
 * clock. When this process was held up (a loaded machine), the paced clock catches up in one burst of events while
 * the board's bytes still wait unread in the port: silence then counts only from a look made after the event loop
 * has turned (read what had arrived) since the look before. An emulated board on the same clock needs no turn, and
 * its watchdog stays a function of virtual time alone.
 */
export function watchSilence(
  o: { time: SimTime; tap: SysexTap; io: Firmata; silenceUs: number; stopped: () => boolean; onSilent: (quietUs: number) => void; overLoop?: boolean },
): { cancel(): void } {
  let handle: EventHandle | null = null;
  const period = Math.min(250_000, o.silenceUs / 4);
  const loop = new LoopTurns(o.overLoop === true);
  const tick = (): void => {
    handle = null;
    if (o.stopped()) return;
    const quiet = o.time.now() - o.tap.lastByteAt;
    if (quiet >= o.silenceUs && loop.turned()) { o.onSilent(quiet); return; }
    if (quiet >= o.silenceUs / 2) o.io.reportVersion(() => {});
    loop.look();
    handle = o.time.at(o.time.now() + period, tick);
  };
  loop.look();
  handle = o.time.at(o.time.now() + period, tick);
  return { cancel() { handle?.cancel(); handle = null; } };
}

/** Close the link: unplug an emulated one; drain and close a serial port; destroy any other stream. */
export async function closeTransport(io: Firmata, link: EmulatedLink | null): Promise<void> {
  if (link) { link.unplug(); return; }
  const t = io.transport;
  if (t && typeof t.close === 'function') {
    const drain = (t as { drain?: (cb: () => void) => void }).drain;
    if (t.isOpen && typeof drain === 'function') await new Promise<void>((r) => drain.call(t, () => r()));
    if (t.isOpen) await new Promise<void>((r) => t.close!(() => r()));
  } else {
    t?.destroy();
  }
}
