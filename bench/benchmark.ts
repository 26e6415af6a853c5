// What a benchmark of `npm run bench` is (bench/benchmarks.ts lists them), and the load profile several share.

export interface Benchmark {
  name: string;
  description: string;
  /** Runs once; returns the lines it reports (figures with their targets). `progress` writes a transient status. */
  run(progress: (msg: string) => void): Promise<string[]>;
}

/** A household's day in watts per hour of the day (00:00 .. 23:00), resistive and motor loads mixed. */
export const DAILY_PROFILE_W = [120, 100, 100, 100, 100, 150, 600, 900, 500, 300, 300, 400, 500, 400, 300, 300, 400, 800, 1500, 1800, 1600, 1200, 600, 200];

/**
 * CPU seconds per simulated hour, from midnight: the first three hours one by one (a fresh process's warm-up), then
 * the range over the hours to 22:00, then the last two (the 23:00 telemetry). Fewer hours: each.
 */
export function hourCurve(cpuS: readonly number[]): string {
  const f = (x: number): string => x.toFixed(2);
  if (cpuS.length < 8) return cpuS.map((x, h) => `h${h + 1} ${f(x)}`).join(', ');
  const mid = cpuS.slice(3, -2);
  const n = cpuS.length;
  return `h1 ${f(cpuS[0])}, h2 ${f(cpuS[1])}, h3 ${f(cpuS[2])}, h4-h${n - 2} ${f(Math.min(...mid))}-${f(Math.max(...mid))}, ` +
    `h${n - 1} ${f(cpuS[n - 2])}, h${n} ${f(cpuS[n - 1])}`;
}
