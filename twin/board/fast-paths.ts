// The simulation's exact shortcuts, by name. Each one changes nothing a user can observe (trace, timing, CPU time);
// `osm run --exact-slow` turns them all off, a benchmark may turn off one at a time to measure what it saves.
export const FAST_PATHS = ['lcd-scene', 'quiet-keypad', 'parked-delay', 'parked-poll', 'backend-replay', 'uart-run', 'settle-signal', 'sync-reads', 'quiet-rearm', 'rx-run'] as const;
/**
 * - `lcd-scene`: an LCD redraw that leaves the display unchanged is not sent byte by byte (same time charged);
 * - `quiet-keypad`: a keypad scan with no key down and nobody watching the pins is not done pin by pin (same time);
 * - `parked-delay`: a main-context delay that an interrupt stretches stays parked instead of waking and sleeping;
 * - `parked-poll`: the modem library's polling waits run their poll grid from the clock without waking the task;
 * - `backend-replay`: an HTTP request the real top-up server already answered, in the same state and with the same
 *   bytes, gets that recorded answer (same bytes, close, request report, virtual time) without the socket round trip;
 * - `uart-run`: bytes a UART peer declares inert (they only extend its input buffer) reach it in one clock event with
 *   the next byte that acts, instead of one event each, when nobody observes the wire's per-byte timing; a byte to a
 *   port with no peer that nobody watches gets no event at all; a write of several bytes is queued in runs (up to
 *   an LF, within the TX buffer's room) with its checks made once;
 * - `settle-signal`: after an event wakes the firmware task, the run loop waits for the task's park signal (one
 *   promise) instead of checking after every microtask hop;
 * - `sync-reads`: the modem library's and HTTP client's byte reads take a byte already received without an async call
 *   around it (the same code at the same virtual time);
 * - `quiet-rearm`: a parked wait whose event only re-arms it (a poll that found nothing, a delay an interrupt
 *   stretched) runs its next turn in the same event when nothing else is due before it (no heap round trip);
 * - `rx-run`: the modem's and the metering chip's reply bytes reach the board's RX buffer when the firmware next looks
 *   at it (or the port, the modem or the chip changes), in the order and at the places their own events would have
 *   had, instead of one clock event per chunk of 8 bytes (the modem) or per byte (the chip).
 */
export type FastPath = (typeof FAST_PATHS)[number];

/** `true`: every shortcut off; a list: those off; `false` or absent: all on. */
export type ExactSlow = boolean | readonly FastPath[];

export function fastPathOn(exactSlow: ExactSlow | undefined, path: FastPath): boolean {
  if (exactSlow === undefined || exactSlow === false) return true;
  if (exactSlow === true) return false;
  return !exactSlow.includes(path);
}
