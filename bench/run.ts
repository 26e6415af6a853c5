// `npm run bench`: speed and memory of the twin, printed as ratios and rates (never asserted in tests).
//   npm run bench               every benchmark
//   npm run bench -- day        only benchmarks whose name contains 'day'
import { performance } from 'node:perf_hooks';
import { BENCHMARKS } from './benchmarks.ts';

const filters = process.argv.slice(2);
const selected = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
if (selected.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')}; available: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
for (const b of selected) {
  process.stdout.write(`\n${b.name}: ${b.description}\n`);
  const w0 = performance.now();
  const lines = await b.run((msg) => process.stderr.write(`  … ${msg}\r`));
  const wall = (performance.now() - w0) / 1000;
  process.stderr.write('\x1b[K');
  for (const l of lines) process.stdout.write(`  ${l}\n`);
  process.stdout.write(`  wall time ${wall.toFixed(2)} s\n`);
}
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
process.stdout.write(`\npeak memory (RSS) ${(peakRss / 1048576).toFixed(0)} MiB\n`);
