// Every `osm <command>` the README and docs/*.md show (in code spans and code blocks) is a command of
// cli/commands/commands.json, and every --option shown after it is one that command's help names, so a reader who
// copies a command line from the docs is not told "unknown option".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../cli/commands/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** The osm command lines of a page: code spans outside blocks, and the lines of code blocks (comments dropped). */
function commandLines(md: string): Array<{ line: number; command: string; options: string[] }> {
  const out: Array<{ line: number; command: string; options: string[] }> = [];
  let inBlock = false;
  md.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) { inBlock = !inBlock; return; }
    const spans = inBlock ? [text.replace(/\s#.*$/, '')] : [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    for (const s of spans) {
      for (const m of s.matchAll(/(?:^|[\s(])osm ([a-z][a-z-]*)((?:\s+[^\s|;]+)*)/g)) {
        out.push({ line: i + 1, command: m[1], options: [...m[2].matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)].map((o) => o[1]) });
      }
    }
  });
  return out;
}

const usage = new Map<string, string>();
for (const c of COMMANDS) usage.set(c.name, (await c.load()).usage);

test('every osm command the docs show exists, and every option shown after it is in that command\'s help', () => {
  const problems: string[] = [];
  let options = 0;
  for (const page of pages) {
    for (const c of commandLines(readFileSync(join(root, page), 'utf8'))) {
      if (c.command === 'help') continue;
      const help = usage.get(c.command);
      if (help === undefined) { problems.push(`${page}:${c.line}: 'osm ${c.command}' is not a command`); continue; }
      for (const o of c.options) {
        options++;
        if (!new RegExp(`${o}(?![\\w-])`).test(help)) problems.push(`${page}:${c.line}: osm ${c.command} ${o}: not in 'osm ${c.command} --help'`);
      }
    }
  }
  assert.equal(problems, []);
  assert.ok(options >= 100, `only ${options} options checked`);
});

/** Every *.test.ts below the root, as paths relative to it (what `npm test -- FRAGMENT` matches against). */
function testFiles(dir = ''): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(join(root, rel)).isDirectory()) return testFiles(rel);
    return name.endsWith('.test.ts') ? [rel] : [];
  });
}

test('every "npm run SCRIPT" the docs show is a script of package.json, and every "npm test -- FRAGMENT" selects a test file', () => {
  const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
  const tests = testFiles();
  const problems: string[] = [];
  let checked = 0;
  for (const page of pages) {
    const md = readFileSync(join(root, page), 'utf8');
    for (const m of md.matchAll(/npm run ([a-z][\w:-]*)/g)) { checked++; if (!scripts.includes(m[1])) problems.push(`${page}: npm run ${m[1]}: no such script`); }
    for (const m of md.matchAll(/npm test -- ([\w/.-]+)/g)) { checked++; if (!tests.some((f) => f.includes(m[1]))) problems.push(`${page}: npm test -- ${m[1]}: selects no test file`); }
  }
  assert.equal(problems, []);
  assert.ok(checked >= 20, `only ${checked} checked`);
});

test.run();
