// io/bundle.ts: a bundle is built with tsx's esbuild and counts as fresh only while its sources are as they were.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildBundle, bundleStale, type BundleSpec } from './bundle.ts';

function project(): { dir: string; spec: BundleSpec } {
  const dir = mkdtempSync(join(tmpdir(), 'osm-bundle-'));
  writeFileSync(join(dir, 'a.ts'), "import { b } from './b.ts';\nexport const a: number = b + 1;\n");
  writeFileSync(join(dir, 'b.ts'), 'export const b: number = 41;\n');
  const out = join(dir, 'dist', 'a.mjs');
  return { dir, spec: { root: dir, output: out, sources: join(dir, 'dist', 'sources.json'), options: { entryPoints: [join(dir, 'a.ts')], outfile: out, format: 'esm' } } };
}

test('a built bundle runs the TypeScript it was built from and is fresh', async () => {
  const { dir, spec } = project();
  try {
    assert.ok(bundleStale(spec), 'stale before it is built');
    await buildBundle(spec);
    const mod = await import(pathToFileURL(spec.output).href) as { a: number };
    assert.is(mod.a, 42);
    assert.not.ok(bundleStale(spec));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a bundle is stale once one of its sources (an imported one too) is newer than it', async () => {
  const { dir, spec } = project();
  try {
    await buildBundle(spec);
    const built = statSync(spec.output).mtime;
    utimesSync(join(dir, 'b.ts'), built, new Date(built.getTime() + 2000));
    assert.ok(bundleStale(spec));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a bundle is stale when a source is gone or its sources list is missing or unreadable', async () => {
  const { dir, spec } = project();
  try {
    await buildBundle(spec);
    unlinkSync(join(dir, 'b.ts'));
    assert.ok(bundleStale(spec), 'a source gone');
    writeFileSync(join(dir, 'b.ts'), 'export const b: number = 41;\n');
    await buildBundle(spec);
    writeFileSync(spec.sources, '{not json');
    assert.ok(bundleStale(spec), 'a sources list that is not JSON');
    unlinkSync(spec.sources);
    assert.ok(bundleStale(spec), 'no sources list');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
