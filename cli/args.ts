// A small, strict command-line parser: `--name value`, `--name=value`, `-x value`, boolean flags, and `--` to end the
// options. Every problem is a UsageError with a message that says what was expected.
import { closest } from '../scenarios/suggest.ts';
import { UsageError } from './command.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias (`-q`). */
  short?: string;
  /** A string option that may be given several times: every value, in order, is in `lists` (`values` holds the last). */
  multiple?: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The values of the `multiple` options given, in order. */
  lists: Record<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  const lists: Record<string, string[]> = {};
  const names = Object.keys(spec);
  const byShort = new Map(names.filter((n) => spec[n].short).map((n) => [spec[n].short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { positionals.push(a); continue; }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (!Object.hasOwn(spec, name)) {
        const near = closest(name, names);
        throw new UsageError(`unknown option '--${name}'${near ? ` (did you mean '--${near}'?)` : ''}`);
      }
    } else {
      const s = a.slice(1);
      const long = byShort.get(s);
      if (long === undefined) throw new UsageError(`unknown option '${a}'`);
      name = long;
    }
    const opt = spec[name];
    if (values[name] !== undefined && !opt.multiple) throw new UsageError(`option '--${name}' is given twice`);
    if (opt.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value (got '--${name}=${inline}')`);
      values[name] = true;
      continue;
    }
    let v = inline;
    if (v === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next.length > 1 && !/^-\d/.test(next))) {
        throw new UsageError(`option '--${name}' needs a value`);
      }
      v = next;
      i++;
    }
    if (v === '') throw new UsageError(`option '--${name}' needs a value`);
    values[name] = v;
    if (opt.multiple) (lists[name] ??= []).push(v);
  }
  return { values, positionals, lists };
}

/** A whole number in [min, max] from an option value. */
export function intOption(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: expected a whole number ${min}..${max}, got '${text}'`);
  const v = Number(text);
  if (v < min || v > max) throw new UsageError(`--${name}: ${text} is out of range (expected ${min}..${max})`);
  return v;
}

/**
 * `osm <command> <subcommand> [options]`: parses the options, then checks the subcommand and that every option given
 * applies to it (`--help` always does). With `--help`, `sub` is undefined and nothing else is checked.
 */
export function parseSubcommand<S extends string>(
  command: string,
  argv: readonly string[],
  spec: Readonly<Record<string, OptionSpec>>,
  allowed: Readonly<Record<S, readonly string[]>>,
): { sub: S | undefined; values: ParsedArgs['values']; rest: string[] } {
  const { values, positionals } = parseArgs(argv, spec);
  if (values.help === true) return { sub: undefined, values, rest: [] };
  const subs = Object.keys(allowed) as S[];
  const list = subs.length === 2 ? subs.join(' or ') : `${subs.slice(0, -1).join(', ')} or ${subs[subs.length - 1]}`;
  const [sub, ...rest] = positionals;
  if (sub === undefined) throw new UsageError(`missing the subcommand: ${list}`);
  if (!(subs as string[]).includes(sub)) throw new UsageError(`unknown subcommand '${sub}' (expected ${list})`);
  const s = sub as S;
  for (const name of Object.keys(values)) {
    if (name !== 'help' && values[name] !== undefined && !allowed[s].includes(name)) {
      throw new UsageError(`option '--${name}' does not apply to '${command} ${s}'`);
    }
  }
  return { sub: s, values, rest };
}
