// The time a fleet's page shows in its header (osm serve --fleet). Each meter of a fleet runs on its own virtual
// clock, paced on its own (a meter can be paused, or set to max, from its page), so no one meter's clock is the
// fleet's: the header would otherwise show whichever meter the page last watched. The fleet's time is the simulated
// time every meter has reached (the slowest meter's), as a date from the fleet's start; beside it, how far the
// fastest meter is ahead, and the pacing the meters share.
import { unixOf, type LocalTime } from '../twin/twin-meter.ts';
import type { SpeedValue } from './protocol.ts';

/** What the clock needs of a live meter. */
export interface ClockedMeter {
  /** Virtual time since the meter started, µs. */
  now(): number;
  readonly config: { readonly clock: LocalTime };
  readonly pacer: { readonly speed: SpeedValue; readonly paused: boolean; readonly rate: number };
}

export interface FleetClock {
  /** Virtual time every meter has reached, µs (the slowest meter's). */
  t: number;
  /** The date and time at `t` from the fleet's start, `YYYY-MM-DD HH:MM:SS` (not a meter's RTC: that drifts and a reset sets it back). */
  date: string;
  /** How far the fastest meter is ahead of `t`, µs. */
  aheadUs: number;
  /** The speed every meter runs at; null when they differ. */
  speed: SpeedValue | null;
  /** Every meter is paused. */
  paused: boolean;
  /** The slowest meter's achieved rate (virtual seconds per wall second): what the fleet as a whole achieves. */
  rate: number;
}

export function fleetClock(meters: readonly ClockedMeter[]): FleetClock | null {
  if (meters.length === 0) return null;
  let slowest = meters[0];
  let tMax = -Infinity;
  let rate = Infinity;
  for (const m of meters) {
    const t = m.now();
    if (t < slowest.now()) slowest = m;
    if (t > tMax) tMax = t;
    if (m.pacer.rate < rate) rate = m.pacer.rate;
  }
  const t = slowest.now();
  const speed = meters[0].pacer.speed;
  const d = new Date((unixOf(slowest.config.clock) + Math.floor(t / 1e6)) * 1000);
  return {
    t,
    date: `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
    aheadUs: tMax - t,
    speed: meters.every((m) => m.pacer.speed === speed) ? speed : null,
    paused: meters.every((m) => m.pacer.paused),
    rate: Math.round(rate * 100) / 100,
  };
}

function p2(n: number): string { return String(n).padStart(2, '0'); }
