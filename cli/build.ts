// Builds the light commands of `osm` (cli/light.ts) into cli/dist/ with io/bundle.ts: run at `npm install` by the
// package's `prepare` script, and by hand after editing them (`node --import tsx cli/build.ts`); until then
// cli/osm.js sees the bundle is stale and runs the sources through tsx.
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../io/bundle.ts';
import { lightBundleSpec } from './light.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildLightCommands(): Promise<string> {
  const spec = lightBundleSpec(root);
  rmSync(dirname(spec.output), { recursive: true, force: true }); // chunks of an earlier build carry other names
  return buildBundle(spec);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildLightCommands();
  process.stdout.write(`cli: built ${out.slice(root.length + 1)}\n`);
}
