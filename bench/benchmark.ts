// What a benchmark of `npm run bench` is (bench/benchmarks.ts lists them), and the load profile several share.

export interface Benchmark {
  name: string;
  description: string;
  /** Runs once; returns the lines it reports (figures with their targets). `progress` writes a transient status. */
  run(progress: (msg: string) => void): Promise<string[]>;
}

/** A household's day in watts per hour of the day (00:00 .. 23:00), resistive and motor loads mixed. */
export const DAILY_PROFILE_W = [120, 100, 100, 100, 100, 150, 600, 900, 500, 300, 300, 400, 500, 400, 300, 300, 400, 800, 1500, 1800, 1600, 1200, 600, 200];
