// The complex linear solve of the circuit's modified nodal analysis, A X = B, by LU decomposition with partial
// pivoting, written out over Float64Arrays. The matrices are small (about 25 unknowns for this board) and solved at
// up to 126 frequencies per front end; a general-purpose matrix library costs far more to load than these solves
// take (mathjs: most of a second and about 90 MB per process). The algorithm is the left-looking (Crout-ordered)
// Doolittle decomposition mathjs' `lup` uses, with the same choice of pivot (the largest modulus in the column), then
// forward and back substitution per right-hand side; lu-solve.test.ts holds the two to 1e-12.
import type { C } from './complex.ts';

/** An unknown the system does not determine: its pivot vanishes against the matrix's scale. */
export class SingularError extends Error {
  override readonly name = 'SingularError';
  /** Index of the unknown (row of A, after the column's pivot search) whose pivot vanished. */
  readonly row: number;
  constructor(row: number) {
    super(`the system has no unique solution: pivot ${row} vanishes`);
    this.row = row;
  }
}

/**
 * Solves A X = B for every right-hand side in `Bs` (each a column of length n) with one factorisation. A pivot of
 * modulus at most 1e-18 of the largest |re| + |im| in A is a SingularError naming its column: an unknown the circuit
 * does not determine (a net with no path to ground at this frequency).
 */
export function luSolve(A: readonly (readonly C[])[], Bs: readonly (readonly C[])[]): C[][] {
  const n = A.length;
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  let scaleMax = 0;
  for (let i = 0; i < n; i++) {
    const row = A[i];
    if (row.length !== n) throw new RangeError(`luSolve: row ${i} has ${row.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      re[i * n + j] = row[j].re; im[i * n + j] = row[j].im;
      scaleMax = Math.max(scaleMax, Math.abs(row[j].re) + Math.abs(row[j].im));
    }
  }
  const tiny = scaleMax * 1e-18;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < n; j++) {
    // Column j of U above the diagonal and of the not yet divided L below it: a[i][j] -= sum_k<min(i,j) l[i][k] u[k][j].
    if (j > 0) {
      for (let i = 0; i < n; i++) {
        const kmax = Math.min(i, j);
        let sr = 0, si = 0;
        for (let k = 0; k < kmax; k++) {
          const ar = re[i * n + k], ai = im[i * n + k], br = re[k * n + j], bi = im[k * n + j];
          sr += ar * br - ai * bi; si += ar * bi + ai * br;
        }
        re[i * n + j] -= sr; im[i * n + j] -= si;
      }
    }
    let p = j, best = 0;
    for (let i = j; i < n; i++) {
      const m = Math.hypot(re[i * n + j], im[i * n + j]);
      if (m > best) { p = i; best = m; }
    }
    if (best <= tiny) throw new SingularError(j);
    if (p !== j) {
      [perm[p], perm[j]] = [perm[j], perm[p]];
      for (let k = 0; k < n; k++) {
        const a = j * n + k, b = p * n + k;
        const tr = re[a], ti = im[a];
        re[a] = re[b]; im[a] = im[b]; re[b] = tr; im[b] = ti;
      }
    }
    const dr = re[j * n + j], di = im[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const q = div(re[i * n + j], im[i * n + j], dr, di);
      re[i * n + j] = q.re; im[i * n + j] = q.im;
    }
  }
  return Bs.map((b) => {
    if (b.length !== n) throw new RangeError(`luSolve: a right-hand side has ${b.length} entries, expected ${n}`);
    const xr = new Float64Array(n), xi = new Float64Array(n);
    for (let i = 0; i < n; i++) { xr[i] = b[perm[i]].re; xi[i] = b[perm[i]].im; }
    // L y = P b (unit diagonal), then U x = y, each column by column as mathjs' lsolve and usolve do: once x[j] is
    // known, its share is taken off every later (earlier) row of the right-hand side.
    for (let j = 0; j < n; j++) {
      const yr = xr[j], yi = xi[j];
      for (let i = j + 1; i < n; i++) {
        const lr = re[i * n + j], li = im[i * n + j];
        xr[i] -= yr * lr - yi * li; xi[i] -= yr * li + yi * lr;
      }
    }
    for (let j = n - 1; j >= 0; j--) {
      const q = div(xr[j], xi[j], re[j * n + j], im[j * n + j]);
      xr[j] = q.re; xi[j] = q.im;
      for (let i = j - 1; i >= 0; i--) {
        const ur = re[i * n + j], ui = im[i * n + j];
        xr[i] -= q.re * ur - q.im * ui; xi[i] -= q.re * ui + q.im * ur;
      }
    }
    return Array.from({ length: n }, (_, i) => ({ re: xr[i], im: xi[i] }));
  });
}

/** (ar + j ai) / (br + j bi) by Smith's algorithm (no overflow for large or small divisors). */
function div(ar: number, ai: number, br: number, bi: number): C {
  if (bi === 0) return { re: ar / br, im: ai / br };
  if (Math.abs(br) >= Math.abs(bi)) {
    const r = bi / br, d = br + bi * r;
    return { re: (ar + ai * r) / d, im: (ai - ar * r) / d };
  }
  const r = br / bi, d = br * r + bi;
  return { re: (ar * r + ai) / d, im: (ai * r - ar) / d };
}
