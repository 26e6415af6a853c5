// A large scenario's steps read in groups (scenarios/loader.ts): parsing a 20 MB YAML document at once builds a syntax
// tree of gigabytes before the first step is checked. The `steps:` block sequence is found by its indentation, the
// rest of the file (name, meter, plant...) is parsed as a small document with the block's lines left blank (so every
// position stays that of the file), and the steps are parsed a group of items at a time, each group a YAML document
// of its own lines. Only a plain block sequence under a top-level `steps:` key is split; anything else (a flow list
// `steps: [...]`, a file small enough) is parsed whole, as before.
import type { SourcePos } from './schema.ts';

/** Scenario text above which the steps are read in groups (a scenario written by hand is far below). */
export const STREAM_THRESHOLD_CHARS = 1 << 20;
/** Steps parsed as one YAML document. */
export const GROUP_STEPS = 2000;

export interface StepGroup {
  /** The group's lines, as in the file. */
  text: string;
  /** 1-based line of the group's first line in the file. */
  line: number;
  /** Offset in the file's text just after the group. */
  end: number;
  /** The group's lines and the next step's: where a YAML error runs past the group's end, it shows as in the file. */
  withNext(): string;
}

export interface StepGroups {
  /** Where `steps:` is (for "the list is empty"). */
  stepsKeyPos: SourcePos;
  /** The groups in file order, each made only when asked for. */
  groups(): Iterable<StepGroup>;
  /** Called after each group: the offset read up to, and the steps read so far. */
  onProgress?: (offset: number, steps: number) => void;
}

const STEPS_KEY = /^steps[ \t]*:[ \t]*(?:#.*)?$/gm;

/**
 * Split `text` into the document without its steps (their lines blank) and the steps' groups; null when the text has
 * no plain top-level `steps:` block sequence to split (the caller then parses it whole).
 */
export function splitSteps(text: string, groupSteps = GROUP_STEPS): { head: string; steps: StepGroups } | null {
  STEPS_KEY.lastIndex = 0;
  const key = STEPS_KEY.exec(text);
  if (!key || STEPS_KEY.exec(text)) return null; // no block steps key, or twice (the whole parse reports it)
  const keyLine = lineOf(text, key.index);
  let at = text.indexOf('\n', key.index);
  if (at < 0) return null;
  at += 1;
  const blockStart = at;
  /** Offsets and lines where items start. */
  const starts: number[] = [];
  const lines: number[] = [];
  let indent = -1;
  let line = keyLine + 1;
  let blockEnd = text.length;
  let blockEndLine = line;
  while (at < text.length) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = text.length;
    let i = at;
    while (i < eol && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    const blank = i >= eol || c === 35 /* # */ || (c === 13 && i + 1 >= eol);
    if (!blank) {
      const col = i - at;
      const dash = c === 45 /* - */ && (i + 1 >= eol || text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 13);
      if (indent < 0) {
        if (!dash) return null;
        indent = col;
      }
      if (col < indent || (col === indent && !dash)) { blockEnd = at; blockEndLine = line; break; }
      if (col === indent) { starts.push(at); lines.push(line); }
    }
    at = eol + 1;
    line++;
    blockEndLine = line;
  }
  if (starts.length === 0) return null;
  const blankLines = blockEndLine - (keyLine + 1);
  const head = text.slice(0, blockStart) + '\n'.repeat(blankLines) + text.slice(blockEnd);
  const steps: StepGroups = {
    stepsKeyPos: { line: keyLine, col: 1 },
    *groups() {
      for (let g = 0; g < starts.length; g += groupSteps) {
        const from = starts[g];
        const to = g + groupSteps < starts.length ? starts[g + groupSteps] : blockEnd;
        const next = g + groupSteps + 1 < starts.length ? starts[g + groupSteps + 1] : blockEnd;
        yield { text: text.slice(from, to), line: lines[g], end: to, withNext: () => text.slice(from, next) };
      }
    },
  };
  return { head, steps };
}

/** 1-based line of `offset` in `text`. */
function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
