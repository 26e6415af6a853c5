// `npm run bench`: speed and memory of the twin, printed as ratios and rates (never asserted in tests).
//   npm run bench               every benchmark
//   npm run bench -- day        only benchmarks whose name contains 'day'
//   npm run bench -- sts-day    only that benchmark (a whole name runs that one alone)
import { performance } from 'node:perf_hooks';
import { BENCHMARKS } from './benchmarks.ts';
import { selectBenchmarks } from './select.ts';
import { osPeakRss, resetSampledPeak, sampledPeakRss, sampleRss } from './memory.ts';
import { tuneHeapForSimulation } from '../twin/kernel/heap-tuning.ts';
import { Progress } from '../cli/progress.ts';

const filters = process.argv.slice(2);
if (filters.includes('--help') || filters.includes('-h') || filters.includes('--list')) {
  process.stdout.write('npm run bench [-- NAME...]: run the benchmarks whose names contain one of the NAMEs (all without one);\n'
    + 'a NAME that is a whole benchmark name runs that benchmark alone.\n'
    + 'Speed is printed as ratios and rates, memory as peak resident size; on a loaded machine run one at a time.\n\n');
  for (const b of BENCHMARKS) process.stdout.write(`  ${b.name.padEnd(26)} ${b.description}\n`);
  process.exit(0);
}
tuneHeapForSimulation(); // as `osm` does, so the figures are those a user gets
const selected = selectBenchmarks(BENCHMARKS, filters);
if (selected.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')}; available: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
// Timer samples catch memory while the event loop is free (worker pools, start-up); simulations sample from their
// own clock every simulated minute (bench/memory.ts), since a running simulation never lets a timer fire.
const sampler = setInterval(sampleRss, 50);
const mib = (b: number): string => (b / 1048576).toFixed(0);
for (const b of selected) {
  process.stdout.write(`\n${b.name}: ${b.description}\n`);
  resetSampledPeak();
  const w0 = performance.now();
  // On a terminal one line rewritten in place; into a file or a pipe a line every few seconds, no control codes.
  const progress = new Progress({ stdout: process.stdout, stderr: process.stderr });
  const lines = await b.run((msg) => progress.update(`  … ${msg}`));
  const wall = (performance.now() - w0) / 1000;
  sampleRss();
  progress.done();
  for (const l of lines) process.stdout.write(`  ${l}\n`);
  process.stdout.write(`  wall time ${wall.toFixed(2)} s; peak RSS ${mib(sampledPeakRss())} MiB (sampled every 50 ms of free event loop and every simulated minute)\n`);
}
clearInterval(sampler);
process.stdout.write(`\npeak memory of the whole run: ${mib(osPeakRss())} MiB RSS (the operating system's peak, getrusage maxRSS)\n`);
