import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FirmwareContext } from './firmware-context.ts';
import { perFirmware } from './per-firmware.ts';

const fwA = {} as FirmwareContext;
const fwB = {} as FirmwareContext;

test('each firmware gets its own value, made once however the asks alternate', () => {
  const made: FirmwareContext[] = [];
  const get = perFirmware((fw) => { made.push(fw); return { of: fw }; });
  const a1 = get(fwA);
  const b1 = get(fwB);
  const a2 = get(fwA);
  assert.is(a1.of, fwA);
  assert.is(b1.of, fwB);
  assert.is(a2, a1, 'the same object again after another firmware asked');
  assert.is(get(fwA), a1);
  assert.equal(made, [fwA, fwB], 'made once per firmware');
});

test.run();
