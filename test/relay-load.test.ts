// The latching relay's contact is in series with the loads, and the meter hangs on the mains at its terminals: the
// physical couplings between the board and the plant, end to end through the firmware twin, at both fidelities.
//   relay contact -> every load (open: no voltage, no current; closed again: each load starts cold)
//   mains at the terminals -> the meter's supply (outage, deep sag, power cut) and the voltage channel (line side)
//   cover switch -> PA1 (tamper: the firmware opens the relay, so the load goes too)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench, type Bench, type BenchConfig } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import type { TwinMeter } from '../twin/twin-meter.ts';
import type { KeyName } from '../twin/meter.ts';
import type { LoadSpec } from '../twin/kernel/stimuli.ts';
import type { TraceEvent } from '../twin/kernel/trace.ts';

const MIN = 60e6;
/** `osm sts generate --amount 500`: +500 on the default meter (MT100, tariff 1). */
const TOKEN_500 = '*43643501245072A10001#';

function bench(opts: { fidelity?: 'phasor' | 'waveform'; credit?: number; loads?: LoadSpec[]; fix?: string[]; meter?: Partial<BenchConfig['meter']> } = {}): { b: Bench; events: TraceEvent[] } {
  const b = createBench({
    meter: {
      build: resolveFirmware({ profile: 'field', mode: 'sts', ...(opts.fix ? { fix: opts.fix as never } : {}) }),
      credit: opts.credit ?? 500,
      clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 },
      ...opts.meter,
    },
    plant: { grid: { vrms: 240, hz: 50 }, fidelity: opts.fidelity ?? 'phasor', loads: opts.loads ?? [] },
    seed: 1,
  });
  const events: TraceEvent[] = [];
  b.trace.subscribe((e) => events.push(e));
  return { b, events };
}

const num = (b: Bench, name: string): number => b.observe(name) as number;
const irms2 = (b: Bench): number => ((b.meter as TwinMeter).chip?.peekRegister('Irms2') ?? NaN) / 1000;

async function exhaustAndRestore(fidelity: 'phasor' | 'waveform', watts: number): Promise<void> {
  const amps = watts / 240;
  const { b, events } = bench({ fidelity, credit: 2, loads: [{ id: 'heater', kind: 'resistive', watts, pf: 1 }] });
  await b.start();
  assert.ok(await b.runUntil(() => Math.abs(num(b, 'power') / watts - 1) < 0.02, 7 * MIN), 'the firmware never measured the heater');
  assert.ok(await b.runUntil(() => b.observe('relay') === 'open', 60 * MIN), 'the relay never opened');

  // at the instant the contact opens, the plant's line current is gone and the voltage is still there
  const opened = events.filter((e) => e.source === 'meter' && e.kind === 'relay').at(-1)!;
  const truthAfter = events.filter((e) => e.source === 'plant' && e.kind === 'truth' && e.t === opened.t).at(-1);
  assert.ok(truthAfter, 'no plant change at the contact instant');
  assert.equal([(truthAfter!.data as { irms: number }).irms, (truthAfter!.data as { vrms: number }).vrms], [0, 240]);

  // within one measurement pass of the firmware (≈ 5.3 min with the mute modem) it reads no power and no current
  assert.ok(await b.runUntil(() => num(b, 'power') < 15, 6 * MIN), `power still ${num(b, 'power')} W`);
  await b.runFor(1e6);
  assert.ok(num(b, 'current') <= 0.05, `current ${num(b, 'current')} A`);
  // the chip's current channel reads its noise floor (120 uV at the pins: 25 mA on a 1000:1 CT into 4.8 ohm)
  assert.ok(irms2(b) > 0 && irms2(b) < 0.05, `Irms2 ${irms2(b)} A`);
  assert.is(b.plant.truth().irms, 0);
  assert.is(b.plant.truth().vrms, 240);

  // energy and credit do not move for the next hour
  const credit = num(b, 'credit');
  const energy = num(b, 'energy');
  await b.runFor(60 * MIN);
  assert.is(b.observe('relay'), 'open');
  assert.is(num(b, 'credit'), credit, 'credit moved with the relay open');
  assert.is(num(b, 'energy'), energy, 'energy moved with the relay open');

  // a token restores the credit; the next credit check closes the relay and the heater draws again
  await b.pressKeys([...TOKEN_500] as KeyName[]);
  assert.ok(num(b, 'credit') >= 500, `credit ${num(b, 'credit')} after the token`);
  assert.ok(await b.runUntil(() => b.observe('relay') === 'closed', 6 * MIN), 'the relay did not close after the token');
  assert.ok(Math.abs(b.plant.truth().irms - amps) < 1e-9, `plant current ${b.plant.truth().irms} A`);
  assert.ok(await b.runUntil(() => Math.abs(num(b, 'power') / watts - 1) < 0.02, 7 * MIN), 'the heater does not draw again');
  await b.close();
}

test('credit exhaustion under a 2.4 kW heater: the open relay cuts the load, billing stops, a token restores it (phasor)', async () => {
  await exhaustAndRestore('phasor', 2400);
});

test('the same at waveform fidelity: no current in the samples while the contact is open', async () => {
  await exhaustAndRestore('waveform', 7200);
});

test('the waveform plant renders no line current from the sample after the contact opens', async () => {
  const { b } = bench({ fidelity: 'waveform', loads: [{ id: 'heater', kind: 'resistive', watts: 2400, pf: 1 }], meter: { relay: 'closed' } });
  const wp = b.waveformPlant!;
  b.plant.setContact(false);
  wp.setContact(false);
  const block = wp.render(160);
  assert.is(Math.max(...block.iLine.map(Math.abs)), 0);
  assert.ok(Math.max(...block.vLine) > 330, 'the voltage is on the line side and stays');
  wp.setContact(true);
  const again = wp.render(160);
  assert.ok(Math.max(...again.iLine) > 14, 'the heater draws again');
});

test('a tamper opening of the relay cuts the load the same way', async () => {
  const { b } = bench({ loads: [{ id: 'lamp', kind: 'resistive', watts: 1000, pf: 1 }] });
  await b.start();
  assert.ok(await b.runUntil(() => b.observe('relay') === 'closed', MIN));
  await b.runFor(30e6);
  assert.ok(b.plant.truth().irms > 4);
  b.tamper(true);
  assert.ok(await b.runUntil(() => b.observe('relay') === 'open', 8 * MIN), 'tamper never opened the relay');
  assert.is(b.plant.truth().irms, 0);
  assert.ok(await b.runUntil(() => num(b, 'power') < 15, 6 * MIN), `power still ${num(b, 'power')} W`);
  await b.close();
});

test('a fault opening (sag to 120 V with D11 fixed) cuts the load the same way', async () => {
  const { b } = bench({ fix: ['D11'], loads: [{ id: 'lamp', kind: 'resistive', watts: 1000, pf: 1 }] });
  await b.start();
  assert.ok(await b.runUntil(() => b.observe('relay') === 'closed', MIN));
  b.setGrid({ vrms: 120, forUs: 12 * MIN });
  assert.ok(await b.runUntil(() => b.observe('relay') === 'open', 12 * MIN), 'the fault never opened the relay');
  assert.is(b.plant.truth().irms, 0);
  assert.ok(b.meter.powered, 'the meter runs on at 120 V (its supply takes 85-265 V)');
  await b.close();
});

test('the meter starts with its relay open: a load draws nothing until the firmware closes the contact', async () => {
  const { b, events } = bench({ loads: [{ id: 'heater', kind: 'resistive', watts: 2400, pf: 1 }] });
  await b.start();
  assert.is(b.plant.truth().irms, 0);
  assert.ok(await b.runUntil(() => b.observe('relay') === 'closed', MIN));
  const closed = events.find((e) => e.source === 'meter' && e.kind === 'relay')!;
  const coil = events.find((e) => e.source === 'plant' && e.kind === 'truth' && (e.data as { irms: number }).irms > 0)!;
  assert.is(coil.t, closed.t, 'the load connects at the instant the contact completes its travel');
  assert.ok(Math.abs(b.plant.truth().irms - 10) < 1e-9);
  await b.close();
});

test('a grid outage powers the meter down after its supply hold-up; the mains back, it boots again', async () => {
  const { b, events } = bench({ loads: [{ id: 'heater', kind: 'resistive', watts: 2400, pf: 1 }] });
  await b.start();
  await b.runFor(30e6);
  const t0 = b.now();
  b.setGrid({ outage: true, forUs: 5e6 });
  await b.runFor(19_000);
  assert.ok(b.meter.powered, 'the supply holds the meter for 20 ms');
  await b.runFor(2_000);
  assert.not.ok(b.meter.powered, 'the supply collapsed after its hold-up');
  const off = events.find((e) => e.source === 'meter' && e.kind === 'power' && !(e.data as { on: boolean }).on)!;
  assert.is(off.t - t0, 20_000);
  await b.runFor(5e6);
  assert.ok(b.meter.powered, 'the meter boots when the mains return');
  await b.close();
});

test('an outage shorter than the hold-up is ridden through', async () => {
  const { b } = bench();
  await b.start();
  await b.runFor(30e6);
  b.setGrid({ outage: true, forUs: 10_000 });
  await b.runFor(1e6);
  assert.ok(b.meter.powered);
  await b.close();
});

test('a sag below the supply\'s input range (60 V) powers the meter down', async () => {
  const { b } = bench();
  await b.start();
  await b.runFor(30e6);
  b.setGrid({ vrms: 60, forUs: 10e6 });
  await b.runFor(1e6);
  assert.not.ok(b.meter.powered);
  await b.runFor(10e6);
  assert.ok(b.meter.powered);
  await b.close();
});

test('power: cut removes the mains at the terminals: the meter stops at once and the loads lose their voltage', async () => {
  const { b } = bench({ loads: [{ id: 'heater', kind: 'resistive', watts: 2400, pf: 1 }] });
  await b.start();
  assert.ok(await b.runUntil(() => b.observe('relay') === 'closed', MIN));
  b.power(false);
  assert.not.ok(b.meter.powered);
  assert.equal([b.plant.truth().vrms, b.plant.truth().irms], [0, 0]);
  assert.is(b.observe('relay'), 'closed', 'a latching relay keeps its position without power');
  b.power(true);
  assert.ok(b.meter.powered);
  assert.ok(Math.abs(b.plant.truth().irms - 10) < 1e-9, 'the contact is still closed: the heater draws at once');
  await b.close();
});

test('with supply: external the meter runs with no mains at its terminals, and power: cut cuts only the meter', async () => {
  const { b } = bench({ meter: { supply: 'external' }, loads: [{ id: 'heater', kind: 'resistive', watts: 2400, pf: 1 }] });
  b.setGrid({ outage: true });
  await b.start();
  assert.ok(b.meter.powered);
  b.setGrid({ outage: false });
  b.power(false);
  assert.not.ok(b.meter.powered);
  assert.is(b.plant.truth().vrms, 240);
  await b.close();
});

test.run();
