// `osm run --eeprom DUMP`: a scenario's meter started from a field meter's AT24C32 dump. The dump replaces the
// scenario's meter.eeprom / eeprom-file. Which credit the meter starts with when the scenario also gives meter.credit:
// the dump's (the default: a dump is the state of a real meter), or the scenario's when it says so explicitly with
// `meter: { credit-over-eeprom: true }`. A difference between the two is always reported.
import { SHIPPED_EEPROM_MAP } from '../twin/firmware/eeprom.ts';
import type { Scenario } from './schema.ts';

/** The credit a dump holds (uint32, little-endian at `credit_eeprom_location`, as the firmware reads it). */
export function dumpCredit(image: Uint8Array): number {
  const a = SHIPPED_EEPROM_MAP.credit;
  return (image[a] | (image[a + 1] << 8) | (image[a + 2] << 16) | (image[a + 3] << 24)) >>> 0;
}

/**
 * Start `scenario`'s meter from `dump` (in place). Returns the one-line note to print when the scenario's credit and
 * the dump's differ (which one the meter starts with, and how to choose the other), or undefined.
 */
export function applyEepromDump(scenario: Scenario, dump: { file: string; image: Uint8Array }): string | undefined {
  const m = scenario.meter;
  const fromDump = dumpCredit(dump.image);
  const own = m.credit;
  m.eepromImage = dump.image;
  m.eepromFile = dump.file;
  if (own === undefined) return undefined;
  if (m.creditOverEeprom === true) {
    // meter.credit is written over the dump's credit cell at power-up, as over any image (schema.ts `credit`).
    return own === fromDump ? undefined
      : `${scenario.file}: the meter starts with the scenario's meter.credit ${own}, not the credit ${fromDump} of the `
        + `--eeprom dump ${dump.file} (the scenario sets meter.credit-over-eeprom: true)`;
  }
  delete m.credit;
  return own === fromDump ? undefined
    : `${scenario.file}: the meter starts with the credit ${fromDump} of the --eeprom dump ${dump.file}; the scenario's `
      + `meter.credit ${own} is not applied (meter.credit-over-eeprom: true in the scenario applies it)`;
}
