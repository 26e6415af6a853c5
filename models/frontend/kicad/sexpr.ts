// A reader for KiCad's S-expression files (.kicad_sch, KiCad 6 to 8): lists, bare atoms and quoted strings with
// backslash escapes. Errors give the line and column.

export type SExpr = string | SList;
export interface SList { readonly items: SExpr[]; readonly line: number }

export class SExprError extends Error {
  override readonly name = 'SExprError';
}

export function parseSExpr(text: string, file: string): SList {
  let i = 0, line = 1;
  const n = text.length;
  const fail = (why: string): never => { throw new SExprError(`${file}:${line}: ${why}`); };
  const stack: SList[] = [];
  let root: SList | undefined;
  while (i < n) {
    const ch = text[i];
    if (ch === '\n') { line++; i++; continue; }
    if (ch === ' ' || ch === '\t' || ch === '\r') { i++; continue; }
    if (ch === '(') {
      const l: SList = { items: [], line };
      if (stack.length) stack[stack.length - 1].items.push(l);
      else if (root) fail('more than one top-level list');
      else root = l;
      stack.push(l); i++; continue;
    }
    if (ch === ')') { if (!stack.pop()) fail("unbalanced ')'"); i++; continue; }
    if (!stack.length) fail(`text outside a list: '${ch}'`);
    if (ch === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated string');
        const c = text[i];
        if (c === '"') { i++; break; }
        if (c === '\\' && i + 1 < n) { const e = text[i + 1]; s += e === 'n' ? '\n' : e === 't' ? '\t' : e; i += 2; continue; }
        if (c === '\n') line++;
        s += c; i++;
      }
      stack[stack.length - 1].items.push(s);
      continue;
    }
    let j = i;
    while (j < n && !' \t\r\n()"'.includes(text[j])) j++;
    stack[stack.length - 1].items.push(text.slice(i, j));
    i = j;
  }
  if (stack.length) fail(`${stack.length} list(s) not closed at the end of the file`);
  if (!root) fail('empty file');
  return root!;
}

/** The head atom of a list ('symbol' for `(symbol ...)`). */
export function head(l: SExpr): string | undefined {
  return typeof l === 'string' ? undefined : typeof l.items[0] === 'string' ? l.items[0] : undefined;
}

/** Child lists with the given head. */
export function children(l: SList, name: string): SList[] {
  return l.items.filter((x): x is SList => typeof x !== 'string' && x.items[0] === name);
}

export function child(l: SList, name: string): SList | undefined {
  return l.items.find((x): x is SList => typeof x !== 'string' && x.items[0] === name);
}

/** The n-th atom after the head of a child list: atom(l, 'at', 1) is the x of `(at x y r)`. */
export function atom(l: SList, name: string, index = 1): string | undefined {
  const c = child(l, name);
  const v = c?.items[index];
  return typeof v === 'string' ? v : undefined;
}

export function num(l: SList, name: string, index = 1): number {
  const v = atom(l, name, index);
  return v === undefined ? 0 : Number(v);
}
