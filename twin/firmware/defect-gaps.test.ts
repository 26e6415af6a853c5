// Defect knobs whose corrected side had no test of its own elsewhere.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { urgeent } from './isr.ts';
import { createUnit } from '../../test/support/firmware-bench.ts';

/** CPU time of a tamper tick once the event is logged (the first tick writes EEPROM 5). */
function tamperTickUs(fix: string[]): number {
  const u = createUnit({ fix });
  u.setPa1(0);
  u.s.sts_mode = 1; // keep the LCD scenes out of the timing
  urgeent(u.fw);
  u.cpu.spend(50_000);
  const t0 = u.cpu.nowUs();
  urgeent(u.fw);
  assert.is(u.s.fault, 1);
  return u.cpu.nowUs() - t0;
}

test('D34 fixed: the tamper alarm no longer busy-waits 20 ms inside every interrupt tick', () => {
  const shipped = tamperTickUs([]);
  const fixed = tamperTickUs(['D34']);
  assert.ok(shipped - fixed >= 19_000 && shipped - fixed <= 21_000, `tick ${shipped} us as shipped, ${fixed} us fixed`);
});

test.run();
