// EEPROM dumps of the meter's AT24C32 (4096 bytes) at the command line:
// - the helpers behind `osm run --eeprom image.bin` (start from a dump) and `--save-eeprom file` (write the EEPROM
//   as it is at the end of the run);
// - `osm eeprom show <image.bin>`: the firmware's variables in a dump, at the addresses of docs/firmware.md §7.2
//   (or of the D31-fixed map), decoded as the AT24CX library reads them (little-endian);
// - `osm eeprom make <out.bin>`: a virgin (0xFF) or zero-filled dump, optionally with a credit at address 9.
import { CREDIT_JOURNAL_ADDRESS, FIXED_EEPROM_MAP, MODE_SELECT_ADDRESS, SHIPPED_EEPROM_MAP, type EepromMap } from '../../twin/firmware/eeprom.ts';
import { intOption, parseArgs } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { InputFileError, readInputFile } from '../../io/input-file.ts';
import { checkOutputPath, writeOutputFile, type OutputTarget } from '../../io/output-file.ts';
import { plural } from '../../io/plural.ts';

/** AT24C32: 32 kbit. */
export const EEPROM_BYTES = 4096;

/** How much of a would-be dump is read to say its size (whatever the name is, the read ends). */
const MAX_DUMP_READ = 1 << 20;

/** Read a dump; a missing file or a wrong size is a UsageError naming the option (if any) and the file. */
export function readEepromImage(path: string, option = '--eeprom'): Uint8Array {
  const prefix = option ? `${option}: ` : '';
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readInputFile(path, MAX_DUMP_READ));
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    const why = err.reason.startsWith('it is larger') ? `${err.reason}; an AT24C32 dump must be exactly ${EEPROM_BYTES} bytes` : err.reason;
    throw new UsageError(`${prefix}cannot read '${path}': ${why}`);
  }
  if (bytes.length !== EEPROM_BYTES) {
    throw new UsageError(`${prefix}'${path}' is ${plural(bytes.length, 'byte')}; an AT24C32 dump must be exactly ${EEPROM_BYTES} bytes`);
  }
  return bytes;
}

/** Write a dump whole or not at all (io/: a regular file is replaced atomically, a device written directly). */
export function writeEepromImage(out: string | OutputTarget, image: Uint8Array, option = '--save-eeprom'): void {
  if (image.length !== EEPROM_BYTES) throw new Error(`an EEPROM dump is ${EEPROM_BYTES} bytes, got ${image.length}`);
  writeOutputFile(typeof out === 'string' ? checkOutputPath(out, option) : out, image);
}

function u16(img: Uint8Array, a: number): number { return img[a] | (img[a + 1] << 8); }
function u32(img: Uint8Array, a: number): number { return (img[a] | (img[a + 1] << 8) | (img[a + 2] << 16) | (img[a + 3] << 24)) >>> 0; }

/** The firmware variables of a dump, as the firmware would load them with the given address map. */
export function describeEepromImage(img: Uint8Array, map: Readonly<EepromMap>): [string, string][] {
  const credit = u32(img, map.credit);
  const payg = img[map.PAYGEnabled];
  const mode = img[MODE_SELECT_ADDRESS];
  return [
    ['credit @9 (uint32)', credit === 0xffffffff ? `${credit} (erased: reads as 4.29e9, D30)` : String(credit)],
    [`TokenCount @${map.TokenCount}`, String(u16(img, map.TokenCount))],
    [`UsedTokens @${map.UsedTokens}`, `0x${u16(img, map.UsedTokens).toString(16).padStart(4, '0')}`],
    [`PAYGEnabled @${map.PAYGEnabled}`, payg === 0 ? '0 (disabled)' : payg === 1 ? '1 (enabled)' : `${payg} (left as it was)`],
    [`ActiveUntil @${map.ActiveUntil}`, String(u32(img, map.ActiveUntil))],
    [`TokenEntryLockedUntil @${map.TokenEntryLockedUntil}`, String(u32(img, map.TokenEntryLockedUntil))],
    [`tamper log @${map.tamper}`, String(u32(img, map.tamper) | 0)],
    [`nbDisconnections @${map.nbDisconnections}`, String(u16(img, map.nbDisconnections) & 0xff)],
    [`used-token list pointer @${map.tokenListPointer}`, String(u32(img, map.tokenListPointer))],
    [`Mode_select @${MODE_SELECT_ADDRESS} (D1 fixed)`, mode >= 1 && mode <= 3 ? String(mode) : `${mode} (none stored)`],
    [`credit journal @${CREDIT_JOURNAL_ADDRESS} (D30 fixed)`, img[CREDIT_JOURNAL_ADDRESS + 6] === 0x5a ? `pending, value ${u32(img, CREDIT_JOURNAL_ADDRESS)}` : 'idle'],
  ];
}

export const EEPROM_USAGE = `Usage: osm eeprom <show|make> [options]

AT24C32 dumps of the meter (4096 bytes), as \`osm run --eeprom\` reads and \`osm run --save-eeprom\` writes them.

osm eeprom show <image.bin> [--map shipped|fixed]
  Print the firmware's variables in the dump (docs/firmware.md §7.2). --map fixed uses the addresses of the
  D31-fixed build (default shipped: the overlapping addresses of the original).

osm eeprom make <out.bin> [--fill ff|00] [--credit N]
  Write a virgin (ff, default) or zero-filled dump, with N (0..4294967295) as the credit at address 9 if given.

Exit code 2: invalid arguments, a missing file, or a dump that is not 4096 bytes.`;

const OPTIONS = {
  map: { type: 'string' },
  fill: { type: 'string' },
  credit: { type: 'string' },
} as const;

export function createEepromCommand(deps: { io?: CliIo } = {}): Command {
  const io = deps.io ?? processIo;
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    const [sub, file, ...extra] = positionals;
    if (sub !== 'show' && sub !== 'make') {
      throw new UsageError(sub === undefined ? 'missing the subcommand (show or make)' : `unknown subcommand '${sub}' (expected show or make)`);
    }
    if (!file) throw new UsageError(`missing the dump file (osm eeprom ${sub} <file>)`);
    if (extra.length) throw new UsageError(`one file at a time, got also: ${extra.join(' ')}`);
    if (sub === 'show') {
      if (values.fill !== undefined || values.credit !== undefined) throw new UsageError('--fill and --credit belong to osm eeprom make');
      const m = (values.map as string | undefined) ?? 'shipped';
      if (m !== 'shipped' && m !== 'fixed') throw new UsageError(`--map: expected shipped or fixed, got '${m}'`);
      const img = readEepromImage(file, '');
      const rows = describeEepromImage(img, m === 'fixed' ? FIXED_EEPROM_MAP : SHIPPED_EEPROM_MAP);
      const w = Math.max(...rows.map((r) => r[0].length));
      io.stdout.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}\n`).join(''));
      return EXIT.ok;
    }
    if (values.map !== undefined) throw new UsageError('--map belongs to osm eeprom show');
    const out = checkOutputPath(file, '');
    const fill = (values.fill as string | undefined) ?? 'ff';
    if (fill !== 'ff' && fill !== '00') throw new UsageError(`--fill: expected ff or 00, got '${fill}'`);
    const img = new Uint8Array(EEPROM_BYTES).fill(fill === 'ff' ? 0xff : 0);
    if (values.credit !== undefined) {
      new DataView(img.buffer).setUint32(9, intOption('credit', values.credit as string, 0, 4294967295), true);
    }
    writeEepromImage(out, img);
    return EXIT.ok;
  }
  return { name: 'eeprom', summary: 'show or make an AT24C32 dump (4096 bytes) for osm run --eeprom', usage: EEPROM_USAGE, run };
}

export const eepromCommand = createEepromCommand();

export default eepromCommand;
