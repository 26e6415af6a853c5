// Every fenced code block of README.md is run: YAML blocks are scenarios (run with `osm run`, they must pass); shell
// blocks' `osm`, `npx osm` and `npm run osm --` commands run as the real CLI in a child process and must exit 0. The
// commands that cannot run here are listed below with the reason, and counted as skipped. A block or command of any
// other kind fails the test, so a new README example is either run or its exclusion is explained here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Commands that are not run, and why. */
const NOT_RUN: ReadonlyArray<{ match: RegExp; why: string }> = [
  { match: /^npm (install|ci)\b/, why: 'installs packages: the test suite already runs on an installed tree, and no network is used in tests' },
  { match: /^npm start\b/, why: 'the live demo runs until q or Ctrl-C (osm demo with --duration is tested in cli/commands/demo.test.ts)' },
  { match: /^npm test\b/, why: 'this is the test suite itself' },
  { match: /^(npx )?osm demo\b(?!.*--duration)/, why: 'the live demo runs until q or Ctrl-C' },
  { match: /^npm start\b|^(npx )?osm serve\b/, why: 'the dashboard server runs until Ctrl-C (test/dashboard-browser.test.ts drives it)' },
  { match: /^(npx )?osm run scenarios\/library\/ /, why: 'runs the whole library on every core (about 15 s on 2 cores); test/campaign.test.ts runs it, reads the JUnit back and checks the JSON' },
  { match: /^redis-server\b/, why: 'starts a Redis server that runs until stopped (test/queue.test.ts starts its own on a free port)' },
  { match: /^(npx )?osm worker\b/, why: 'a worker runs until Ctrl-C (test/queue.test.ts runs real workers)' },
  { match: /^(npx )?osm .*--queue\b/, why: 'needs a Redis and workers on port 6379 (test/queue.test.ts runs --queue against its own redis-server)' },
  { match: /^(npx )?osm run .*--matrix\b/, why: 'a matrix exits 1 by design when a cell fails (it shows which build a fault comes from); test/campaign.test.ts checks its grid' },
];

interface Block { lang: string; text: string; line: number }

export function fencedBlocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++]);
    out.push({ lang: open[2], text: body.join('\n'), line: i + 1 });
    i = j;
  }
  return out;
}

/** The commands of a shell block: comments dropped, `&&` chains split. */
function shellCommands(text: string): string[] {
  return text.split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trim())
    .filter((l) => l !== '')
    .flatMap((l) => l.split('&&').map((c) => c.trim()));
}

/** Shell words: bare words and single- or double-quoted strings (all the README uses). */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The osm arguments of a command, or null when it is not an osm command. */
function osmArgs(cmd: string): string[] | null {
  const w = words(cmd);
  if (w[0] === 'osm') return w.slice(1);
  if (w[0] === 'npx' && w[1] === 'osm') return w.slice(2);
  if (w[0] === 'npm' && w[1] === 'run' && w[2] === 'osm' && w[3] === '--') return w.slice(4);
  return null;
}

const dir = mkdtempSync(join(tmpdir(), 'osm-readme-'));
const blocks = fencedBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

test('the README has code blocks, and each is YAML or shell', () => {
  assert.ok(blocks.length >= 2);
  for (const b of blocks) assert.ok(['yaml', 'sh', 'bash', 'shell'].includes(b.lang), `README.md:${b.line}: a \`\`\`${b.lang} block: run it in test/readme.test.ts`);
});

for (const b of blocks) {
  if (b.lang === 'yaml') {
    test(`README.md:${b.line}: the YAML scenario runs and every expectation holds`, () => {
      const file = join(dir, `readme-${b.line}.yaml`);
      writeFileSync(file, `${b.text}\n`);
      const r = spawnSync(process.execPath, ['cli/osm.js', 'run', file], { cwd: root, encoding: 'utf8', env: { ...process.env, OSM_DEBUG: '' } });
      assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /PASSED at /);
    });
  } else if (['sh', 'bash', 'shell'].includes(b.lang)) {
    for (const cmd of shellCommands(b.text)) {
      const skip = NOT_RUN.find((n) => n.match.test(cmd));
      if (skip) {
        test.skip(`README.md:${b.line}: \`${cmd}\` is not run: ${skip.why}`, () => {});
        continue;
      }
      test(`README.md:${b.line}: \`${cmd}\` exits 0`, () => {
        const args = osmArgs(cmd);
        assert.ok(args, `README.md:${b.line}: '${cmd}' is neither an osm command nor listed in NOT_RUN with a reason`);
        const r = spawnSync(process.execPath, [join(root, 'cli/osm.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, OSM_DEBUG: '' } });
        assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
      });
    }
  }
}

// The table's checks of a board or a rig that need no hardware (no device port named) run as written: a reader
// copies them from the table as they are.
const inlineChecks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/`(npx osm (?:board|rig) check\b[^`]*)`/g)]
  .map((m) => m[1]).filter((cmd) => !/\/dev\//.test(cmd));
test('the README names board and rig checks that need no hardware', () => { assert.ok(inlineChecks.length >= 1, inlineChecks.join(', ')); });
for (const cmd of inlineChecks) {
  test(`README.md: the table's \`${cmd}\` exits 0`, () => {
    const r = spawnSync(process.execPath, [join(root, 'cli/osm.js'), ...osmArgs(cmd)!], { cwd: root, encoding: 'utf8', env: { ...process.env, OSM_DEBUG: '' } });
    assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  });
}

// Housekeeping, not a test: a hook is not counted as a passed test.
test.after(() => { rmSync(dir, { recursive: true, force: true }); });

test.run();
