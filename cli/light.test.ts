// The light commands (cli/light.ts) run from their prebuilt bundle only while it is fresh, and say exactly what the
// sources say.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLightCommands } from './build.ts';
import { LIGHT_COMMANDS, lightBundleSpec, servesFresh } from './light.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSM = join(root, 'cli', 'osm.js');

function osm(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [OSM, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the bundle is fresh once built, for the light commands only', async () => {
  await buildLightCommands();
  assert.equal([...LIGHT_COMMANDS].sort(), ['eeprom', 'opaygo', 'sts']);
  assert.ok(servesFresh(['sts', 'generate', '--amount', '500'], root));
  assert.not.ok(servesFresh(['run', 'x.yaml'], root), 'a heavy command never runs from the bundle');
  assert.not.ok(servesFresh([], root));
});

test('a bundle older than its sources is not used', () => {
  const out = lightBundleSpec(root).output;
  const { atime, mtime } = statSync(out);
  try {
    utimesSync(out, atime, new Date('2000-01-01T00:00:00Z'));
    assert.not.ok(servesFresh(['sts', 'decode', '1'], root));
  } finally {
    utimesSync(out, atime, mtime);
  }
  assert.ok(servesFresh(['sts', 'decode', '1'], root));
});

for (const args of [
  ['sts', 'generate', '--amount', '500', '--seed', '7'],
  ['sts', 'decode', '43643501245072A10001'],
  ['sts', 'decode', '123'],
  ['opaygo', '--help'],
  ['eeprom', 'show', '/nonexistent/dump.bin'],
  ['sts', 'generat'],
]) {
  test(`osm ${args.join(' ')} prints the same from the bundle as from the sources, with the same exit code`, () => {
    const bundled = osm(args);
    const sources = osm(args, { OSM_NO_BUNDLE: '1' });
    assert.is(bundled.status, sources.status);
    assert.is(bundled.stdout, sources.stdout);
    assert.is(bundled.stderr, sources.stderr);
  });
}

test.run();
