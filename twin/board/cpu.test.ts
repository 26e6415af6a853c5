import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../kernel/clock.ts';
import { Cpu, PowerLoss } from './cpu.ts';

const TIM1_PERIOD_US = (55 * 65454) / 72; // 49 999.583 us: prescaler 55, overflow 65454 at 72 MHz

test('delay(20) ends on the millisecond tick 20 ms after its start', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  let ended = -1;
  clock.spawn('main', async () => { await cpu.delay(20); ended = clock.now(); });
  await clock.runFor(100_000);
  assert.is(ended, 20_000);
});

test('work charged in the main context delays the next delay by its duration', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  let ended = -1;
  clock.spawn('main', async () => { cpu.spend(21_000); await cpu.delay(10); ended = clock.now(); });
  await clock.runFor(100_000);
  assert.is(ended, 31_000);
});

test('millis keeps counting inside the interrupt, as SysTick has the higher priority', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const seen: number[] = [];
  cpu.attachTimerInterrupt(TIM1_PERIOD_US, () => { seen.push(cpu.millis()); cpu.delayBlocking(20); seen.push(cpu.millis()); });
  await clock.runFor(60_000);
  assert.equal(seen, [49, 69]);
});

test('an interrupt that overlaps a delay makes it end when the interrupt returns', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  let ended = -1;
  // interrupt at 49 999 us lasting 20 ms: a delay that should end at 60 ms ends at 69 999 us
  cpu.attachTimerInterrupt(TIM1_PERIOD_US, () => cpu.spend(20_000));
  clock.spawn('main', async () => { await cpu.delay(60); ended = clock.now(); });
  await clock.runFor(80_000);
  assert.is(ended, 69_999);
});

test('an interrupt during main-context work stretches the work by its duration', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  let ended = -1;
  cpu.attachTimerInterrupt(TIM1_PERIOD_US, () => cpu.spend(16_000));
  clock.spawn('main', async () => { cpu.spend(60_000); await cpu.delay(0); ended = clock.now(); });
  await clock.runFor(200_000);
  // 60 ms of work with one 16 ms interrupt at 49.999 ms, and the second tick (99.999 ms) after the work ended
  assert.is(ended, 76_000);
});

test('ticks falling inside a long interrupt merge into one pending interrupt', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const starts: number[] = [];
  let first = true;
  cpu.attachTimerInterrupt(TIM1_PERIOD_US, () => {
    starts.push(clock.now());
    if (first) { first = false; cpu.spend(120_000); }
  });
  await clock.runFor(260_000);
  // first at 49 999 us runs 120 ms; ticks at 99 999 and 149 998 merge into one at 169 999; next regular tick 199 998
  assert.equal(starts, [49_999, 169_999, 199_998, 249_997]);
});

test('millis wraps at 2^32 ms (49.7 days)', () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock, { millisOffsetUs: (4294967296 - 5) * 1000 });
  assert.is(cpu.millis(), 4294967291);
  cpu.spend(10_000);
  assert.is(cpu.millis(), 5);
});

test('micros wraps at 2^32 us (71.6 minutes)', () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock, { millisOffsetUs: 4294967296 - 5 });
  assert.is(cpu.micros(), 4294967291);
  cpu.spend(10);
  assert.is(cpu.micros(), 5);
  assert.is(cpu.millis(), 4294967);
});

test('a power cut makes the main task end with PowerLoss at its next wake', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  let outcome = '';
  clock.spawn('main', async () => {
    try { for (;;) await cpu.delay(10); } catch (e) { outcome = e instanceof PowerLoss ? 'power lost' : String(e); }
  });
  clock.at(55_000, () => cpu.powerOff());
  await clock.runFor(100_000);
  assert.is(outcome, 'power lost');
});


/** A main loop and a timer interrupt with seeded, irregular work; everything observable about their timing. */
async function busyRun(fastPaths: boolean, cutAtUs: number): Promise<string> {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock, { fastPaths });
  let x = 12345;
  const rand = (n: number): number => { x = (x * 1103515245 + 12345) % 2147483648; return x % n; };
  const log: string[] = [];
  cpu.attachTimerInterrupt(TIM1_PERIOD_US, () => { cpu.spend(200 + rand(3) * 9_000); log.push(`isr ${clock.now()} ${cpu.millis()}`); });
  clock.at(cutAtUs, () => cpu.powerOff());
  clock.spawn('main', async () => {
    try {
      for (let i = 0; ; i++) {
        cpu.spend(rand(4) * 7_000);
        const k = rand(5);
        if (k === 0) await cpu.settle(); else await cpu.delay(k === 1 ? 0 : rand(120));
        log.push(`wake ${clock.now()} ${cpu.millis()} ${cpu.micros()}`);
      }
    } catch (err) {
      log.push(`${(err as Error).name} at ${clock.now()}`);
    }
  }, (err) => err instanceof PowerLoss);
  await clock.runFor(20_000_000);
  return `${log.join('\n')}\nisrCount ${cpu.isrCount} isrTimeUs ${cpu.isrTimeUs}`;
}

test('the fast main-context sleep wakes at the same times, with the same interrupt lateness and busy time, as the exact-slow one', async () => {
  const fast = await busyRun(true, 15_000_000);
  const slow = await busyRun(false, 15_000_000);
  assert.ok(fast.split('\n').length > 500, 'the run did little');
  assert.match(fast, /PowerLoss at/);
  assert.is(fast, slow);
});

test.run();
