// Peak resident memory of a benchmark. A timer cannot sample while a simulation holds the event loop (a simulated
// day runs for seconds without yielding to timers), so simulations also sample from their own virtual clock, once
// every simulated minute (`sampleEveryMinute`); `npm run bench` prints this sampled peak per benchmark and, at the
// end, the operating system's peak for the whole process as well.
import type { VirtualClock } from '../twin/kernel/clock.ts';
import type { EventHandle } from '../models/sim-time.ts';

let peak = 0;

/** Read the process's resident set size now and keep the highest. */
export function sampleRss(): void {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
}

/** The highest resident set size sampled since the last reset, in bytes. */
export function sampledPeakRss(): number { return peak; }

export function resetSampledPeak(): void { peak = 0; sampleRss(); }

/** Sample once every simulated minute on `clock` (an observer only: it changes nothing in the simulation). */
export function sampleEveryMinute(clock: VirtualClock): EventHandle {
  return clock.every(60e6, sampleRss);
}

/** The operating system's peak resident set size of this process since it started (getrusage ru_maxrss), in bytes. */
export function osPeakRss(): number { return process.resourceUsage().maxRSS * 1024; }
