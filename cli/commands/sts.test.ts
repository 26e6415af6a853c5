import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createStsCommand } from './sts.ts';
import { decodeSts } from '../../twin/tokens/sts.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const cmd = createStsCommand({ io: { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } } });
  const code = await cmd.run(argv);
  return { code, stdout, stderr };
}

test('generate prints a 20-character token the default meter accepts for the amount asked', async () => {
  const r = await run('generate', '--amount', '500');
  assert.is(r.code, 0);
  const token = r.stdout.split('\n')[0]!;
  assert.match(token, /^[0-9]{14}A[0-9]{5}$/);
  assert.equal([decodeSts(token).accepted, decodeSts(token).credit], [true, 500]);
  assert.match(r.stdout, /accepts, \+500/);
});

test('generate is deterministic with --seed: the same seed gives the same token', async () => {
  const a = await run('generate', '--amount', '4321', '--seed', '99');
  const b = await run('generate', '--amount', '4321', '--seed', '99');
  assert.is(a.stdout, b.stdout);
  assert.match(a.stdout.split('\n')[0]!, /^[0-9]{14}C10001$/);
});

test('generate honours --identifier, --encoder and --tariff, and reports JSON', async () => {
  const r = await run('generate', '--amount', '2539', '--identifier', 'C', '--encoder', '3', '--tariff', '50', '--json');
  assert.is(r.code, 0);
  const j = JSON.parse(r.stdout) as { token: string; defaultMeter: { accepted: boolean; credit: number } };
  assert.equal([j.token.slice(8, 13), j.token.slice(14), j.defaultMeter.accepted, j.defaultMeter.credit], ['32500', 'C10050', true, 2539]);
});

test('generate refuses A with encoder 3 (D9) with exit 2 and a clear message', async () => {
  const r = await run('generate', '--amount', '500', '--identifier', 'A', '--encoder', '3');
  assert.is(r.code, 2);
  assert.match(r.stderr, /can never be accepted/);
});

test('generate with --encoder 3 and an amount that defaults to identifier A names the identifiers that take encoder 3', async () => {
  const r = await run('generate', '--amount', '500', '--encoder', '3');
  assert.is(r.code, 2);
  assert.is(r.stderr, "osm sts: identifier A with encoder 3 can never be accepted: the firmware computes 39/15 = 2.6, not 3 (defect D9); use --encoder 1 or 2, or --identifier C or B; see 'osm help sts'\n");
});

test('generate refuses a missing or bad --amount and a bad --identifier', async () => {
  assert.match((await run('generate')).stderr, /--amount is required/);
  assert.match((await run('generate', '--amount', 'ten')).stderr, /--amount: expected a whole number/);
  assert.match((await run('generate', '--amount', '500', '--identifier', 'D')).stderr, /expected A, B or C/);
});

test('generate: an amount the chosen identifier and encoder cannot carry names the encoder and identifiers that can, never the one given', async () => {
  const b = await run('generate', '--amount', '65', '--identifier', 'B', '--encoder', '1');
  assert.is(b.code, 2);
  assert.is(b.stderr, "osm sts: --amount 65: identifier B with encoder 1 carries 99..100098; use --encoder 3, or --identifier A or C; see 'osm help sts'\n");
  const a = await run('generate', '--amount', '40', '--encoder', '2');
  assert.is(a.code, 2);
  assert.is(a.stderr, "osm sts: --amount 40: identifier A with encoder 2 carries 50..1049; use --encoder 1, or --identifier C; see 'osm help sts'\n");
  const e = await run('generate', '--amount', '20', '--encoder', '3');
  assert.is(e.stderr, "osm sts: identifier A with encoder 3 can never be accepted: the firmware computes 39/15 = 2.6, not 3 (defect D9); use --identifier C with another encoder; see 'osm help sts'\n");
  const c = await run('generate', '--amount', '5000', '--identifier', 'A');
  assert.is(c.stderr, "osm sts: --amount 5000: identifier A carries 25..1049; use --identifier C or B; see 'osm help sts'\n");
});

test('decode exits 0 and shows the credit for worked example 3 (+12415)', async () => {
  const r = await run('decode', '43643928212345B10100');
  assert.is(r.code, 0);
  assert.match(r.stdout, /TOKEN ACCEPTED, credit \+12415/);
});

test('decode exits 1 for a rejected token and gives the reason, also as JSON', async () => {
  const r = await run('decode', '10913015110000A10101', '--json');
  assert.is(r.code, 1);
  const j = JSON.parse(r.stdout) as { accepted: boolean; reason: string };
  assert.not.ok(j.accepted);
  assert.match(j.reason, /not meter 100/);
});

test('decode --tariff moves the meter window (10070 refused at tariff 71)', async () => {
  assert.is((await run('decode', '32733514147542A10070', '--tariff', '70')).code, 0);
  assert.is((await run('decode', '32733514147542A10070', '--tariff', '71')).code, 1);
});

test('decode exits 2 for a malformed token', async () => {
  const r = await run('decode', '1091301511');
  assert.is(r.code, 2);
  assert.match(r.stderr, /must have 20 characters, got 10/);
});

test('--help prints both subcommands and exits 0', async () => {
  const r = await run('--help');
  assert.is(r.code, 0);
  assert.ok(r.stdout.includes('osm sts generate') && r.stdout.includes('osm sts decode'));
});

test.run();
