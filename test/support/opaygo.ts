// Support for the OpenPAYGO tests: the firmware benches of firmware-bench.ts with the OpenPAYGO part plugged in, and
// the firmware's tokens.
import { FIRMWARE_SECRET_KEY, FIRMWARE_STARTING_CODE, generateToken } from '../../twin/tokens/opaygo.ts';
import { createBench, createUnit, type BenchOptions, type UnitOptions } from './firmware-bench.ts';
import type { OpaygoConfig } from '../../twin/firmware/opaygo/config.ts';
import { OpaygoFirmware } from '../../twin/firmware/opaygo/opaygo-firmware.ts';

/** The token for (value, count) on the firmware's key and starting code. */
export function tok(value: number, count: number): string {
  return generateToken({ key: FIRMWARE_SECRET_KEY, startingCode: FIRMWARE_STARTING_CODE, value, count });
}

export function opaygoUnit(o: UnitOptions & { opaygo?: Partial<OpaygoConfig> } = {}) {
  const { opaygo, ...rest } = o;
  return createUnit({ mode: 'opaygo-time', ...rest, options: { ...(rest.options ?? {}), opaygo: new OpaygoFirmware(opaygo) } });
}

export interface OpaygoBenchOptions extends BenchOptions {
  opaygo?: Partial<OpaygoConfig>;
  /** EEPROM at power-on: `virgin` (all 0xFF, the default) or `zero` (then `credit` is written over it). */
  eeprom?: 'virgin' | 'zero';
}

/** The whole meter in an OpenPAYGO mode, no load and no modem unless told. Boot is over by `BOOTED_MS`. */
export function opaygoBench(o: OpaygoBenchOptions = {}) {
  const { opaygo, eeprom, ...rest } = o;
  const b = createBench({ mode: 'opaygo-energy', loads: [], ...rest, options: { ...(rest.options ?? {}), opaygo: new OpaygoFirmware(opaygo) } });
  if (eeprom === 'zero') {
    b.eeprom.image.fill(0);
    if (rest.credit !== undefined) new DataView(b.eeprom.image.buffer).setUint32(9, rest.credit >>> 0, true);
  }
  return b;
}

export const BOOTED_MS = 27_000;
