import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpaygoCommand } from './opaygo.ts';
import { scratchDir } from '../../test/support/scratch.ts';

const SAMPLE = fileURLToPath(new URL('../../twin/tokens/vectors/openpaygo-sample-vectors.json', import.meta.url));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const cmd = createOpaygoCommand({ io: { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } } });
  const code = await cmd.run(argv);
  return { code, stdout, stderr };
}

function tempFile(name: string, text: string): string {
  const p = join(scratchDir('osm-opaygo-'), name);
  writeFileSync(p, text);
  return p;
}

test('generate prints the firmware-key token for value 10, count 2 (940641799) with the firmware defaults', async () => {
  const r = await run('generate', '--count', '2', '--value', '10');
  assert.is(r.code, 0);
  assert.is(r.stdout.split('\n')[0], '940641799');
});

test('generate --type disable makes the value-998 token on an odd count and refuses an even one', async () => {
  assert.is((await run('generate', '--count', '7', '--type', 'disable')).stdout.split('\n')[0], '650975787');
  const bad = await run('generate', '--count', '6', '--type', 'disable');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--type disable needs an odd count, got 6/);
});

test('generate --type add refuses an odd count and set refuses an even one', async () => {
  assert.match((await run('generate', '--count', '3', '--value', '5', '--type', 'add')).stderr, /add needs an even count/);
  assert.match((await run('generate', '--count', '4', '--value', '5', '--type', 'set')).stderr, /set needs an odd count/);
});

test('generate --type sync refuses a value other than 999', async () => {
  const r = await run('generate', '--count', '5', '--type', 'sync', '--value', '10');
  assert.is(r.code, 2);
  assert.match(r.stderr, /carries value 999/);
});

test('generate --restricted --json gives the 15-digit form and the 9-digit form', async () => {
  const r = await run('generate', '--count', '5', '--value', '7', '--restricted', '--json');
  assert.is(r.code, 0);
  const j = JSON.parse(r.stdout) as { token: string; token9: string; type: string };
  assert.equal([j.token, j.token9, j.type], ['431134123231121', '942433796', 'set']);
});

test('generate with the docs key and starting code gives the quick-start token 287923874', async () => {
  const r = await run('generate', '--key', '47a01268b629e1b027fe20c99309643f', '--starting-code', '407592873', '--count', '2', '--value', '1');
  assert.is(r.stdout.split('\n')[0], '287923874');
});

test('decode exits 0 for an accepted token and reports the state after as JSON', async () => {
  const r = await run('decode', '857598809', '--max-count', '3', '--used-counts', '0xffff', '--behaviour', 'shipped', '--json');
  assert.is(r.code, 0);
  const j = JSON.parse(r.stdout) as { value: number; count: number; after: { maxCount: number; usedCounts: number } };
  assert.equal([j.value, j.count, j.after.maxCount, j.after.usedCounts], [20, 4, 4, 0x8001]);
});

test('decode exits 1 for a refused token (-2) and says so', async () => {
  const r = await run('decode', '643134790');
  assert.is(r.code, 1);
  assert.match(r.stdout, /REFUSED \(-2\)/);
});

test('decode exits 2 with a clear message for a malformed token or key', async () => {
  const a = await run('decode', '12345');
  assert.is(a.code, 2);
  assert.match(a.stderr, /has 5 digits; a token has 9 digits, or 15 with --restricted/);
  const b = await run('decode', '940641799', '--key', 'zz');
  assert.is(b.code, 2);
  assert.match(b.stderr, /--key: secret key must be 32 hex characters/);
  const c = await run('decode', '940641799', '--behaviour', 'fixed');
  assert.match(c.stderr, /--behaviour: expected spec or shipped/);
});

test('a one-digit token is said to have 1 digit, not 1 digits', async () => {
  const r = await run('decode', '5');
  assert.is(r.code, 2);
  assert.match(r.stderr, /token "5" has 1 digit; a token has 9 digits/);
});

test('a one-character key is said to have 1 character', async () => {
  const r = await run('decode', '940641799', '--key', 'a');
  assert.is(r.code, 2);
  assert.match(r.stderr, /got "a" \(1 character\)/);
});

test('check exits 0 on the sample vectors under spec and under shipped, with one line per scenario', async () => {
  for (const b of ['spec', 'shipped']) {
    const r = await run('check', SAMPLE, '--behaviour', b);
    assert.is(r.code, 0, `${b}: ${r.stdout}${r.stderr}`);
    assert.is(r.stdout.split('\n').filter((l) => l.startsWith('✓')).length, 4);
    assert.match(r.stdout, new RegExp(`32/32 steps match under the ${b} decoder`));
  }
});

test('check exits 1 naming the scenario and the step of a wrong expectation', async () => {
  const data = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Array<{ steps: Array<{ expected: { count: number } }> }>;
  data[3]!.steps[5]!.expected.count = 4;
  const r = await run('check', tempFile('v.json', JSON.stringify(data)), '--behaviour', 'shipped');
  assert.is(r.code, 1);
  assert.match(r.stdout, /✘ openpaygo_python_D1/);
  assert.match(r.stdout, /scenario "openpaygo_python_D1" step 5 \(token 160440009\)/);
});

test('check exits 2 for a missing file, bad JSON and a bad field, naming the problem', async () => {
  const missing = await run('check', '/nonexistent/v.json');
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /\/nonexistent\/v\.json: file not found/);
  const json = await run('check', tempFile('bad.json', '[{"name": '));
  assert.is(json.code, 2);
  assert.match(json.stderr, /not valid JSON/);
  const data = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Array<{ initial_state: { max_count: unknown } }>;
  data[0]!.initial_state.max_count = -1;
  const field = await run('check', tempFile('field.json', JSON.stringify(data)), '--json');
  assert.is(field.code, 2);
  assert.match(field.stderr, /\[0\]\.initial_state\.max_count: must be an integer 0\.\.65535, got -1/);
  assert.is((JSON.parse(field.stdout) as { status: string }).status, 'invalid');
});

test('refuses an unknown subcommand, an option of another subcommand, and a missing --count', async () => {
  assert.match((await run('make')).stderr, /unknown subcommand 'make'/);
  assert.match((await run('check', SAMPLE, '--count', '2')).stderr, /'--count' does not apply to 'opaygo check'/);
  assert.match((await run('generate', '--value', '2')).stderr, /--count is required/);
});

test('--help prints the usage of all three subcommands and exits 0', async () => {
  const r = await run('--help');
  assert.is(r.code, 0);
  for (const s of ['osm opaygo generate', 'osm opaygo decode', 'osm opaygo check']) assert.ok(r.stdout.includes(s), s);
});

test.run();
