// D30 fixed: the credit cell is written through a journal (storage.ts), so that whatever a power cut leaves of one
// page write — each byte old, new or erased — the credit read back is a value the firmware wrote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CREDIT_JOURNAL_ADDRESS, JOURNAL_DONE, JOURNAL_PENDING, creditJournalRecord, crc16 } from './eeprom.ts';
import { createUnit } from '../../test/support/firmware-bench.ts';

function fixedUnit() {
  return createUnit({ profile: 'fixed', mode: 'sts' });
}

test('CRC-16/CCITT-FALSE of "123456789" is 0x29B1 (the standard check value)', () => {
  assert.is(crc16([...'123456789'].map((c) => c.charCodeAt(0))), 0x29b1);
});

test('a credit write goes journal (pending) → credit cell → journal done, and reads back the value', () => {
  const u = fixedUnit();
  u.fw.mem.writeLong(9, 1234);
  assert.is(u.eepromLong(9), 1234);
  assert.equal(u.eepromBytes(CREDIT_JOURNAL_ADDRESS, 7), [...creditJournalRecord(1234, JOURNAL_DONE)]);
  assert.is(u.fw.mem.readLong(9), 1234);
});

test('cut while the journal was written (torn journal, old cell): the old credit is read', () => {
  const u = fixedUnit();
  u.fw.mem.writeLong(9, 500);
  const rec = creditJournalRecord(400, JOURNAL_PENDING);
  rec[1] = 0xff; // a byte erased by the cut: the CRC no longer matches
  u.setEepromBytes(CREDIT_JOURNAL_ADDRESS, rec);
  assert.is(u.fw.mem.readLong(9), 500);
});

test('cut while the credit cell was written (pending journal, torn cell): the journal\'s new credit is read', () => {
  const u = fixedUnit();
  u.fw.mem.writeLong(9, 500);
  u.setEepromBytes(CREDIT_JOURNAL_ADDRESS, creditJournalRecord(400, JOURNAL_PENDING));
  u.setEepromLong(9, 0xff0001f4); // 500 with its top byte erased
  assert.is(u.fw.mem.readLong(9), 400);
});

test('cut while the state byte was written: both copies agree, whichever state byte survived', () => {
  for (const state of [JOURNAL_PENDING, JOURNAL_DONE, 0xff]) {
    const u = fixedUnit();
    u.fw.mem.writeLong(9, 400);
    u.setEepromBytes(CREDIT_JOURNAL_ADDRESS + 6, [state]);
    assert.is(u.fw.mem.readLong(9), 400, `state 0x${state.toString(16)}`);
  }
});

test('every mix of old, new and erased bytes in the journal page write reads as the old or the new credit', () => {
  const old = creditJournalRecord(500, JOURNAL_DONE);
  const neu = creditJournalRecord(400, JOURNAL_PENDING);
  let cases = 0;
  for (let code = 0; code < 3 ** 7; code++) {
    const u = fixedUnit();
    u.setEepromLong(9, 500);
    let c = code;
    for (let i = 0; i < 7; i++) {
      const pick = c % 3;
      c = Math.floor(c / 3);
      u.setEepromBytes(CREDIT_JOURNAL_ADDRESS + i, [pick === 0 ? old[i] : pick === 1 ? neu[i] : 0xff]);
    }
    const v = u.fw.mem.readLong(9);
    assert.ok(v === 500 || v === 400, `mix ${code}: read ${v}`);
    cases++;
  }
  assert.is(cases, 2187);
});

test('D30 present: the credit is a bare cell, so a torn byte is read as it is', () => {
  const u = createUnit({ profile: 'field', mode: 'sts' });
  u.fw.mem.writeLong(9, 500);
  u.setEepromLong(9, 0xff0001f4);
  assert.is(u.fw.mem.readLong(9), 0xff0001f4);
});

test.run();
