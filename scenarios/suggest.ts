// "Did you mean ...?" for misspelt names in scenarios and on the command line.
import { editDistance } from '../models/edit-distance.ts';

export { editDistance };

/**
 * The candidate closest to `got`, if it is close enough to be a likely typo: at most a third of the name's length
 * in edits (at least 1), compared case-insensitively. Ties go to the earlier candidate.
 */
export function closest(got: string, candidates: readonly string[]): string | undefined {
  const g = got.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(g, c.toLowerCase());
    if (dist < bestD) { best = c; bestD = dist; }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(got.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}

/** ` (did you mean 'x'?)` or ` (expected one of a, b, c)`. */
export function suggestion(got: string, candidates: readonly string[]): string {
  const c = closest(got, candidates);
  return c !== undefined ? ` (did you mean '${c}'?)` : ` (expected one of ${candidates.join(', ')})`;
}

/** ` (expected one of a, b, c; did you mean 'x'?)`: the full list, plus the likely typo if there is one. */
export function expectedOneOf(got: string, candidates: readonly string[]): string {
  const c = closest(got, candidates);
  return ` (expected one of ${candidates.join(', ')}${c !== undefined ? `; did you mean '${c}'?` : ''})`;
}
