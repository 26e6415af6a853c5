// Waveform-level throughput: sample pairs (V, I) per second on one core through the plant (grid with harmonics and
// noise, a household mix of loads, the divider and the saturable CT network), the ATM90E26's ADCs and DSP, and the
// chip's registers and energy path on the virtual clock. Target: >= 1e7 pairs/s, i.e. over 1000 x real time at 8 kHz.
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { Rng } from '../twin/kernel/rng.ts';
import { ATM90E26 } from '../models/afe/atm90e26.ts';
import { WaveformFrontEnd } from '../models/afe/waveform-front-end.ts';
import { WaveformPlant } from '../models/waveform/waveform-plant.ts';
import type { Benchmark } from './benchmarks.ts';

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

export const WAVEFORM_BENCHMARK: Benchmark = {
  name: 'waveform-throughput',
  description: 'waveform level: sample pairs per second per core through plant, front end and ATM90E26 (8 kHz)',
  async run(progress) {
    const rig = buildRig();
    await runFor(rig, 2); // warm up the JIT and let the filters and the motor start settle
    const simS = 120;
    const w0 = performance.now();
    for (let k = 0; k < 4; k++) {
      await runFor(rig, simS / 4);
      progress(`${((k + 1) * simS) / 4} of ${simS} simulated seconds`);
    }
    const wallS = (performance.now() - w0) / 1000;
    const pairs = simS * rig.plant.sampleRateHz;
    const rate = pairs / wallS;

    // The two halves alone, on the same signals.
    const plantOnly = new WaveformPlant({ grid: { vrms: 240, hz: 50 }, loads: [{ id: 'heater', kind: 'resistive', watts: 1500 }], maxBlock: BLOCK });
    const p0 = performance.now();
    for (let b = 0; b < (30 * 8000) / BLOCK; b++) plantOnly.render(BLOCK);
    const plantRate = (30 * 8000) / ((performance.now() - p0) / 1000);
    const block = plantOnly.render(BLOCK).pins;
    const copy = { sampleRateHz: block.sampleRateHz, V: block.V.slice(), IL: block.IL.slice(), IN: block.IN.slice() };
    const dspRig = buildRig();
    const d0 = performance.now();
    for (let b = 0; b < (30 * 8000) / BLOCK; b++) dspRig.feed.dsp.process(copy);
    const dspRate = (30 * 8000) / ((performance.now() - d0) / 1000);

    return [
      `${pairs.toExponential(2)} sample pairs (${simS} s at 8 kHz) in ${wallS.toFixed(2)} s: ${rate.toExponential(2)} pairs/s per core (target >= 1e7)`,
      `${(rate / rig.plant.sampleRateHz).toFixed(0)} x real time; chip at the end: Urms ${rig.chip.peekRegister('Urms')}, Irms2 ${rig.chip.peekRegister('Irms2')}, CF1 pulses ${rig.chip.cf1Pulses}`,
      `plant alone ${plantRate.toExponential(2)} samples/s, chip DSP alone ${dspRate.toExponential(2)} samples/s`,
    ];
  },
};
