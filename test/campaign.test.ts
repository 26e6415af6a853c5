// End to end: `osm run` campaigns on the real twin. Short scenarios in a temporary folder stand in for the library
// wherever they can; the library itself runs once, with --junit, as a CI job would run it. Each worker thread loads
// the whole twin again (seconds of CPU), so only the tests about threads use more than one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunCommand } from '../cli/commands/run.ts';
import { main } from '../cli/main.ts';
import type { CliIo } from '../cli/command.ts';
import { FakeBench } from './support/fake-bench.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'osm-campaign-e2e-'));

const SCENARIOS: Record<string, string> = {
  // Passes on field (the literal label of D44 shows at about 16 s), fails on fixed (which prints MODEM INFO).
  'label.yaml': 'name: modem label as the field firmware prints it\nversion: 1\nmeter: { firmware: field, credit: 500 }\nsteps:\n  - wait-until: { lcd.line0: "/modemInfo/", timeout: 25s }\n',
  'quick.yaml': 'name: intro text\nversion: 1\nmeter: { firmware: field, credit: 500 }\nsteps:\n  - delay: 1s\n  - expect: { lcd.line0: "DEVELOPED BY" }\n',
  'fail.yaml': 'name: a greeting that never comes\nversion: 1\nmeter: { firmware: field, credit: 500 }\nsteps:\n  - delay: 1s\n  - name: the intro says hello\n    expect: { lcd.line0: "HELLO", buzzer: "off" }\n',
  'bad.yaml': 'name: bad\nversion: 1\nsteps:\n  - delay: 1s\n  - expect: { relais: open }\n',
};
for (const [name, text] of Object.entries(SCENARIOS)) writeFileSync(join(dir, name), text);
const at = (name: string): string => join(dir, name);
const single = mkdtempSync(join(tmpdir(), 'osm-single-'));

async function osm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
  const code = await main(['run', ...args], { commands: [createRunCommand({ io })], io, env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

/** Attributes of a start tag, entities decoded (a `>` may stand unescaped inside a value). */
function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) {
    out[m[1]] = m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  }
  return out;
}
function testcases(xml: string): { attrs: Record<string, string>; body: string }[] {
  return [...xml.matchAll(/<testcase\b((?:[^>"]|"[^"]*")*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({ attrs: attrs(m[1]), body: m[2] ?? '' }));
}

function libraryFiles(d: string): string[] {
  return readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? libraryFiles(join(d, n)) : n.endsWith('.yaml') ? [join(d, n)] : []));
}

test('invalid inputs among valid ones: exit 2, the valid ones run, the table gives each invalid one its file:line:col', async () => {
  const r = await osm(at('quick.yaml'), at('bad.yaml'), at('missing.yaml'), '--workers', '1');
  assert.is(r.code, 2, r.err);
  const rows = r.out.split('\n').filter((l) => l.startsWith(dir));
  assert.equal(rows.map((l) => l.split(/\s+/).slice(0, 2).join(' ')), [`${at('quick.yaml')} passed`, `${at('bad.yaml')} invalid`, `${at('missing.yaml')} invalid`]);
  assert.match(rows[1], `${at('bad.yaml')}:5:15: unknown observable 'relais' (did you mean 'relay'?)`);
  assert.match(rows[2], `${at('missing.yaml')}: cannot read the scenario: no such file or folder`);
  assert.match(r.out, /\n3 scenarios: 1 passed, 2 invalid; 1 worker, wall /);
});

test('--junit: the XML read back names the failing step and its expected and observed values', async () => {
  const xml = at('out.xml');
  const r = await osm(at('quick.yaml'), at('fail.yaml'), '--junit', xml, '-q', '--workers', '1');
  assert.is(r.code, 1, r.err);
  const cases = testcases(readFileSync(xml, 'utf8'));
  assert.equal(cases.map((c) => [c.attrs.name, c.attrs.classname]), [
    ['intro text', `${dir.slice(1).replace(/\//g, '.')}.quick`],
    ['a greeting that never comes', `${dir.slice(1).replace(/\//g, '.')}.fail`],
  ]);
  const failure = /<failure\b((?:[^>"]|"[^"]*")*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>)?<\/failure>/.exec(cases[1].body);
  assert.ok(failure, cases[1].body);
  assert.is(attrs(failure![1]).message, 'step 2 "the intro says hello": expected lcd.line0 "HELLO", observed "  DEVELOPED BY  "');
  assert.match(failure![2], 'expected lcd.line0 "HELLO"\nobserved lcd.line0 "  DEVELOPED BY  "\nexpected buzzer "off"\nobserved buzzer "on"\n');
  assert.match(cases[0].body, /<property name="simulated-time" value="1\.000s"\/>/);
  assert.not.ok(/<failure/.test(cases[0].body));
});

test('--junit into a folder, or a missing folder, exits 2 before any run', async () => {
  const a = await osm(dir, '--junit', dir);
  assert.is(a.code, 2);
  assert.is(a.err, `osm run: --junit: '${dir}' is a directory; give a file name (e.g. ${join(dir, 'junit.xml')})\n`);
  const b = await osm(dir, '--junit', join(dir, 'no', 'out.xml'));
  assert.is(b.code, 2);
  assert.match(b.err, /the folder '.*\/no' does not exist/);
  assert.is(a.out + b.out, '', 'nothing ran');
});

test('a matrix over field and fixed lists the scenarios whose verdicts differ', async () => {
  const r = await osm(at('label.yaml'), at('quick.yaml'), '--matrix', '--profiles', 'field,fixed', '--workers', '1');
  assert.is(r.code, 1, r.err);
  assert.match(r.out, new RegExp(`scenario +field +fixed\\n${at('label.yaml')} +pass +FAIL\\n${at('quick.yaml')} +pass +pass\\n`));
  const from = r.out.indexOf('Verdicts differ');
  const list = r.out.slice(from, r.out.indexOf('\n\n', from));
  assert.match(list, /^Verdicts differ between the cells for 1 scenario:\n {2}.*label\.yaml \(modem label as the field firmware prints it\)\n {4}passed on field\n {4}FAILED on fixed: step 1: expected lcd\.line0 \/modemInfo\/ within 25s/);
  assert.not.match(list, /quick\.yaml/);
});

test('a knob on the fixed build is said once and makes no column of its own', async () => {
  const r = await osm(at('quick.yaml'), '--matrix', '--profiles', 'field,fixed', '--fix', 'D14', '--workers', '1');
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /osm run: --fix D14 on the fixed build: no cell of its own/);
  assert.match(r.out, new RegExp(`scenario +field +field fix D14 +fixed\n${at('quick.yaml')} +pass +pass +pass\n`));
});

test('--workers 1 and --workers 2 give the same JSON apart from the wall times; folders expand in sorted order', async () => {
  const one = await osm(dir, '--json', '--workers', '1', '-q');
  const two = await osm(dir, '--json', '--workers', '2', '-q');
  assert.is(one.code, 2);
  assert.is(two.code, 2);
  const strip = (text: string) => JSON.stringify(JSON.parse(text), (k, v) => (k === 'wallMs' ? undefined : v));
  const a = JSON.parse(one.out) as { file: string; status: string }[];
  assert.equal(a.map((x) => `${x.file.slice(dir.length + 1)} ${x.status}`), ['bad.yaml invalid', 'fail.yaml failed', 'label.yaml passed', 'quick.yaml passed']);
  assert.ok(strip(one.out) === strip(two.out), 'the JSON differs between 1 and 2 workers');
});

test('a quoted pattern expands in sorted order', async () => {
  const r = await osm(join(dir, '{quick,fail}.yaml'), '--json', '-q', '--workers', '1');
  assert.equal((JSON.parse(r.out) as { file: string }[]).map((x) => x.file), [at('fail.yaml'), at('quick.yaml')]);
});

test('one scenario file keeps its report, and --junit adds the XML of its one run', async () => {
  // Its own folder: the other tests run the whole of `dir`.
  const file = join(single, 'one.yaml');
  writeFileSync(file, 'name: one\nversion: 1\nmeter: { firmware: field, credit: 500 }\nsteps:\n  - delay: 2s\n  - expect: { relay: open }\n');
  const run = async (...extra: string[]) => {
    const out: string[] = [];
    const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } };
    const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed, credit: cfg.meter.credit }) });
    return { code: await main(['run', file, ...extra], { commands: [cmd], io, env: {} }), out: out.join('') };
  };
  const plain = await run();
  const xml = at('one.xml');
  const withJunit = await run('--junit', xml, '--workers', '2');
  assert.is(plain.code, 1);
  assert.is(withJunit.code, 1);
  assert.is(withJunit.out, plain.out);
  assert.match(plain.out, /^▶ one {2}\(.*one\.yaml, seed 1\)\n/);
  const cases = testcases(readFileSync(xml, 'utf8'));
  assert.is(cases.length, 1);
  assert.match(cases[0].body, /<failure message="step 2: expected relay &quot;open&quot;, observed &quot;closed&quot;" type="expectation failed">/);
});

test('osm run scenarios/library/ --junit out.xml runs the whole library on every core with a summary', async () => {
  const lib = join(root, 'scenarios', 'library');
  const files = libraryFiles(lib);
  const xml = at('library.xml');
  const r = await osm(`${lib}/`, '--junit', xml);
  assert.is(r.code, 0, r.out.slice(-3000));
  for (const f of files) assert.match(r.out, new RegExp(`\\n${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +passed `));
  const workers = Math.min(availableParallelism(), files.length);
  assert.match(r.out, new RegExp(`\\n${files.length} scenarios: ${files.length} passed; ${workers} workers?, wall `));
  const text = readFileSync(xml, 'utf8');
  assert.is(testcases(text).length, files.length);
  assert.match(text, new RegExp(`<testsuites tests="${files.length}" failures="0" errors="0"`));
});

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(single, { recursive: true, force: true });
});

test.run();
