import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAMPAIGN_NOTE_NAMES, RIG_AFE_NOTE, rigCampaignNotes, rigStateNotes } from './rig-state-notes.ts';
import type { BenchConfig } from '../twin/kernel/bench.ts';

const clock = { year: 2026, month: 3, day: 2, hour: 22, minute: 30, second: 0 };
const meter = (extra: Partial<BenchConfig['meter']> = {}): BenchConfig['meter'] => ({ build: {} as BenchConfig['meter']['build'], eeprom: 'virgin', clock, ...extra });
const virgin = new Uint8Array(4096).fill(0xff);
const all = new Set(['eeprom', 'rtc']);

test('a scenario credit over the rig\'s virgin EEPROM: one line with the credit the run starts from', () => {
  assert.equal(rigStateNotes(meter({ credit: 500 }), { parts: all, eepromImage: virgin }), [
    'the rig\'s AT24C32 is the meter\'s EEPROM: the run starts from what it holds, credit word 4294967295 (virgin: all 0xFF); '
      + 'the scenario\'s meter.credit 500 is not applied (leave eeprom out of --parts to start from the scenario\'s)',
  ]);
});

test('an eeprom-file and a credit are both named; a chip that is not on the rig says nothing', () => {
  const img = new Uint8Array(4096);
  img[9] = 100;
  const [line] = rigStateNotes(meter({ eepromImage: new Uint8Array(4096), credit: 7 }), { parts: all, eepromImage: img });
  assert.match(line, /credit word 100; the scenario's meter\.eeprom-file and meter\.credit 7 are not applied/);
  assert.equal(rigStateNotes(meter({ credit: 7 }), { parts: new Set(['relay']) }), []);
});

test('the rig clock against the scenario\'s: a line when they differ, none when they agree', () => {
  const rigTime = Date.UTC(2026, 0, 1, 0, 0, 10) / 1000;
  assert.equal(rigStateNotes(meter(), { parts: all, rtcUnixSeconds: rigTime }), [
    'the rig\'s DS1307 is the meter\'s clock: it reads 2026-01-01T00:00:10; the scenario\'s meter.clock 2026-03-02T22:30:00 is not applied (leave rtc out of --parts to start from the scenario\'s)',
  ]);
  assert.equal(rigStateNotes(meter(), { parts: all, rtcUnixSeconds: Date.UTC(2026, 2, 2, 22, 30, 0) / 1000 }), []);
});

test('a scenario that sets nothing the rig\'s EEPROM holds gets no EEPROM line', () => {
  assert.equal(rigStateNotes(meter(), { parts: new Set(['eeprom']), eepromImage: virgin }), []);
});

test('a real ATM90E26 on the rig is said to measure its own inputs, not the scenario\'s plant', () => {
  assert.equal(rigStateNotes(meter(), { parts: new Set(['afe', 'relay']) }), [RIG_AFE_NOTE]);
  assert.match(RIG_AFE_NOTE, /grid and loads .* do not reach it/);
});

test('a campaign\'s notes: one line per chip, naming each scenario whose value it replaces once (a matrix repeats it)', () => {
  const rigTime = Date.UTC(2026, 0, 1, 0, 0, 10) / 1000;
  const a = { file: 'a.yaml', meter: meter({ credit: 500 }) };
  const b = { file: 'b.yaml', meter: meter({ credit: 700, eeprom: 'zero' }) };
  const c = { file: 'c.yaml', meter: meter({ clock: { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 10 } }) };
  assert.equal(rigCampaignNotes([a, a, b, c], { parts: new Set(['eeprom', 'rtc', 'afe']), eepromImage: virgin, rtcUnixSeconds: rigTime }), [
    'the rig\'s AT24C32 is the meter\'s EEPROM: the first run starts from what it holds, credit word 4294967295 (virgin: all 0xFF), '
      + 'each later run from what the run before it left; not applied: a.yaml meter.credit 500; b.yaml meter.eeprom zero and meter.credit 700 '
      + '(leave eeprom out of --parts to start each run from its scenario\'s)',
    'the rig\'s DS1307 is the meter\'s clock: it reads 2026-01-01T00:00:10 before the first run and keeps its own time between runs; '
      + 'not applied: a.yaml meter.clock 2026-03-02T22:30:00; b.yaml meter.clock 2026-03-02T22:30:00 (leave rtc out of --parts to start each run from its scenario\'s)',
    RIG_AFE_NOTE,
  ]);
});

test('a campaign\'s note names the first scenarios and counts the others', () => {
  const many = Array.from({ length: CAMPAIGN_NOTE_NAMES + 2 }, (_, i) => ({ file: `s${i}.yaml`, meter: meter({ credit: i }) }));
  const [line] = rigCampaignNotes(many, { parts: new Set(['eeprom']), eepromImage: virgin });
  assert.match(line, new RegExp(`not applied: s0\\.yaml meter\\.credit 0; .*s${CAMPAIGN_NOTE_NAMES - 1}\\.yaml meter\\.credit ${CAMPAIGN_NOTE_NAMES - 1}; and 2 more scenarios \\(`));
  assert.not.match(line, new RegExp(`s${CAMPAIGN_NOTE_NAMES}\\.yaml`));
});

test('a campaign whose scenarios set nothing the rig\'s chips replace gets no line for them', () => {
  const rigTime = Date.UTC(2026, 2, 2, 22, 30, 0) / 1000;
  assert.equal(rigCampaignNotes([{ file: 'a.yaml', meter: meter() }], { parts: all, eepromImage: virgin, rtcUnixSeconds: rigTime }), []);
});

test.run();
