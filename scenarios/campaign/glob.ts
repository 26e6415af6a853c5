// File-name patterns for `osm run 'scenarios/**/*.yaml'` (a quoted pattern, or a shell that does not expand them).
// Node 20 has no fs.glob, and path.matchesGlob prints an ExperimentalWarning on every run, so the small subset a
// scenario list needs is here:
//   *        any characters of one path segment, none     ?        one character of a segment
//   [abc]    one of the characters ([a-z] ranges, [!a] or [^a] negates)
//   {a,b}    either alternative (within one segment)      **       any number of directories, none included
//   \x       the character x itself
// As in a shell, `*`, `?` and `[...]` do not match a leading dot: hidden files and folders are matched only by a
// segment that starts with a dot itself.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAGIC = /[*?[{]/;

/** A pattern that cannot be used (an unclosed `{`). */
export class GlobError extends Error {
  override readonly name = 'GlobError';
}

/** True when the text holds a pattern character (`*`, `?`, `[`, `{`). */
export function isPattern(text: string): boolean {
  return MAGIC.test(text.replace(/\\./g, ''));
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** The regular expression of one path segment (no `/` in it). */
export function segmentRegex(segment: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '\\' && i + 1 < segment.length) { re += escapeRegex(segment[++i]); continue; }
    if (c === '*') { re += '[^/]*'; continue; }
    if (c === '?') { re += '[^/]'; continue; }
    if (c === '[') {
      // A `]` right after `[` (or `[!`) belongs to the set.
      const first = segment[i + 1] === '!' || segment[i + 1] === '^' ? i + 2 : i + 1;
      const end = segment.indexOf(']', first + 1);
      if (end < 0) { re += '\\['; continue; }
      const negate = first === i + 2;
      const body = segment.slice(first, end).replace(/\\/g, '\\\\').replace(/^\^/, '\\^');
      re += `[${negate ? '^' : ''}${body}]`;
      i = end;
      continue;
    }
    if (c === '{') { braces++; re += '(?:'; continue; }
    if (c === ',' && braces > 0) { re += '|'; continue; }
    if (c === '}' && braces > 0) { braces--; re += ')'; continue; }
    re += escapeRegex(c);
  }
  if (braces > 0) throw new GlobError(`unclosed '{' in '${segment}'`);
  // A wildcard never matches a leading dot.
  const hidden = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${hidden}${re}$`);
}

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

function exists(path: string): boolean {
  try { statSync(path); return true; } catch { return false; }
}

function entries(dir: string): string[] {
  try { return readdirSync(dir === '' ? '.' : dir); } catch { return []; }
}

/**
 * The paths a pattern matches (files and folders), as the pattern spells them (`scenarios/library/tamper.yaml` for
 * `scenarios/*\/tamper.yaml`), sorted by code unit so the order does not depend on the locale or the file system.
 */
export function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  if (absolute) segments.shift();
  const out = new Set<string>();
  const start = absolute ? '/' : '';

  const walk = (base: string, i: number): void => {
    if (i === segments.length) { if (base !== '' && exists(base)) out.add(base); return; }
    const seg = segments[i];
    if (seg === '**') {
      walk(base, i + 1);
      for (const name of entries(base)) {
        if (name.startsWith('.')) continue;
        const next = base === '' ? name : join(base, name);
        if (isDirectory(next)) walk(next, i);
      }
      return;
    }
    if (!isPattern(seg)) {
      const lit = seg.replace(/\\(.)/g, '$1');
      walk(base === '' ? lit : join(base, lit), i + 1);
      return;
    }
    const re = segmentRegex(seg);
    for (const name of entries(base)) {
      if (!re.test(name)) continue;
      const next = base === '' ? name : join(base, name);
      if (i + 1 < segments.length && !isDirectory(next)) continue;
      walk(next, i + 1);
    }
  };
  walk(start, 0);
  return [...out].sort(byCodeUnit);
}

export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
