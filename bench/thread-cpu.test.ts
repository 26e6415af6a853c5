import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { mainThreadCpuS } from './thread-cpu.ts';

const linux = existsSync(`/proc/self/task/${process.pid}/stat`);

(linux ? test : test.skip)('the main thread\'s CPU time grows with work done on it and stays within the process\'s', () => {
  const before = mainThreadCpuS()!;
  const p0 = process.cpuUsage();
  const spent = (): number => { const p = process.cpuUsage(p0); return (p.user + p.system) / 1e6; };
  // Work on this thread until the process has used 0.3 s of CPU (CPU time, not wall time: a busy machine only slows it).
  let x = 0;
  while (spent() < 0.3) for (let i = 0; i < 10000; i++) x += Math.sqrt(x + i);
  const main = mainThreadCpuS()! - before;
  assert.ok(x > 0);
  assert.ok(main >= 0.2, `the main thread did 0.3 s of the process's work and shows ${main} s`);
  assert.ok(main <= spent() + 0.02, 'no more than the whole process');
});

test('without /proc it says so (null), not zero', () => {
  if (linux) assert.type(mainThreadCpuS(), 'number');
  else assert.is(mainThreadCpuS(), null);
});

test.run();
