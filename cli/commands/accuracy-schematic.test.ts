import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { createAccuracyCommand } from './accuracy.ts';

const ORIGINAL = new URL('../../../shared/reference/seed-hardware/opensmartmeter.kicad_sch', import.meta.url).pathname;
const original = existsSync(ORIGINAL) ? test : test.skip;

async function points(...argv: string[]): Promise<{ code: number; points: unknown; stderr: string }> {
  let stdout = '', stderr = '';
  const io = { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } };
  const code = await createAccuracyCommand({ io, wallMs: () => 0 }).run(['--points', 'seed', '--json', ...argv]);
  return { code, points: code === 2 ? null : (JSON.parse(stdout) as { points: unknown }).points, stderr };
}

test('accuracy --set R12=150k gives the table of --set frontend.divider.rTopOhms=650k', async () => {
  const a = await points('--set', 'R12=150k'), b = await points('--set', 'frontend.divider.rTopOhms=650k');
  assert.equal(a.points, b.points);
});

original('accuracy --schematic on the original board gives today\'s table', async () => {
  const a = await points('--schematic', ORIGINAL), b = await points();
  assert.equal(a.points, b.points);
});

test('accuracy --set with an unknown reference is a usage error naming it (the dispatcher exits 2)', async () => {
  try {
    await points('--set', 'R99=1k');
    assert.unreachable('no error');
  } catch (err) {
    assert.is((err as Error).name, 'UsageError');
    assert.match((err as Error).message, /R99: no such part/);
  }
});

test.run();
