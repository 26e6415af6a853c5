// The project's documentation stands on its own: every relative link of README.md and docs/*.md resolves, every
// "docs/<file>.md §n" that code and docs cite names a section that exists, and no tracked file other than tests names
// the design notes a user does not have.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));
const pages = ['README.md', ...docs];

/** Markdown links `[text](target)` outside code spans, with the line they are on. */
function links(md: string): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  md.split('\n').forEach((text, i) => {
    const plain = text.replace(/`[^`]*`/g, '');
    for (const m of plain.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

test('every relative link in README.md and docs/*.md resolves to a file in the repository', () => {
  let checked = 0;
  for (const page of pages) {
    for (const { target, line } of links(readFileSync(join(root, page), 'utf8'))) {
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const path = resolve(root, dirname(page), target.replace(/#.*$/, ''));
      assert.ok(path.startsWith(root), `${page}:${line}: '${target}' points outside the repository`);
      assert.ok(existsSync(path), `${page}:${line}: '${target}' does not exist`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} links checked`);
});

test('docs/README.md, the index of docs/, links every page of docs/', () => {
  const linked = new Set(links(readFileSync(join(root, 'docs', 'README.md'), 'utf8')).map((l) => l.target.replace(/#.*$/, '')));
  const missing = docs.map((d) => d.slice('docs/'.length)).filter((f) => f !== 'README.md' && !linked.has(f));
  assert.equal(missing, [], `docs/README.md does not list ${missing.join(', ')}`);
});

// A path the docs name in backquotes (`models/frontend/netlists/osm-board.yaml`, `test/fleet-thousand.test.ts`) is one a
// reader opens: it must be in the repository. Patterns, placeholders and build outputs (out/, cli/dist/) are not paths.
test('every repository path README.md and docs/*.md name in backquotes exists', () => {
  const TOP = /^(models|twin|scenarios|cli|io|bench|test|hil-rig|flows|dashboard|docs|scripts)\//;
  const missing: string[] = [];
  let checked = 0;
  for (const page of pages) {
    readFileSync(join(root, page), 'utf8').split('\n').forEach((text, i) => {
      for (const m of text.matchAll(/`([^`\s]+)`/g)) {
        const path = m[1].replace(/[#:].*$/, '').replace(/[.,;)]+$/, '');
        if (!TOP.test(path) || /[*<>{}…]|\.\.\./.test(path) || /^cli\/dist\//.test(path)) continue;
        checked++;
        if (!existsSync(join(root, path))) missing.push(`${page}:${i + 1}: ${path}`);
      }
    });
  }
  assert.equal(missing, []);
  assert.ok(checked >= 50, `only ${checked} paths checked`);
});

/** Tracked files (git ls-files), or null when git cannot list them. */
function trackedFiles(): string[] | null {
  const r = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
}

const tracked = trackedFiles();
const withGit = tracked ? test : test.skip;
const TEXT = /\.(ts|js|mjs|cjs|md|yaml|yml|json|html|sh)$|^\.ci\/|(^|\/)\.gitignore$/;
const isTest = (f: string): boolean => f.endsWith('.test.ts') || f.startsWith('test/');

withGit('every "docs/firmware.md §n" and "docs/atm90e26.md §n" cited in the repository names a section of that file', () => {
  const headings = new Map<string, Set<string>>();
  for (const doc of ['firmware', 'atm90e26']) {
    const md = readFileSync(join(root, 'docs', `${doc}.md`), 'utf8');
    headings.set(doc, new Set([...md.matchAll(/^#{2,3} (\d+(?:\.\d+)?)[. ]/gm)].map((m) => m[1])));
  }
  let checked = 0;
  for (const f of tracked!.filter((x) => TEXT.test(x))) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(/docs\/(firmware|atm90e26)\.md[ ,(]{0,3}§(\d+(?:\.\d+)?)/g)) {
      assert.ok(headings.get(m[1])!.has(m[2]), `${f}: cites docs/${m[1]}.md §${m[2]}, which has no such section`);
      checked++;
    }
  }
  assert.ok(checked >= 50, `only ${checked} citations checked`);
});

/** Names of the design notes and references that live outside the repository. */
const OUTSIDE = [
  /firmware-behaviour\.md/, /ARCHITECTURE\.md/, /STYLE\.md/, /stack-notes\.md/, /iec-62053-21\.md/,
  /(?<![\w/-])openpaygo\.md/, /reference\/openpaygo/, /(?<!docs\/)(?<![\w/-])atm90e26\.md/, /\.\.\/shared/, /\/work\/shared/,
];

withGit('no tracked file but the tests names a file a user does not have (../shared, firmware-behaviour.md, ARCHITECTURE.md, ...)', () => {
  const found: string[] = [];
  for (const f of tracked!.filter((x) => TEXT.test(x) && !isTest(x))) {
    const text = readFileSync(join(root, f), 'utf8');
    const inDocs = f.startsWith('docs/');
    text.split('\n').forEach((line, i) => {
      for (const re of OUTSIDE) {
        // Inside docs/, sibling links like (atm90e26.md) are the project's own file.
        if (inDocs && re.source.includes('atm90e26') && /\]\(atm90e26\.md|\[atm90e26\.md\]/.test(line)) continue;
        if (re.test(line)) found.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
      }
    });
  }
  assert.equal(found, []);
});

test.run();
