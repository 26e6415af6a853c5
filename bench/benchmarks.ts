// The benchmarks of `npm run bench`. Each returns the lines it reports; targets are printed beside the figures.
import { performance } from 'node:perf_hooks';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { ACCURACY_BENCHMARKS } from './accuracy.ts';
import { WAVEFORM_BENCHMARK } from './waveform.ts';
import { FIRMWARE_BENCHMARK } from './firmware.ts';
import { CLI_STARTUP_BENCHMARK, DEMO_SPEED_BENCHMARK } from './cli-startup.ts';
import { BIG_SCENARIO_BENCHMARK } from './big-scenario.ts';
import { RUN_MEMORY_BENCHMARK } from './run-memory.ts';
import { REPLAY_MEMORY_BENCHMARK } from './replay-memory.ts';
import { RESPONDER_BENCHMARK } from './responder.ts';
import { RIG_ORIGINAL_BENCHMARK } from './rig-original.ts';
import { DASHBOARD_BENCHMARK } from './dashboard.ts';
import { DAILY_PROFILE_W, hourCurve, type Benchmark } from './benchmark.ts';
import { COMMS_BENCHMARK } from './comms.ts';
import { BROKER_BENCHMARK, FLEET_BENCHMARK, QUEUE_BENCHMARK } from './scale-out.ts';
import { HIL_BENCHMARKS } from './hil-rig.ts';
import { NODE_RED_BENCHMARK } from './node-red.ts';
import { sampleEveryMinute } from './memory.ts';
import { mainThreadCpuS } from './thread-cpu.ts';
import { Rng } from '../twin/kernel/rng.ts';
import { encodeSts } from '../twin/tokens/sts.ts';
import type { KeyName } from '../twin/meter.ts';
import type { TwinMeter } from '../twin/twin-meter.ts';
import type { NetworkSetup } from '../twin/comms/comms.ts';
import { FAST_PATHS, type ExactSlow } from '../twin/board/fast-paths.ts';

interface DayOptions {
  profile?: 'field' | 'fixed';
  exactSlow?: ExactSlow;
  /** The modem connected to the network and servers (the firmware's GPRS cycle every loop pass); absent: mute. */
  network?: NetworkSetup;
  /**
   * 'hourly': the load of DAILY_PROFILE_W changes once an hour (the original day benchmark).
   * 'household': the load changes every minute (the hour's level, varied by a seeded draw between 0.5x and 1.5x,
   * resistive or a motor at pf 0.8 in the evening), an STS token is typed every 4 hours and the cover is opened for
   * 10 minutes every 6 hours: what a user's day looks like.
   */
  load?: 'hourly' | 'household';
  /** Days run before the timed ones (not timed): 1 with the field profile measures a day after the 23:00 freeze. */
  warmDays?: number;
  /** Time only this many hours of the first day (after `warmDays`), from midnight. */
  hours?: number;
}

interface DayResult {
  simS: number; wallS: number; cpuS: number;
  /** Of `cpuS`, the main thread's (the rest: V8's compiler and garbage-collector threads); null without /proc. */
  mainCpuS: number | null;
  credit: unknown; energy: unknown; scenesSkipped: number; quietScans: number;
  parkedPolls: number; tokens: number; tampers: number; backendRequests: number;
  /** Backend polls answered from the record (backend-replay), modem bytes held back (uart-run). */
  replays: number; heldBack: number;
  /** Reply bytes of the modem and the metering chip that landed without a clock event of their own (rx-run). */
  rxHeld: number;
  /** CPU seconds of the process for each timed simulated hour, in order. */
  hourCpuS: number[];
  /** Serial bytes that went to nobody without a clock event (uart-run: the debug port, a mute modem). */
  unheard: number;
}

async function simulateDays(days: number, progress: (msg: string) => void, o: DayOptions = {}): Promise<DayResult> {
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: o.profile ?? 'field', mode: 'sts' }), credit: 20000, clock: { year: 2026, month: 3, day: 1, hour: 0, minute: 0, second: 0 } },
    plant: { grid: { vrms: 240, hz: 50 }, loads: [] },
    seed: 1,
    speed: 'max',
    exactSlow: o.exactSlow ?? false,
    ...(o.network ? { network: o.network } : {}),
  });
  let backendRequests = 0;
  bench.trace.subscribe((ev) => { if (ev.source === 'backend' && ev.kind === 'request') backendRequests++; });
  await bench.start();
  const sampler = sampleEveryMinute(bench.clock);
  const rng = new Rng(7);
  let tokens = 0;
  let tampers = 0;
  const warm = o.warmDays ?? 0;
  let w0 = performance.now();
  let c0 = process.cpuUsage();
  let m0 = mainThreadCpuS();
  let simStart = bench.now();
  const totalHours = o.hours !== undefined ? warm * 24 + o.hours : (warm + days) * 24;
  const hourCpuS: number[] = [];
  let hourC0 = process.cpuUsage();
  for (let h = 0; h < totalHours; h++) {
    if (h === warm * 24) { w0 = performance.now(); c0 = process.cpuUsage(); m0 = mainThreadCpuS(); simStart = bench.now(); }
    hourC0 = process.cpuUsage();
    const hour = h % 24;
    const evening = hour >= 18 && hour <= 21;
    if (o.load !== 'household') {
      bench.setLoad({ id: 'house', kind: evening ? 'motor' : 'resistive', watts: DAILY_PROFILE_W[hour], pf: evening ? 0.8 : 1 });
      await bench.runFor(3600e6);
    } else {
      const hourEnd = bench.now() + 3600e6;
      for (let m = 0; m < 60; m++) {
        const motor = evening && rng.next() < 0.5;
        bench.setLoad({ id: 'house', kind: motor ? 'motor' : 'resistive', watts: Math.round(DAILY_PROFILE_W[hour] * rng.uniform(0.5, 1.5)), pf: motor ? 0.8 : 1 });
        if (m === 30 && hour % 4 === 2) {
          const token = encodeSts({ amount: 100 + tokens++ });
          await bench.pressKeys(['*', ...token, '#'] as KeyName[]);
        }
        if (m === 10 && hour % 6 === 3) bench.tamper(true);
        if (m === 20 && hour % 6 === 3) { bench.tamper(false); tampers++; }
        await bench.runFor(Math.max(0, hourEnd - 3600e6 + (m + 1) * 60e6 - bench.now()));
      }
      if (bench.now() < hourEnd) await bench.runFor(hourEnd - bench.now());
    }
    if (h >= warm * 24) { const hc = process.cpuUsage(hourC0); hourCpuS.push((hc.user + hc.system) / 1e6); }
    progress(`${warm + days > 1 ? `day ${Math.floor(h / 24) + 1}/${warm + days} ` : ''}hour ${hour + 1}/24`);
  }
  const wallS = (performance.now() - w0) / 1000;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  const m1 = mainThreadCpuS();
  const mainCpuS = m0 === null || m1 === null ? null : m1 - m0;
  const board = (bench.meter as TwinMeter).board;
  const out: DayResult = {
    simS: (bench.now() - simStart) / 1e6, wallS, cpuS, mainCpuS, credit: bench.observe('credit'), energy: bench.observe('energy'),
    scenesSkipped: board?.lcd.scenesSkipped ?? 0, quietScans: board?.quietScans ?? 0,
    parkedPolls: board?.cpu.delaysRepeatedParked ?? 0, tokens, tampers, backendRequests,
    replays: bench.comms?.internet.replays ?? 0, heldBack: board?.serial.modem.bytesHeldBack ?? 0,
    rxHeld: (bench.comms?.modem.replyBytesHeld ?? 0) + ((bench.meter as TwinMeter).chip?.replyBytesHeld ?? 0),
    unheard: board ? board.serial.modem.bytesUnheard + board.serial.debug.bytesUnheard + board.serial.afe.bytesUnheard : 0,
    hourCpuS,
  };
  sampler.cancel();
  await bench.close();
  return out;
}

/** Simulated time per wall second, and per second of this process's CPU time (steadier on a shared machine). */
/** How the CPU time divides between the simulation's thread and V8's helper threads. */
const threads = (r: DayResult): string => r.mainCpuS === null ? ''
  : `, of which ${r.mainCpuS.toFixed(2)} s on the main thread and ${(r.cpuS - r.mainCpuS).toFixed(2)} s in V8's compiler and garbage-collector threads`;

const speed = (r: DayResult): string => `${(r.simS / r.wallS).toFixed(0)}x (${(r.simS / r.cpuS).toFixed(0)}x per CPU second)`;

/** One day with the shortcuts and one with --exact-slow, on the same scenario; with `each`, also one day with each
 *  shortcut alone turned off (its own speed-up: that day's CPU time over the day with all of them). */
async function fastVsSlow(label: string, progress: (msg: string) => void, o: DayOptions, each = false): Promise<string[]> {
  const fast = await simulateDays(1, (m) => progress(`${label} fast ${m}`), o);
  const slow = await simulateDays(1, (m) => progress(`${label} exact-slow ${m}`), { ...o, exactSlow: true });
  const out = [`${label}: ${speed(fast)} with the shortcuts, ${speed(slow)} exact-slow: speed-up ${(slow.wallS / fast.wallS).toFixed(2)}x wall, ${(slow.cpuS / fast.cpuS).toFixed(2)}x CPU `
    + `(${fast.scenesSkipped} LCD redraws, ${fast.quietScans} keypad scans, ${fast.parkedPolls} modem polls, ${fast.replays} backend answers, ${fast.heldBack} modem UART bytes held back, ${fast.rxHeld} modem and chip reply bytes landed without an event and ${fast.unheard} serial bytes to nobody shortcut)`];
  if (each) {
    // Each shortcut alone turned off, on the day's first 6 hours, right after the same hours with all of them on: a
    // shared machine's load drifts over minutes, so each ratio compares neighbours (the whole-day runs above do not).
    out.push('  each shortcut alone turned off, hours 0-6 of the same day, against the same hours with all on just before:');
    for (const path of FAST_PATHS) {
      const on = await simulateDays(1, (m) => progress(`${label} 6 h with all on ${m}`), { ...o, hours: 6 });
      const off = await simulateDays(1, (m) => progress(`${label} 6 h without ${path} ${m}`), { ...o, hours: 6, exactSlow: [path] });
      out.push(`  ${path}: ${(off.cpuS / on.cpuS).toFixed(2)}x CPU (${off.cpuS.toFixed(2)} s against ${on.cpuS.toFixed(2)} s)`);
    }
  }
  return out;
}

/** The field meter as users run it: the modem connected, so the firmware keeps reading the chip and polls the backend. */
const CONNECTED: NetworkSetup = {};

export const BENCHMARKS: Benchmark[] = [
  {
    name: 'sts-day',
    description: 'FROZEN-PRONE: the first simulated day of the field firmware (STS) with a mute modem and an hourly load: the firmware stops reading the chip at 23:00 (D22)',
    async run(progress) {
      const r = await simulateDays(1, progress);
      return [
        `simulated ${r.simS.toFixed(0)} s in ${r.wallS.toFixed(2)} s of wall time`,
        `speed ${(r.simS / r.wallS).toFixed(0)} simulated seconds per wall second, ${(r.simS / r.cpuS).toFixed(0)} per CPU second (target >= 10000)`,
        `firmware at the end: credit ${String(r.credit)}, energy ${String(r.energy)} kWh`,
      ];
    },
  },
  {
    name: 'frozen-day',
    description: 'FROZEN: the second day of the field firmware with a mute modem (after the 23:00 freeze of D22 it no longer reads the chip; what 29 of 30 days of a long run measure)',
    async run(progress) {
      const r = await simulateDays(1, progress, { warmDays: 1 });
      return [`frozen field day: speed ${speed(r)} (${r.wallS.toFixed(2)} s for the day; first day run untimed)`];
    },
  },
  {
    name: 'connected-day',
    description: 'REPRESENTATIVE: the field household day with the modem connected (GPRS cycle and backend poll every loop pass, the 23:00 telemetry), against the same day with a mute modem (target: at most 1.20 times the mute day in CPU), and the connected day again as the second day of a run (V8 has compiled the hot code by then)',
    async run(progress) {
      const net = await simulateDays(1, (m) => progress(`connected ${m}`), { profile: 'field', load: 'household', network: CONNECTED });
      const mute = await simulateDays(1, (m) => progress(`mute ${m}`), { profile: 'field', load: 'household' });
      // The same connected day as the second of a run: V8 has compiled the hot code by then (a fresh process spends
      // its first simulated hours tiering up; the first hour costs several steady ones), what a long run sees per day.
      const second = await simulateDays(1, (m) => progress(`connected, two days: ${m}`), { profile: 'field', load: 'household', network: CONNECTED, warmDays: 1 });
      return [
        `field household day, modem connected: speed ${speed(net)} (${net.cpuS.toFixed(2)} s CPU${threads(net)}; ${net.backendRequests} backend requests of which ${net.replays} answered from the record, ${net.parkedPolls} modem polls without a wake, ${net.heldBack} modem UART bytes held back, ${net.unheard} serial bytes to nobody without an event) (goal 100000x, floor 50000x per CPU second)`,
        `field household day, modem mute: speed ${speed(mute)} (${mute.cpuS.toFixed(2)} s CPU${threads(mute)})`,
        `connected / mute: CPU time ${(net.cpuS / mute.cpuS).toFixed(2)}, wall time ${(net.wallS / mute.wallS).toFixed(2)} (target <= 1.20)`,
        `the connected day as the second day of a run (the first untimed; the code compiled): speed ${speed(second)} (${second.cpuS.toFixed(2)} s CPU${threads(second)})`,
        `CPU seconds per simulated hour of the connected day, fresh process: ${hourCurve(net.hourCpuS)}; as the second day: ${hourCurve(second.hourCpuS)}`,
      ];
    },
  },
  {
    name: 'fixed-day',
    description: 'one simulated day of the fixed firmware in STS mode with an hourly load (it keeps reading the chip: no 23:00 freeze)',
    async run(progress) {
      const r = await simulateDays(1, progress, { profile: 'fixed' });
      return [`speed ${speed(r)} simulated seconds per wall second (${r.wallS.toFixed(2)} s for the day)`];
    },
  },
  {
    name: 'household-day',
    description: 'a household day (load changing every minute, an STS token every 4 h, the cover opened every 6 h), field and fixed, modem mute (the field meter with its modem connected: connected-day)',
    async run(progress) {
      const out: string[] = [];
      for (const profile of ['field', 'fixed'] as const) {
        const r = await simulateDays(1, (m) => progress(`${profile} ${m}`), { profile, load: 'household' });
        out.push(`${profile} household day: speed ${speed(r)} (${r.wallS.toFixed(2)} s; ${r.tokens} tokens, ${r.tampers} tampers; credit at the end ${String(r.credit)}) (goal 100000x, floor 50000x)`);
      }
      return out;
    },
  },
  {
    name: 'fast-paths',
    description: `the same days with the exact shortcuts and with --exact-slow (one switch turns all off), and on the connected day's first 6 hours each shortcut alone turned off, next to the same hours with all on: ${FAST_PATHS.join(', ')}`,
    async run(progress) {
      return [
        ...await fastVsSlow('field household day, modem connected', progress, { profile: 'field', load: 'household', network: CONNECTED }, true),
        ...await fastVsSlow('field day, hourly load (mute modem: frozen from 23:00)', progress, { profile: 'field' }),
        ...await fastVsSlow('fixed day, hourly load', progress, { profile: 'fixed' }),
        ...await fastVsSlow('field household day, mute modem', progress, { profile: 'field', load: 'household' }),
      ];
    },
  },
  RUN_MEMORY_BENCHMARK,
  REPLAY_MEMORY_BENCHMARK,
  FIRMWARE_BENCHMARK,
  RESPONDER_BENCHMARK,
  RIG_ORIGINAL_BENCHMARK,
  COMMS_BENCHMARK,
  FLEET_BENCHMARK,
  BROKER_BENCHMARK,
  QUEUE_BENCHMARK,
  WAVEFORM_BENCHMARK,
  ...ACCURACY_BENCHMARKS,
  DASHBOARD_BENCHMARK,
  CLI_STARTUP_BENCHMARK,
  BIG_SCENARIO_BENCHMARK,
  DEMO_SPEED_BENCHMARK,
  ...HIL_BENCHMARKS,
  NODE_RED_BENCHMARK,
];
