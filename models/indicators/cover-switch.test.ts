// The terminal-cover switch on PA1 (docs/firmware.md §1.4): 12 V through 10 kΩ into a 470 Ω pull-down when the
// cover is closed; the firmware reads btt = raw × 0.07331280915044248 and treats btt < 2 (raw ≤ 27) as cover open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CoverSwitch } from './cover-switch.ts';

const BTT_PER_COUNT = 0.07331280915044248;

test('the closed cover puts 12 V × 470 / 10 470 ≈ 0.539 V on PA1', () => {
  const c = new CoverSwitch();
  assert.ok(Math.abs(c.pinVolts() - 0.5387) < 1e-4, `${c.pinVolts()} V`);
});

test('the closed cover reads raw 167 on the 10-bit ADC at 3.3 V (btt ≈ 12.2, no tamper)', () => {
  const c = new CoverSwitch();
  assert.is(c.adcRaw(), 167);
  const btt = c.adcRaw() * BTT_PER_COUNT;
  assert.ok(btt > 12.2 && btt < 12.3, `btt ${btt}`);
});

test('the open cover leaves PA1 pulled down to 0 V: raw 0, below the firmware\'s tamper limit of 27', () => {
  const c = new CoverSwitch({ open: true });
  assert.is(c.isOpen, true);
  assert.is(c.pinVolts(), 0);
  assert.is(c.adcRaw(), 0);
  assert.ok(c.adcRaw() * BTT_PER_COUNT < 2);
});

test('opening and closing the cover changes the reading', () => {
  const c = new CoverSwitch();
  c.setOpen(true);
  assert.is(c.adcRaw(), 0);
  c.setOpen(false);
  assert.is(c.adcRaw(), 167);
});

test('onChange fires on each change of position only', () => {
  const c = new CoverSwitch();
  const seen: boolean[] = [];
  c.onChange = (open) => seen.push(open);
  c.setOpen(false);
  c.setOpen(true);
  c.setOpen(true);
  c.setOpen(false);
  assert.equal(seen, [true, false]);
});

test('the reading follows the rail: a 9 V rail reads raw 125', () => {
  const c = new CoverSwitch({ railVolts: 9 });
  assert.is(c.adcRaw(), Math.round(((9 * 470) / 10_470 / 3.3) * 1023));
  assert.is(c.adcRaw(), 125);
});

test('a pin voltage above the ADC reference reads full scale 1023', () => {
  const c = new CoverSwitch({ pullDownOhms: 100_000 });
  assert.ok(c.pinVolts() > 3.3);
  assert.is(c.adcRaw(), 1023);
});

test('the ADC converts at 12 bits and analogRead drops the two low bits: 0.5387 V is code 668, read as 167', () => {
  const c = new CoverSwitch();
  assert.is(Math.floor((c.pinVolts() / 3.3) * 4096), 668);
  assert.is(c.adcRaw(), 668 >> 2);
});

test('the rail can change while running: at 1.6 V the closed cover reads raw 22, which the firmware takes for open', () => {
  const c = new CoverSwitch();
  c.railVolts = 1.6;
  assert.is(c.adcRaw(), 22);
  assert.ok(c.adcRaw() * BTT_PER_COUNT < 2);
});

test('a negative rail or a zero resistor is refused with a clear message', () => {
  const c = new CoverSwitch();
  assert.throws(() => { c.railVolts = -1; }, /railVolts must be a number >= 0, got -1/);
  assert.throws(() => new CoverSwitch({ pullDownOhms: 0 }), /pullDownOhms must be a number > 0, got 0/);
});

test.run();
