// A prebuilt JavaScript bundle of some of the project's TypeScript, and whether it is still fresh. Used for the
// Node-RED nodes (flows/build.ts: one CommonJS file a stock Node-RED loads) and for the light commands of `osm`
// (cli/build.ts: loaded without the TypeScript loader, whose start-up is most of their CPU time). Both are built at
// `npm install` (the package's `prepare` script) with the esbuild that tsx (a dependency) ships, into gitignored
// folders, and beside each bundle a list of the sources it was built from: a bundle is fresh only while none of them
// is newer than it (or gone), so an edited source tree never runs stale code.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

interface Esbuild {
  build(o: Record<string, unknown>): Promise<{ metafile?: { inputs: Record<string, unknown> } }>;
}

function esbuild(): Esbuild {
  // esbuild is tsx's own dependency; resolve it from there so the package does not need to list it.
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  return fromTsx('esbuild') as Esbuild;
}

export interface BundleSpec {
  /** The project root: the sources list holds paths relative to it. */
  root: string;
  /** The file whose modification time stands for the build (the bundle, or its entry chunk). */
  output: string;
  /** Where the list of sources is written (JSON array of paths relative to `root`). */
  sources: string;
  /** esbuild's options (entryPoints, outfile or outdir, format...); bundle, platform node and a metafile are added. */
  options: Record<string, unknown>;
}

/** Build the bundle and write its list of sources. */
export async function buildBundle(spec: BundleSpec): Promise<string> {
  mkdirSync(dirname(spec.output), { recursive: true });
  mkdirSync(dirname(spec.sources), { recursive: true });
  const r = await esbuild().build({
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    ...spec.options,
    absWorkingDir: spec.root,
    metafile: true,
  });
  writeFileSync(spec.sources, JSON.stringify(Object.keys(r.metafile?.inputs ?? {})));
  return spec.output;
}

/** True when the bundle or its sources list is missing, or a source is newer than the bundle or gone. */
export function bundleStale(spec: Pick<BundleSpec, 'root' | 'output' | 'sources'>): boolean {
  if (!existsSync(spec.output) || !existsSync(spec.sources)) return true;
  const built = statSync(spec.output).mtimeMs;
  let inputs: unknown;
  try { inputs = JSON.parse(readFileSync(spec.sources, 'utf8')); } catch { return true; }
  if (!Array.isArray(inputs) || inputs.length === 0) return true;
  for (const rel of inputs) {
    try { if (statSync(resolve(spec.root, String(rel))).mtimeMs > built) return true; } catch { return true; }
  }
  return false;
}
