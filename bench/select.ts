// Which benchmarks `npm run bench -- NAME...` runs: a NAME that is a benchmark's whole name runs that one (so
// `npm run bench -- sts-day` does not also run sts-day-comms); any other NAME runs every benchmark whose name contains
// it (`npm run bench -- day` runs the days). No NAME: all of them.
export function selectBenchmarks<B extends { name: string }>(all: readonly B[], filters: readonly string[]): B[] {
  if (filters.length === 0) return [...all];
  const names = new Set(all.map((b) => b.name));
  return all.filter((b) => filters.some((f) => (names.has(f) ? b.name === f : b.name.includes(f))));
}
