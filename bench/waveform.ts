// Waveform-level throughput: sample pairs (V, I) per second on one core through the plant (grid with harmonics and
// noise, a household mix of loads, the divider and the saturable CT network), the ATM90E26's ADCs and DSP, and the
// chip's registers and energy path on the virtual clock. Target: >= 1e7 pairs/s, i.e. over 1000 x real time at 8 kHz.
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { Rng } from '../twin/kernel/rng.ts';
import { ATM90E26 } from '../models/afe/atm90e26.ts';
import { WaveformFrontEnd } from '../models/afe/waveform-front-end.ts';
import { WaveformPlant } from '../models/waveform/waveform-plant.ts';
import type { Benchmark } from './benchmark.ts';

/** The firmware's register setup (SET_register_values), so the energy path and the thresholds run as in the field. */
const FIRMWARE_REGISTERS: Array<[string, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['Lphi', 0], ['PStartTh', 0x08bd], ['PNolTh', 0x08bd], ['QStartTh', 0x0aec],
  ['QNolTh', 0], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678], ['Ugain', 0x71d8], ['IgainN', 0x0f56],
  ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];

/** Samples per block handed from the plant to the chip (200 ms at 8 kHz). */
const BLOCK = 1600;

interface Rig {
  clock: VirtualClock;
  plant: WaveformPlant;
  chip: ATM90E26;
  feed: WaveformFrontEnd;
}

function buildRig(): Rig {
  const rng = new Rng(1);
  const random = (): number => rng.next();
  const clock = new VirtualClock();
  const plant = new WaveformPlant({
    grid: { vrms: 240, hz: 50, harmonics: [{ order: 3, percent: 2 }, { order: 5, percent: 3 }, { order: 7, percent: 1 }] },
    gridNoise: { noiseVrms: 0.05, random },
    loads: [
      { id: 'heater', kind: 'resistive', watts: 1500 },
      { id: 'fridge', kind: 'motor', watts: 150, pf: 0.7 },
      { id: 'tv', kind: 'smps', watts: 80 },
    ],
    maxBlock: BLOCK,
  });
  const chip = new ATM90E26(clock);
  for (const [name, value] of FIRMWARE_REGISTERS) chip.pokeRegister(name as never, value);
  const feed = new WaveformFrontEnd(chip, clock, {}, random);
  return { clock, plant, chip, feed };
}

async function runFor(rig: Rig, seconds: number): Promise<void> {
  const blocks = Math.round((seconds * rig.plant.sampleRateHz) / BLOCK);
  const blockUs = (BLOCK * 1e6) / rig.plant.sampleRateHz;
  for (let b = 0; b < blocks; b++) {
    const block = rig.plant.render(BLOCK);
    rig.feed.setPinSamples(block.pins);
    await rig.clock.runFor(blockUs);
  }
}

/** CPU seconds this process spends in `fn` (user + system): a per-core figure other processes on the machine do not inflate. */
async function cpuSeconds(fn: () => Promise<void> | void): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - w0) / 1000 };
}

export const WAVEFORM_BENCHMARK: Benchmark = {
  name: 'waveform-throughput',
  description: 'waveform level: sample pairs per second per core through plant, front end and ATM90E26 (8 kHz)',
  async run(progress) {
    const rig = buildRig();
    await runFor(rig, 20); // warm up the JIT; the motor start and the filters settle
    const simS = 600;
    const parts = 6;
    let cpu = 0;
    let wall = 0;
    for (let k = 0; k < parts; k++) {
      const t = await cpuSeconds(() => runFor(rig, simS / parts));
      cpu += t.cpu;
      wall += t.wall;
      progress(`${((k + 1) * simS) / parts} of ${simS} simulated seconds`);
    }
    const pairs = simS * rig.plant.sampleRateHz;

    // The two halves alone, on the same kind of signals.
    const plantOnly = buildRig().plant;
    for (let b = 0; b < (20 * 8000) / BLOCK; b++) plantOnly.render(BLOCK);
    const tPlant = await cpuSeconds(() => { for (let b = 0; b < (120 * 8000) / BLOCK; b++) plantOnly.render(BLOCK); });
    const chipRig = buildRig();
    const recorded = Array.from({ length: 25 }, () => {
      const p = chipRig.plant.render(BLOCK).pins;
      return { sampleRateHz: p.sampleRateHz, V: p.V.slice(), IL: p.IL.slice(), IN: p.IN.slice() };
    });
    const feedAll = async (reps: number): Promise<void> => {
      for (let r = 0; r < reps; r++) {
        for (const b of recorded) {
          chipRig.feed.setPinSamples(b);
          await chipRig.clock.runFor((BLOCK * 1e6) / 8000);
        }
      }
    };
    await feedAll(4);
    const tChip = await cpuSeconds(() => feedAll(24));
    const chipSamples = 24 * recorded.length * BLOCK;

    return [
      `${pairs.toExponential(2)} sample pairs (${simS} s at 8 kHz, household mix) in ${cpu.toFixed(2)} CPU s (${wall.toFixed(2)} s wall):`
        + ` ${(pairs / cpu).toExponential(2)} pairs/s per core (target >= 1e7)`,
      `${(pairs / cpu / rig.plant.sampleRateHz).toFixed(0)} x real time per core; chip at the end: Urms ${rig.chip.peekRegister('Urms')},`
        + ` Irms2 ${rig.chip.peekRegister('Irms2')}, CF1 pulses ${rig.chip.cf1Pulses}`,
      `plant alone ${((120 * 8000) / tPlant.cpu).toExponential(2)} samples/s, chip (ADC, DSP, registers, clock) alone`
        + ` ${(chipSamples / tChip.cpu).toExponential(2)} samples/s, per core`,
    ];
  },
};
