// `osm sts generate | decode`: the OpenSmartMeter's custom 20-character keypad token (twin/tokens/sts.ts).
import { Rng } from '../../twin/kernel/rng.ts';
import {
  STS_AMOUNT_RULES, STS_DEFAULT_TARIFF, STS_METER_NO, STS_PRIVATE_KEY, decodeSts, defaultStsIdentifier, encodeStsRandom,
  type StsDecodeResult, type StsEncoder, type StsEncodeOptions, type StsIdentifier,
} from '../../twin/tokens/sts.ts';
import { intOption, parseSubcommand } from '../args.ts';
import { EXIT, UsageError, printable, processIo, type CliIo, type Command } from '../command.ts';

/** The credit amounts a token with this identifier (and encoder, if given) can carry: amount - offset in its digits. */
export function stsAmountRange(id: StsIdentifier, encoder?: StsEncoder): [number, number] {
  const spec = STS_AMOUNT_RULES[id];
  const encoders = (encoder ? [encoder] : [1, 2, 3] as StsEncoder[]).filter((e) => !(id === 'A' && e === 3));
  const lo = Math.min(...encoders.map((e) => spec.rules[e].offset));
  const hi = Math.max(...encoders.map((e) => spec.rules[e].offset + 10 ** spec.digits - 1));
  return [lo, hi];
}

/**
 * What would carry an amount that identifier `id` (with `encoder`, if given) cannot: the other encoders of the same
 * identifier, then the other identifiers (with the same encoder, if one was given), else the identifiers that carry
 * it with another encoder. '' when nothing carries it.
 */
export function stsAmountAlternatives(amount: number, id: StsIdentifier, encoder?: StsEncoder): string {
  const carries = (i: StsIdentifier, e?: StsEncoder): boolean => {
    if (i === 'A' && e === 3) return false; // never accepted (D9)
    const [lo, hi] = stsAmountRange(i, e);
    return amount >= lo && amount <= hi;
  };
  const ways: string[] = [];
  if (encoder !== undefined) {
    const encoders = ([1, 2, 3] as StsEncoder[]).filter((e) => e !== encoder && carries(id, e));
    if (encoders.length > 0) ways.push(`--encoder ${encoders.join(' or ')}`);
  }
  const ids = (['A', 'C', 'B'] as StsIdentifier[]).filter((i) => i !== id && carries(i, encoder));
  if (ids.length > 0) ways.push(`--identifier ${ids.join(' or ')}`);
  if (ways.length === 0 && encoder !== undefined) {
    const any = (['A', 'C', 'B'] as StsIdentifier[]).filter((i) => ([1, 2, 3] as StsEncoder[]).some((e) => carries(i, e)));
    if (any.length > 0) ways.push(`--identifier ${any.join(' or ')} with another encoder`);
  }
  return ways.length > 0 ? `; use ${ways.join(', or ')}` : '';
}

const RANGE_A = stsAmountRange('A');
const RANGE_C = stsAmountRange('C');
const RANGE_B = stsAmountRange('B');
const AMOUNT_MIN = Math.min(RANGE_A[0], RANGE_B[0], RANGE_C[0]);
const AMOUNT_MAX = Math.max(RANGE_A[1], RANGE_B[1], RANGE_C[1]);

export const STS_USAGE = `Usage: osm sts <generate|decode> [options]

The OpenSmartMeter's 20-character keypad token (the firmware calls it STS; it is not IEC 62055 STS):
K3, m, meter-digit count, location, day, encoder e, amount digits, A/B/C identifier, meter number + tariff.

osm sts generate --amount N [options]
  Make a token that adds N credit on the meter (the token carries N minus the encoder's offset, as the server does).
  --amount N           credit to add (required): ${AMOUNT_MIN}..${AMOUNT_MAX}; what a token can carry depends on the
                       identifier: A ${RANGE_A[0]}..${RANGE_A[1]}, C ${RANGE_C[0]}..${RANGE_C[1]}, B ${RANGE_B[0]}..${RANGE_B[1]}
                       (the token holds the amount minus the encoder's offset)
  --identifier A|B|C   A: 3 amount digits, C: 4, B: 5 (default by amount, as the server: <1000 A, <10000 C, else B)
  --encoder 1|2|3      encoder digit e (default: random among those that fit; A with e=3 is refused, defect D9)
  --tariff N           tariff written into the last 5 digits, 0..99 typically (default ${STS_DEFAULT_TARIFF}); a meter with
                       runtime tariff t accepts the token when tariff-99 <= t <= tariff
  --meter-number N     meter number, 0..999 (default ${STS_METER_NO}, MT${STS_METER_NO})
  --key-multiplier M   key multiplier m, 1..9 (default random)
  --day N              day of month written into digits 6-7, 1..31 (default 1; the meter ignores it)
  --seed N             seed for the random digits (m, location, filler, e), 0..4294967295 (default 1);
                       the same seed gives the same token

osm sts decode <token> [options]
  Say what a freshly booted default meter (key ${STS_PRIVATE_KEY}, MT${STS_METER_NO}) does with a token typed on the keypad.
  The token is 20 characters: digits and the identifier letter A, B or C (a, b, c are read as A, B, C, as the
  keypad of osm demo does).
  --tariff N           the meter's runtime tariff (default ${STS_DEFAULT_TARIFF})
  --meter-number N     the meter's number (default ${STS_METER_NO})
  Exit code 0 when the token is accepted, 1 when it is rejected.

Common options:
  --json               print the result as JSON
  --help, -h           show this help

Exit code 2: invalid arguments or input, with a one-line message.`;

const OPTIONS = {
  amount: { type: 'string' },
  identifier: { type: 'string' },
  encoder: { type: 'string' },
  tariff: { type: 'string' },
  'meter-number': { type: 'string' },
  'key-multiplier': { type: 'string' },
  day: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<'generate' | 'decode', readonly string[]> = {
  generate: ['amount', 'identifier', 'encoder', 'tariff', 'meter-number', 'key-multiplier', 'day', 'seed', 'json'],
  decode: ['tariff', 'meter-number', 'json'],
};

type Values = Record<string, string | boolean | undefined>;

export interface StsDeps { io?: CliIo }

export function createStsCommand(deps: StsDeps = {}): Command {
  const io = deps.io ?? processIo;
  const out = (text: string): void => { io.stdout.write(text.endsWith('\n') ? text : `${text}\n`); };

  async function run(argv: string[]): Promise<number> {
    let json = argv.includes('--json');
    try {
      const { sub, values, rest } = parseSubcommand('sts', argv, OPTIONS, ALLOWED);
      json = values.json === true;
      if (sub === undefined) { out(STS_USAGE); return EXIT.ok; }
      return sub === 'generate' ? generate(values, rest) : decode(values, rest);
    } catch (err) {
      if (!(err instanceof UsageError || (err instanceof Error && err.constructor === Error))) throw err;
      const message = (err as Error).message;
      if (json) out(JSON.stringify({ status: 'invalid', exitCode: EXIT.invalid, error: message }, null, 2));
      io.stderr.write(`osm sts: ${printable(message)}; see 'osm help sts'\n`);
      return EXIT.invalid;
    }
  }

  function generate(values: Values, rest: string[]): number {
    if (rest.length > 0) throw new UsageError(`'sts generate' takes no positional argument, got '${rest[0]}'`);
    if (values.amount === undefined) throw new UsageError('--amount is required');
    const opts: StsEncodeOptions = { amount: intOption('amount', values.amount as string, AMOUNT_MIN, AMOUNT_MAX) };
    if (values.identifier !== undefined) {
      const id = (values.identifier as string).toUpperCase();
      if (id !== 'A' && id !== 'B' && id !== 'C') throw new UsageError(`--identifier: expected A, B or C, got '${values.identifier as string}'`);
      opts.identifier = id as StsIdentifier;
    }
    if (values.encoder !== undefined) opts.encoder = intOption('encoder', values.encoder as string, 1, 3) as StsEncoder;
    // Say which identifier and encoder carry the amount (A with encoder 3 carries nothing, D9).
    const id = opts.identifier ?? defaultStsIdentifier(opts.amount);
    if (id === 'A' && opts.encoder === 3) {
      throw new UsageError('identifier A with encoder 3 can never be accepted: the firmware computes 39/15 = 2.6, not 3 (defect D9)'
        + stsAmountAlternatives(opts.amount, id, opts.encoder));
    } else {
      const [lo, hi] = stsAmountRange(id, opts.encoder);
      if (opts.amount < lo || opts.amount > hi) {
        throw new UsageError(`--amount ${opts.amount}: identifier ${id}${opts.encoder ? ` with encoder ${opts.encoder}` : ''} carries ${lo}..${hi}`
          + stsAmountAlternatives(opts.amount, id, opts.encoder));
      }
    }
    if (values.tariff !== undefined) opts.tariff = intOption('tariff', values.tariff as string, 0, 99999);
    if (values['meter-number'] !== undefined) opts.meterNumber = intOption('meter-number', values['meter-number'] as string, 0, 999);
    if (values['key-multiplier'] !== undefined) opts.keyMultiplier = intOption('key-multiplier', values['key-multiplier'] as string, 1, 9);
    if (values.day !== undefined) opts.day = intOption('day', values.day as string, 1, 31);
    const seed = values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967295);
    const token = encodeStsRandom(opts, new Rng(seed));
    // What the default meter (runtime tariff 1, or the meter number asked for) makes of it.
    const check = decodeSts(token, { meterNo: opts.meterNumber ?? STS_METER_NO });
    if (values.json === true) {
      out(JSON.stringify({ token, amount: opts.amount, seed, defaultMeter: resultJson(check) }, null, 2));
    } else {
      out(token);
      out(`  ${describeFields(check)}`);
      out(`  meter MT${opts.meterNumber ?? STS_METER_NO} at tariff ${STS_DEFAULT_TARIFF}: ${check.accepted ? `accepts, +${check.credit}` : `REJECTS: ${check.reason}`}`);
    }
    return EXIT.ok;
  }

  function decode(values: Values, rest: string[]): number {
    if (rest.length === 0) throw new UsageError('missing the token (osm sts decode <token>)');
    if (rest.length > 1) throw new UsageError(`one token at a time, got ${rest.length}: ${rest.join(' ')}`);
    const tariff = values.tariff === undefined ? STS_DEFAULT_TARIFF : intOption('tariff', values.tariff as string, 0, 4294967295);
    const meterNo = values['meter-number'] === undefined ? STS_METER_NO : intOption('meter-number', values['meter-number'] as string, 0, 4294967295);
    // The keypad has A, B and C; lower case is read as upper case, as osm demo's keyboard does.
    const token = /^[0-9abcABC]*$/.test(rest[0]!) ? rest[0]!.toUpperCase() : rest[0]!;
    const r = decodeSts(token, { tariff, meterNo });
    if (values.json === true) {
      out(JSON.stringify({ token, tariff, meterNo, ...resultJson(r) }, null, 2));
    } else {
      out(`${token}: ${r.accepted ? `TOKEN ACCEPTED, credit +${r.credit}` : 'INVALID TOKEN'}`);
      out(`  ${r.reason}`);
      out(`  ${describeFields(r)}`);
    }
    return r.accepted ? EXIT.ok : EXIT.failed;
  }

  return {
    name: 'sts',
    summary: "generate and decode the meter's 20-character keypad (\"STS\") tokens",
    usage: STS_USAGE,
    run,
  };
}

function resultJson(r: StsDecodeResult): Record<string, unknown> {
  return { accepted: r.accepted, credit: r.credit, reason: r.reason, headerPassed: r.headerPassed, amountCheck: r.amountCheck, fields: r.fields };
}

function describeFields(r: StsDecodeResult): string {
  const f = r.fields;
  return `K3 ${f.K3} / m ${f.m} = ${f.confirmKey}; digit count ${f.meterNoCount}; location ${f.location}; day ${f.day}; ` +
    `e ${f.encoder}; amount ${f.amountDigits === '' ? '-' : f.amountDigits}${f.filler ? ` (filler ${f.filler})` : ''}; ` +
    `identifier ${f.identifier}; meter+tariff ${f.tariffMeterNo}`;
}

export const stsCommand = createStsCommand();

export default stsCommand;
