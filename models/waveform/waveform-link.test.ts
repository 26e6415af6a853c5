import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { ATM90E26 } from '../afe/atm90e26.ts';
import { WaveformFrontEnd } from '../afe/waveform-front-end.ts';
import type { RegisterName } from '../afe/registers.ts';
import { WaveformPlant } from './waveform-plant.ts';
import { WaveformLink } from './waveform-link.ts';

const FIRMWARE: Array<[RegisterName, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678],
  ['Ugain', 0x71d8], ['IgainN', 0x0f56], ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];

function setup(): { clock: VirtualClock; chip: ATM90E26; plant: WaveformPlant; link: WaveformLink } {
  const clock = new VirtualClock();
  const chip = new ATM90E26(clock);
  for (const [name, v] of FIRMWARE) chip.pokeRegister(name, v);
  const plant = new WaveformPlant({ loads: [{ id: 'heater', watts: 1200 }] });
  const link = new WaveformLink(plant, new WaveformFrontEnd(chip, clock), clock);
  return { clock, chip, plant, link };
}

test('samples the plant as virtual time passes and keeps the chip\'s registers current', async () => {
  const { clock, chip, link } = setup();
  link.start();
  await clock.runFor(1_000_000);
  assert.is(link.samples, 50 * 160); // blocks of 160 samples, each rendered at its last sample's time
  link.sync();
  assert.is(link.samples, 8001); // samples at 0, 125 us, ..., 1 s
  assert.ok(Math.abs(chip.peekRegister('Urms') - 24000) <= 12, `Urms ${chip.peekRegister('Urms')}`);
  assert.ok(Math.abs(chip.peekRegister('Irms2') - 250) <= 1, `Irms2 ${chip.peekRegister('Irms2')}`); // 5 A
});

test('starts a change made after sync() at the next sample', async () => {
  const { clock, plant, link } = setup();
  const peaks: Array<[number, number]> = [];
  link.onBlock = (b, startUs) => b.vLine.forEach((v, k) => peaks.push([startUs + k * 125, v]));
  link.start();
  await clock.runFor(30_000); // 30 ms
  link.sync();
  plant.applyGrid({ outage: true });
  await clock.runFor(10_000);
  link.sync();
  const before = peaks.filter(([t]) => t <= 30_000);
  const after = peaks.filter(([t]) => t > 30_000);
  assert.ok(before.some(([, v]) => Math.abs(v) > 100));
  assert.ok(after.length >= 79 && after.every(([, v]) => v === 0), `${after.length} samples after the outage`);
});

test('stops rendering when stopped', async () => {
  const { clock, link } = setup();
  link.start();
  await clock.runFor(100_000);
  link.stop();
  const n = link.samples;
  await clock.runFor(100_000);
  assert.is(link.samples, n);
  assert.is(link.running, false);
});
test.run();
