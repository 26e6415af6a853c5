// `osm opaygo generate | decode | check`: OpenPAYGO tokens from the command line (twin/tokens/opaygo.ts, vectors.ts).
import {
  COUNTER_SYNC_VALUE, FIRMWARE_INITIAL_STATE, FIRMWARE_SECRET_KEY, FIRMWARE_STARTING_CODE, MAX_ACTIVATION_VALUE,
  PAYG_DISABLE_VALUE, decodeToken, fromRestrictedDigits, generateToken, parseKey, tokenTypeOf,
  type DecoderBehaviour, type TokenType,
} from '../../twin/tokens/opaygo.ts';
import { VectorsError, describeMismatch, loadVectorsFile, runVectors } from '../../twin/tokens/vectors.ts';
import { intOption, parseSubcommand } from '../args.ts';
import { EXIT, UsageError, printable, processIo, type CliIo, type Command } from '../command.ts';
import { plural } from '../../io/plural.ts';

export const OPAYGO_USAGE = `Usage: osm opaygo <generate|decode|check> [options]

OpenPAYGO Token, as decoded by the OpenSmartMeter in its OpenPAYGO modes. Key and starting code default to the ones
compiled into the firmware (key ${FIRMWARE_SECRET_KEY}, starting code ${FIRMWARE_STARTING_CODE}).

osm opaygo generate --count N --value N [--type add|set|disable|sync] [options]
  Make the token for (value, count).
  --count N            position in the token chain, 0..65535 (required)
  --value N            0..999; an amount is 0..${MAX_ACTIVATION_VALUE} (required unless --type disable or sync)
  --type T             add (even count), set (odd count), disable (value ${PAYG_DISABLE_VALUE}, odd count),
                       sync (value ${COUNTER_SYNC_VALUE}, odd count); without it any value and count are allowed
  --restricted         print the 15-digit restricted digit set form (digits 1-4)

osm opaygo decode <token> [options]
  Decode a token against a decoder state; prints the value, the count and the state after.
  --max-count N        TokenCount before the token, 0..65535 (default ${FIRMWARE_INITIAL_STATE.maxCount}, a factory-fresh meter)
  --used-counts N      UsedTokens mask before the token, 0..65535 or 0x0000..0xffff (default 0)
  --behaviour B        spec (default): the OpenPAYGO specification; shipped: the firmware's C decoder, bugs included
  --restricted         the token is in the restricted digit set (15 digits)
  Exit code 0 when the token is accepted, 1 when it is refused (-1 invalid, -2 old or used).

osm opaygo check <vectors.json> [--behaviour spec|shipped]
  Run a vectors file (format: docs/tokens.md) and print a summary per scenario. Under shipped a step's
  expectation is its firmware_c where present, else expected. Exit code 0 when every step matches, 1 when one does
  not (the scenario and the step are named), 2 when the file is missing or malformed.

Common options:
  --key HEX            secret key, 32 hex characters (default ${FIRMWARE_SECRET_KEY})
  --starting-code N    starting code, 0..999999999 (default ${FIRMWARE_STARTING_CODE})
  --json               print the result as JSON
  --help, -h           show this help

Exit code 2: invalid arguments or input, with a one-line message.`;

const SUBCOMMANDS = ['generate', 'decode', 'check'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const TYPES: readonly TokenType[] = ['add', 'set', 'disable', 'sync'];

const OPTIONS = {
  key: { type: 'string' },
  'starting-code': { type: 'string' },
  count: { type: 'string' },
  value: { type: 'string' },
  type: { type: 'string' },
  restricted: { type: 'boolean' },
  'max-count': { type: 'string' },
  'used-counts': { type: 'string' },
  behaviour: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each subcommand takes (the rest are refused with a clear message). */
const ALLOWED: Record<Sub, readonly string[]> = {
  generate: ['key', 'starting-code', 'count', 'value', 'type', 'restricted', 'json'],
  decode: ['key', 'starting-code', 'max-count', 'used-counts', 'behaviour', 'restricted', 'json'],
  check: ['behaviour', 'json'],
};

type Values = Record<string, string | boolean | undefined>;

export interface OpaygoDeps { io?: CliIo }

export function createOpaygoCommand(deps: OpaygoDeps = {}): Command {
  const io = deps.io ?? processIo;
  const out = (text: string): void => { io.stdout.write(text.endsWith('\n') ? text : `${text}\n`); };

  async function run(argv: string[]): Promise<number> {
    let json = argv.includes('--json');
    try {
      const { sub: s, values, rest } = parseSubcommand('opaygo', argv, OPTIONS, ALLOWED);
      json = values.json === true;
      if (s === undefined) { out(OPAYGO_USAGE); return EXIT.ok; }
      if (s === 'generate') return generate(values, rest);
      if (s === 'decode') return decode(values, rest);
      return check(values, rest);
    } catch (err) {
      if (!isInputError(err)) throw err;
      const message = (err as Error).message;
      if (json) out(JSON.stringify({ status: 'invalid', exitCode: EXIT.invalid, error: message }, null, 2));
      io.stderr.write(`osm opaygo: ${printable(message)}; see 'osm help opaygo'\n`);
      return EXIT.invalid;
    }
  }

  function generate(values: Values, rest: string[]): number {
    if (rest.length > 0) throw new UsageError(`'opaygo generate' takes no positional argument, got '${rest[0]}'`);
    const { key, startingCode } = keyAndCode(values);
    if (values.count === undefined) throw new UsageError('--count is required');
    const count = intOption('count', values.count as string, 0, 0xffff);
    const type = values.type as string | undefined;
    if (type !== undefined && !(TYPES as readonly string[]).includes(type)) {
      throw new UsageError(`--type: expected add, set, disable or sync, got '${type}'`);
    }
    let value: number;
    if (type === 'disable' || type === 'sync') {
      const fixed = type === 'disable' ? PAYG_DISABLE_VALUE : COUNTER_SYNC_VALUE;
      value = values.value === undefined ? fixed : intOption('value', values.value as string, 0, 999);
      if (value !== fixed) throw new UsageError(`--type ${type} carries value ${fixed}, got --value ${value}`);
    } else {
      if (values.value === undefined) throw new UsageError('--value is required (0..999)');
      value = intOption('value', values.value as string, 0, 999);
      if (type !== undefined && value > MAX_ACTIVATION_VALUE) {
        throw new UsageError(`--type ${type} takes an amount 0..${MAX_ACTIVATION_VALUE}, got ${value}` +
          (value === PAYG_DISABLE_VALUE ? ' (use --type disable)' : value === COUNTER_SYNC_VALUE ? ' (use --type sync)' : ''));
      }
    }
    if (type === 'add' && count % 2 !== 0) throw new UsageError(`--type add needs an even count, got ${count}`);
    if ((type === 'set' || type === 'disable' || type === 'sync') && count % 2 === 0) {
      throw new UsageError(`--type ${type} needs an odd count, got ${count}`);
    }
    const restricted = values.restricted === true;
    const token = generateToken({ key, startingCode, value, count, restricted });
    const plain = restricted ? generateToken({ key, startingCode, value, count }) : token;
    const kind = (type as TokenType | undefined) ?? tokenTypeOf(value, count);
    if (values.json === true) {
      out(JSON.stringify({ token, ...(restricted ? { token9: plain } : {}), value, count, type: kind, restricted, key: keyHex(key), startingCode }, null, 2));
    } else {
      out(token);
      out(`  ${kind.toUpperCase()} value ${value}, count ${count}${restricted ? ` (9-digit form ${plain})` : ''}; starting code ${startingCode}, key ${keyHex(key)}`);
    }
    return EXIT.ok;
  }

  function decode(values: Values, rest: string[]): number {
    if (rest.length === 0) throw new UsageError('missing the token (osm opaygo decode <token>)');
    if (rest.length > 1) throw new UsageError(`one token at a time, got ${rest.length}: ${rest.join(' ')}`);
    const token = rest[0]!;
    const { key, startingCode } = keyAndCode(values);
    const maxCount = values['max-count'] === undefined ? FIRMWARE_INITIAL_STATE.maxCount : intOption('max-count', values['max-count'] as string, 0, 0xffff);
    const usedCounts = values['used-counts'] === undefined ? FIRMWARE_INITIAL_STATE.usedCounts : maskOption('used-counts', values['used-counts'] as string);
    const behaviour = behaviourOption(values);
    const restricted = values.restricted === true;
    checkTokenLength(token, restricted, behaviour);
    const r = decodeToken(token, { maxCount, usedCounts }, { key, startingCode, behaviour, restricted });
    const accepted = r.value >= 0;
    const type = accepted ? tokenTypeOf(r.value, r.count) : null;
    if (values.json === true) {
      out(JSON.stringify({
        token, ...(restricted ? { token9: String(fromRestrictedDigits(token)).padStart(9, '0') } : {}), behaviour, accepted,
        value: r.value, count: r.count, type, before: { maxCount, usedCounts },
        after: { maxCount: r.maxCountAfter, usedCounts: r.usedCountsAfter },
      }, null, 2));
    } else {
      const verdict = r.value === -1 ? 'INVALID (-1): no count of the chain matches'
        : r.value === -2 ? 'REFUSED (-2): the token matches, but its count is old or already used'
          : `ACCEPTED: ${type!.toUpperCase()} value ${r.value}, count ${r.count}`;
      out(`${token}: ${verdict}`);
      out(`  decoder ${behaviour}; state before: max count ${maxCount}, used counts ${hex16(usedCounts)}; ` +
        `after: max count ${r.maxCountAfter}, used counts ${hex16(r.usedCountsAfter)}`);
    }
    return accepted ? EXIT.ok : EXIT.failed;
  }

  function check(values: Values, rest: string[]): number {
    if (rest.length === 0) throw new UsageError('missing the vectors file (osm opaygo check <vectors.json>)');
    if (rest.length > 1) throw new UsageError(`one vectors file at a time, got ${rest.length}: ${rest.join(' ')}`);
    const behaviour = behaviourOption(values);
    const scenarios = loadVectorsFile(rest[0]!);
    const report = runVectors(scenarios, behaviour);
    if (values.json === true) {
      out(JSON.stringify({ status: report.pass ? 'pass' : 'fail', exitCode: report.pass ? EXIT.ok : EXIT.failed, ...report }, null, 2));
    } else {
      let width = 0;
      for (const s of report.scenarios) width = Math.max(width, s.scenario.length);
      // The steps come scenario by scenario, in the order of the summaries: each scenario's are the next s.steps.
      let first = 0;
      for (const s of report.scenarios) {
        out(`${s.pass ? '✓' : '✘'} ${s.scenario.padEnd(width)}  ${s.passed}/${s.steps} steps`);
        for (let i = first; i < first + s.steps; i++) if (!report.steps[i]!.pass) out(`    ${describeMismatch(report.steps[i]!)}`);
        first += s.steps;
      }
      out(`${report.passed}/${report.steps.length} steps match under the ${behaviour} decoder` +
        (report.pass ? '' : `; ${report.failed} mismatch${report.failed === 1 ? '' : 'es'}`));
    }
    return report.pass ? EXIT.ok : EXIT.failed;
  }

  return {
    name: 'opaygo',
    summary: 'generate, decode and check OpenPAYGO tokens (spec or shipped decoder)',
    usage: OPAYGO_USAGE,
    run,
  };
}

function keyAndCode(values: Values): { key: Uint8Array; startingCode: number } {
  let key: Uint8Array;
  try {
    key = parseKey((values.key as string | undefined) ?? FIRMWARE_SECRET_KEY);
  } catch (err) {
    throw new UsageError(`--key: ${(err as Error).message}`);
  }
  const startingCode = values['starting-code'] === undefined
    ? FIRMWARE_STARTING_CODE
    : intOption('starting-code', values['starting-code'] as string, 0, 999_999_999);
  return { key, startingCode };
}

/** The token's length against --restricted, with the option to add or drop named (before the decoder's own checks). */
function checkTokenLength(token: string, restricted: boolean, behaviour: DecoderBehaviour): void {
  if (!/^\d+$/.test(token)) throw new UsageError(`token "${token}" must contain only the digits 0-9`);
  if (restricted && token.length === 9) {
    throw new UsageError(`token "${token}" has 9 digits: that is the plain form; leave out --restricted (a restricted-digit-set token has 15 digits, 1-4)`);
  }
  if (!restricted && token.length === 15 && behaviour === 'spec') {
    throw new UsageError(`token "${token}" has 15 digits: a restricted-digit-set token; add --restricted (a plain token has 9 digits)`);
  }
  if (token.length !== 9 && token.length !== 15) {
    throw new UsageError(`token "${token}" has ${plural(token.length, 'digit')}; a token has 9 digits, or 15 with --restricted (restricted digit set)`);
  }
}

function behaviourOption(values: Values): DecoderBehaviour {
  const b = (values.behaviour as string | undefined) ?? 'spec';
  if (b !== 'spec' && b !== 'shipped') throw new UsageError(`--behaviour: expected spec or shipped, got '${b}'`);
  return b;
}

function maskOption(name: string, text: string): number {
  if (/^0x[0-9a-fA-F]{1,4}$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0x/i.test(text)) throw new UsageError(`--${name}: expected 0x0000..0xffff, got '${text}'`);
  return intOption(name, text, 0, 0xffff);
}

function keyHex(key: Uint8Array): string {
  return Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
}

function hex16(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

/** Errors that describe the user's input (exit 2); anything else is a bug and goes to the dispatcher (exit 3). */
function isInputError(err: unknown): boolean {
  return err instanceof UsageError || err instanceof VectorsError || (err instanceof Error && err.constructor === Error);
}

export const opaygoCommand = createOpaygoCommand();

export default opaygoCommand;
