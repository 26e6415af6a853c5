// "Did you mean ...?" for misspelt names in scenarios and on the command line.

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions cost 1. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[m][n];
}

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
