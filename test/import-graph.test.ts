// The shape of the code base, read from the import statements of the project's own .ts files (type-only imports and
// re-exports included, since they tie modules together as much as value imports do): no import circles, each folder
// importing only the folders below it in the layering, and test support kept out of the production folders. And what
// `osm run` loads at start: a scenario without a `network:` section must not pay for the comms (twin/comms/, loaded
// by import() when a bench with a network starts) nor for aedes and the MQTT packet code (loaded by import() only
// when a broker starts), and a run on the twin not for the rigs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['models', 'twin', 'io', 'hil-rig', 'scenarios', 'flows', 'dashboard', 'cli', 'bench', 'scripts', 'test'];
/**
 * The layering, lowest first: a production module imports its own folder and the folders before it (models/ is
 * pure and imports nothing of ours but models/; twin/ imports models/; cli/ and bench/ may import everything).
 */
const LAYERS = ['models', 'twin', 'io', 'hil-rig', 'scenarios', 'flows', 'dashboard', 'cli', 'bench'];

function listTs(dir: string, out: string[]): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) listTs(full, out);
    else if (name.endsWith('.ts')) out.push(relative(root, full).split('\\').join('/'));
  }
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Each file's relative imports, as paths from the project root. */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  for (const f of FOLDERS) listTs(join(root, f), files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const src = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const deps = [...src.matchAll(IMPORT)].map((m) => relative(root, resolve(root, dirname(file), m[1] ?? m[2])).split('\\').join('/'));
    graph.set(file, deps);
  }
  return graph;
}

const graph = importGraph();
/** Tests, their support (test/, or a `test/` folder beside the code) and the developer scripts. */
const isTest = (f: string): boolean => f.endsWith('.test.ts') || f.split('/').includes('test') || f.startsWith('scripts/');
const folderOf = (f: string): string => f.split('/')[0];

/** Strongly connected components with more than one module (or a module importing itself): Tarjan's algorithm. */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('the import graph is read: hundreds of modules, and known imports are found', () => {
  assert.ok(graph.size > 100, `${graph.size} modules`);
  assert.ok(graph.get('twin/board/simulated-board.ts')?.includes('twin/board/cpu.ts'), 'a type-only import is seen');
  assert.ok(graph.get('cli/commands/index.ts') !== undefined);
});

test('the cycle finder finds a circle through three modules and none in a tree', () => {
  const circle = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.equal(cycles(circle), [['a', 'b', 'c']]);
  assert.equal(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
});

test('no module of the project takes part in an import circle', () => {
  const found = cycles(graph).map((c) => c.join(' -> '));
  assert.equal(found, [], `import circles:\n${found.join('\n')}`);
});

test('each production module imports only its own folder and the folders below it (models/ only models/)', () => {
  const bad: string[] = [];
  for (const [file, deps] of graph) {
    if (isTest(file)) continue;
    const layer = LAYERS.indexOf(folderOf(file));
    if (layer < 0) continue;
    for (const d of deps) {
      const other = LAYERS.indexOf(folderOf(d));
      if (other < 0 || other > layer) bad.push(`${file} imports ${d}`);
    }
  }
  assert.equal(bad, []);
});

test('no production module imports a test or test support', () => {
  const bad: string[] = [];
  for (const [file, deps] of graph) {
    if (isTest(file)) continue;
    for (const d of deps) if (isTest(d)) bad.push(`${file} imports ${d}`);
  }
  assert.equal(bad, []);
});

test('no production folder holds a test double or test support (they live in test/support/)', () => {
  const named = /(^|[-_.])(fake|mock|stub|double|test-bench|test-support|support)([-_.]|$)/i;
  const bad = [...graph.keys()].filter((f) => {
    if (isTest(f)) return false;
    const base = f.slice(f.lastIndexOf('/') + 1).replace(/\.ts$/, '');
    return named.test(base) || f.includes('/fixtures/');
  });
  assert.equal(bad, []);
});

/**
 * What loading a module loads: its static value imports (`import ... from`, `export ... from`, `import 'x'`), as
 * written. Type-only ones (`import type`, or braces holding only `type` names) are erased by the compiler, and an
 * `import()` loads only when it runs: neither is counted.
 */
function staticValueImports(source: string): string[] {
  const src = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const STATEMENT = /(?:^|[;\n])\s*(?:(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*|import\s*)['"]([^'"]+)['"]/g;
  for (const m of src.matchAll(STATEMENT)) {
    const [, , typeOnly, clause, spec] = m;
    if (typeOnly) continue;
    const braces = clause?.trim().match(/^\{([\s\S]*)\}$/);
    if (braces && braces[1].split(',').map((x) => x.trim()).filter(Boolean).every((x) => x.startsWith('type '))) continue;
    out.push(spec);
  }
  return out;
}

/** The project modules `roots` load at start (their static value imports, followed), and the packages those import. */
function loadedAtStart(roots: string[]): { modules: Set<string>; packages: Map<string, string> } {
  const modules = new Set<string>();
  const packages = new Map<string, string>(); // package -> a module importing it
  const unvisited = [...roots];
  while (unvisited.length) {
    const file = unvisited.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    for (const spec of staticValueImports(readFileSync(join(root, file), 'utf8'))) {
      if (spec.startsWith('.')) {
        const dep = relative(root, resolve(root, dirname(file), spec)).split('\\').join('/');
        if (dep.endsWith('.ts')) unvisited.push(dep);
      } else if (!spec.startsWith('node:')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!packages.has(name)) packages.set(name, file);
      }
    }
  }
  return { modules, packages };
}

/** The packages of the comms stack: the embedded MQTT broker and the packet code under it, and the MQTT client. */
const COMMS_STACK = ['aedes', 'aedes-persistence', 'aedes-packet', 'mqtt-packet', 'mqtt', 'mqemitter'];

test('the static-import reader counts value imports and leaves out type-only and dynamic ones', () => {
  assert.equal(staticValueImports([
    "import { Aedes, type Client } from 'aedes';",
    "import type { Server } from 'node:http';",
    "import { type A, type B } from './types.ts';",
    "export { x } from './x.ts';",
    "import './side-effect.ts';",
    "const { Aedes: A2 } = await import('aedes');",
    "// import { gone } from 'commented-out';",
  ].join('\n')), ['aedes', './x.ts', './side-effect.ts']);
});

/** What `osm run` loads at start: the command, the worker a campaign runs scenarios in, and the twin's bench. */
const RUN_PATH = ['cli/main.ts', 'cli/commands/run.ts', 'scenarios/campaign/worker.ts', 'scenarios/campaign/run-job.ts', 'twin/kernel/bench.ts'];

test('osm run loads no part of the comms stack at start (aedes and the MQTT packet code come by import() when a broker starts)', () => {
  const { modules, packages } = loadedAtStart(RUN_PATH);
  // the scan covers the path that builds and runs benches
  for (const m of ['scenarios/runner.ts', 'twin/kernel/bench.ts', 'twin/twin-meter.ts']) assert.ok(modules.has(m), `${m} is on the run path`);
  const loaded = COMMS_STACK.filter((p) => packages.has(p)).map((p) => `${p} (imported by ${packages.get(p)})`);
  assert.equal(loaded, [], `the run path imports the comms stack statically: ${loaded.join(', ')}`);
});

test('osm run and the bench do not load the comms (twin/comms/comms.ts) at start: a bench loads them by import() when it has a network', () => {
  const { modules } = loadedAtStart(RUN_PATH);
  // the scenario language checks a `fault:` against the list of backend faults, a module of its own
  const comms = [...modules].filter((m) => (m.startsWith('twin/comms/') && m !== 'twin/comms/backend-faults.ts') || m.startsWith('models/modem/sim800'));
  assert.equal(comms, [], 'the run path imports the comms statically');
  assert.ok(graph.get('twin/kernel/bench.ts')?.includes('twin/comms/comms.ts'), 'bench.ts still reaches comms.ts (by type and by import())');
});

test('the comms do import the broker and the backend (so the tests above look at the right modules)', () => {
  const { modules } = loadedAtStart(['twin/comms/comms.ts']);
  for (const m of ['twin/comms/telemetry-broker.ts', 'twin/comms/topup-backend.ts', 'models/modem/sim800.ts']) assert.ok(modules.has(m), `${m} is loaded with comms.ts`);
});

/** The packages of the hardware rigs: the Firmata client and board code, serial ports, the AVR simulator. */
const RIG_STACK = ['johnny-five', 'firmata-io', 'serialport', '@serialport/bindings-cpp', 'avr8js'];

test('osm run loads no rig code at start (it comes by import() with --board or --target)', () => {
  const { modules, packages } = loadedAtStart(RUN_PATH);
  // the options of --board and --target are read on the run path; the rigs themselves are not
  for (const m of ['hil-rig/board-options.ts', 'hil-rig/rig-original/target-options.ts']) assert.ok(modules.has(m), `${m} is on the run path`);
  const rigs = [...modules].filter((m) => m === 'hil-rig/rig-bench.ts' || m === 'hil-rig/rig-original/original-bench.ts');
  assert.equal(rigs, [], 'the run path imports a rig bench statically');
  const loaded = RIG_STACK.filter((p) => packages.has(p)).map((p) => `${p} (imported by ${packages.get(p)})`);
  assert.equal(loaded, [], `the run path imports rig packages statically: ${loaded.join(', ')}`);
});

test('the rig benches do import the rig packages (so the test above looks at the right names)', () => {
  const { packages } = loadedAtStart(['hil-rig/rig-bench.ts', 'hil-rig/rig-original/original-bench.ts']);
  assert.ok(RIG_STACK.some((p) => packages.has(p)), `none of ${RIG_STACK.join(', ')} is imported by the rig benches`);
});

test.run();
