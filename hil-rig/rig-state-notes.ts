// On a real rig board (`osm run --board johnny-five`) the AT24C32 and the DS1307 on the rig are the meter's own: the
// firmware twin reads what they hold when the rig connects, and the scenario's `meter:` values for them (credit,
// EEPROM image, clock) are not written into the real chips; a real ATM90E26 measures its own inputs, not the
// scenario's plant. The run would otherwise start from a virgin EEPROM's credit 4294967296, the rig clock's time or
// the source's load without a word: these notes say so, one line per chip, before the run. A campaign on the rig says
// so once, before its first run, for all its scenarios.
// The emulated board (`--board emulated`) wires the twin's own chips, built from the scenario, so it needs none.
import type { BenchConfig } from '../twin/kernel/bench.ts';
import { plural } from '../io/plural.ts';

/** What the rig's chips hold when the rig connects. */
export interface RigChipState {
  /** The parts on the rig (`--parts`). */
  parts: ReadonlySet<string>;
  /** The AT24C32's 4096 bytes, when `eeprom` is on the rig. */
  eepromImage?: Uint8Array;
  /** The DS1307's time, Unix seconds of its local wall time, when `rtc` is on the rig. */
  rtcUnixSeconds?: number;
}

/** The line for a real ATM90E26 on the rig: it measures its own inputs, whatever the scenario's plant says. */
export const RIG_AFE_NOTE = 'the rig\'s ATM90E26 measures its own inputs: the scenario\'s grid and loads (and its grid and set-load steps) '
  + 'do not reach it, so the readings are what your source applies (leave afe out of --parts for the modelled chip)';

function localText(c: { year: number; month: number; day: number; hour: number; minute: number; second: number }): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${c.year}-${p(c.month)}-${p(c.day)}T${p(c.hour)}:${p(c.minute)}:${p(c.second)}`;
}

/** What of a scenario's meter section the rig's AT24C32 replaces: `eeprom-file`, `credit 500` (empty: nothing). */
function eepromLost(meter: BenchConfig['meter']): string[] {
  return [
    // `virgin` is the loader's default, and what a fresh rig chip holds anyway: only another image is lost
    ...(meter.eepromImage ? ['eeprom-file'] : meter.eeprom === 'zero' ? ['eeprom zero'] : []),
    ...(meter.credit !== undefined ? [`credit ${meter.credit}`] : []),
  ];
}

/** `credit word 4294967295 (virgin: all 0xFF)`: the credit the firmware reads from an AT24C32 image. */
function creditWordText(img: Uint8Array): string {
  const credit = new DataView(img.buffer, img.byteOffset, img.byteLength).getUint32(9, true);
  return `credit word ${credit}${img.every((b) => b === 0xff) ? ' (virgin: all 0xFF)' : ''}`;
}

/** The DS1307's time as the scenario language writes a clock. */
function rigClockText(rtcUnixSeconds: number): string {
  const d = new Date(rtcUnixSeconds * 1000);
  return localText({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
}

/** The scenario's meter values that the rig's own chips replace, one line each (empty when none is lost). */
export function rigStateNotes(meter: BenchConfig['meter'], rig: RigChipState): string[] {
  const notes: string[] = [];
  if (rig.parts.has('eeprom') && rig.eepromImage) {
    const lost = eepromLost(meter);
    if (lost.length) {
      notes.push(`the rig's AT24C32 is the meter's EEPROM: the run starts from what it holds, ${creditWordText(rig.eepromImage)}; `
        + `the scenario's meter.${lost.join(' and meter.')} ${lost.length === 1 ? 'is' : 'are'} not applied (leave eeprom out of --parts to start from the scenario's)`);
    }
  }
  if (rig.parts.has('rtc') && rig.rtcUnixSeconds !== undefined && meter.clock) {
    const rtc = rigClockText(rig.rtcUnixSeconds);
    const own = localText(meter.clock);
    if (rtc !== own) {
      notes.push(`the rig's DS1307 is the meter's clock: it reads ${rtc}; the scenario's meter.clock ${own} is not applied (leave rtc out of --parts to start from the scenario's)`);
    }
  }
  if (rig.parts.has('afe')) notes.push(RIG_AFE_NOTE);
  return notes;
}

/** A scenario of a campaign, as the campaign's notes name it. */
export interface CampaignMeter {
  file: string;
  meter: BenchConfig['meter'];
}

/** How many scenarios a campaign note names before it counts the rest. */
export const CAMPAIGN_NOTE_NAMES = 3;

/** `a.yaml meter.credit 500; b.yaml meter.clock ...`, the first few, then how many more. */
function named(items: readonly string[]): string {
  const shown = items.slice(0, CAMPAIGN_NOTE_NAMES).join('; ');
  return items.length > CAMPAIGN_NOTE_NAMES ? `${shown}; and ${plural(items.length - CAMPAIGN_NOTE_NAMES, 'more scenario')}` : shown;
}

/**
 * The notes of a campaign on the rig, said once before its first run: one line per chip, naming the scenarios whose
 * meter values it replaces (a scenario run in several matrix cells is named once). Every run reconnects and reads
 * the chips again, so a run after the first starts from the EEPROM the run before it left, and from the time the
 * DS1307 has kept meanwhile.
 */
export function rigCampaignNotes(scenarios: readonly CampaignMeter[], rig: RigChipState): string[] {
  const seen = new Set<string>();
  const unique = scenarios.filter((s) => !seen.has(s.file) && seen.add(s.file));
  const notes: string[] = [];
  if (rig.parts.has('eeprom') && rig.eepromImage) {
    const lost = unique.flatMap((s) => {
      const l = eepromLost(s.meter);
      return l.length ? [`${s.file} meter.${l.join(' and meter.')}`] : [];
    });
    if (lost.length) {
      notes.push(`the rig's AT24C32 is the meter's EEPROM: the first run starts from what it holds, ${creditWordText(rig.eepromImage)}, `
        + `each later run from what the run before it left; not applied: ${named(lost)} (leave eeprom out of --parts to start each run from its scenario's)`);
    }
  }
  if (rig.parts.has('rtc') && rig.rtcUnixSeconds !== undefined) {
    const rtc = rigClockText(rig.rtcUnixSeconds);
    const lost = unique.flatMap((s) => (s.meter.clock && localText(s.meter.clock) !== rtc ? [`${s.file} meter.clock ${localText(s.meter.clock)}`] : []));
    if (lost.length) {
      notes.push(`the rig's DS1307 is the meter's clock: it reads ${rtc} before the first run and keeps its own time between runs; `
        + `not applied: ${named(lost)} (leave rtc out of --parts to start each run from its scenario's)`);
    }
  }
  if (rig.parts.has('afe') && unique.length) notes.push(RIG_AFE_NOTE);
  return notes;
}
