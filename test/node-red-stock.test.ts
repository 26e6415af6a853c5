// The package in a stock Node-RED 4.1, without the project's TypeScript tool chain: the project is packed as npm
// would publish it (`npm pack`, which runs the `prepare` build of flows/dist), installed into a fresh, separate user
// directory with npm, offline, and that directory's own Node-RED (red.js, as installed from the registry) is started
// as a process of its own on a loopback port. A flow using the osm-* nodes is deployed through its admin API and its
// verdict read back over HTTP.
//
// Offline install: npm cannot resolve version ranges without the registry's package documents, which its cache does
// not keep; so the user directory gets a lockfile made from the project's own (the production packages, as resolved
// for the project) and `npm ci --offline` installs them and the packed tarball from npm's cache, by integrity.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work = '';
let red: ChildProcess | undefined;
let base = '';
let redLog = '';

function npm(args: string[], cwd: string): string {
  const r = spawnSync(NPM, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** package.json and package-lock.json of a user directory that depends on the tarball only. */
function userDirManifests(tarball: string): { pkg: unknown; lock: unknown } {
  const project = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string; dependencies: Record<string, string>; engines: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'node-red-user', version: '1.0.0', dependencies: { [project.name]: spec } },
    [`node_modules/${project.name}`]: {
      version: project.version, resolved: spec, integrity, license: project.license, dependencies: project.dependencies, engines: project.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || path === `node_modules/${project.name}` || entry.dev === true || entry.link === true) continue;
    packages[path] = entry;
  }
  return {
    pkg: { name: 'node-red-user', version: '1.0.0', private: true, dependencies: { [project.name]: spec } },
    lock: { name: 'node-red-user', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
  };
}

test.before(async () => {
  work = mkdtempSync(join(tmpdir(), 'osm-stock-red-'));
  const packDir = join(work, 'pack');
  const userDir = join(work, 'user');
  mkdirSync(packDir);
  mkdirSync(userDir);
  npm(['pack', '--pack-destination', packDir, '--loglevel=error'], ROOT);
  const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
  const { pkg, lock } = userDirManifests(tarball);
  writeFileSync(join(userDir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(userDir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  npm(['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], userDir);
  const port = await freePort();
  writeFileSync(join(userDir, 'settings.js'), `module.exports = {
    uiHost: '127.0.0.1',
    uiPort: ${port},
    flowFile: 'flows.json',
    credentialSecret: false,
    telemetry: { enabled: false, updateNotification: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    logging: { console: { level: 'info' } },
};\n`);
  const redJs = join(userDir, 'node_modules', 'node-red', 'red.js');
  if (!existsSync(redJs)) throw new Error('node-red was not installed with the package');
  red = spawn(process.execPath, [redJs, '--userDir', userDir, '--port', String(port)], { cwd: userDir, stdio: ['ignore', 'pipe', 'pipe'] });
  red.stdout!.on('data', (d) => { redLog += d; });
  red.stderr!.on('data', (d) => { redLog += d; });
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (/Started flows/.test(redLog)) return;
    if (red.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the stock Node-RED did not start:\n${redLog}`);
});

test.after(async () => {
  if (red && red.exitCode === null) {
    const exited = new Promise((r) => red!.once('exit', r));
    red.kill('SIGTERM');
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the installed package puts its nodes in the stock Node-RED palette, loaded from the user directory', async () => {
  const r = await fetch(`${base}/nodes`, { headers: { accept: 'application/json' } });
  const sets = (await r.json()) as { module: string; types: string[] }[];
  const ours = sets.filter((s) => s.module === 'opensmartmeter-twin').flatMap((s) => s.types);
  for (const t of ['osm-meter', 'osm-grid', 'osm-load', 'osm-keypad', 'osm-control', 'osm-wait', 'osm-observe', 'osm-expect', 'osm-scenario', 'osm-accuracy', 'osm-report', 'osm-network']) {
    assert.ok(ours.includes(t), `${t} in the palette (got ${ours.join(', ')})`);
  }
  assert.not.match(redLog, /already registered|Error loading|\[osm-[a-z]+\] Error/);
});

test('a flow of osm nodes deployed through the admin API reaches its verdict in the stock Node-RED', async () => {
  const flow = [
    { id: 'tab1', type: 'tab', label: 'stock install' },
    { id: 'meter1', type: 'osm-meter', name: 'meter', credit: '500' },
    { id: 'inj1', type: 'inject', z: 'tab1', props: [], repeat: '', once: true, onceDelay: 0.1, wires: [['boot1']] },
    { id: 'boot1', type: 'osm-wait', z: 'tab1', meter: 'meter1', duration: '30s', wires: [['key1']] },
    { id: 'key1', type: 'osm-keypad', z: 'tab1', meter: 'meter1', source: 'sts', amount: '100', wires: [['exp1']] },
    { id: 'exp1', type: 'osm-expect', z: 'tab1', name: 'token accepted', meter: 'meter1', checks: 'credit: 600\nlcd.line0: "TOKEN ACCEPTED"', timeout: '40s', wires: [['keep1'], ['keep1']] },
    { id: 'keep1', type: 'function', z: 'tab1', func: "global.set('verdict', msg.verdict); return null;", outputs: 0, wires: [] },
    { id: 'get1', type: 'http in', z: 'tab1', url: '/verdict', method: 'get', wires: [['read1']] },
    { id: 'read1', type: 'function', z: 'tab1', func: "msg.payload = global.get('verdict') || null; return msg;", outputs: 1, wires: [['res1']] },
    { id: 'res1', type: 'http response', z: 'tab1', statusCode: '', wires: [] },
  ];
  const deploy = await fetch(`${base}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
  assert.ok(deploy.status === 200 || deploy.status === 204, `deploy answered ${deploy.status}`);
  let verdict: any = null;
  for (let i = 0; i < 900 && !verdict; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await fetch(`${base}/verdict`, { headers: { accept: 'application/json' } });
    if (r.status === 200) { const body = await r.json(); if (body && typeof body === 'object') verdict = body; }
  }
  assert.ok(verdict, `a verdict within 90 s; Node-RED said:\n${redLog}`);
  assert.equal(verdict.status, 'passed', verdict.message);
  assert.equal(verdict.name, 'token accepted');
});

async function deployAndRead(flow: Record<string, unknown>[], path: string): Promise<any> {
  const deploy = await fetch(`${base}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
  assert.ok(deploy.status === 200 || deploy.status === 204, `deploy answered ${deploy.status}`);
  let verdict: any = null;
  for (let i = 0; i < 900 && !verdict; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
    if (r.status === 200) { const body = await r.json(); if (body && typeof body === 'object') verdict = body; }
  }
  assert.ok(verdict, `a verdict within 90 s; Node-RED said:\n${redLog}`);
  return verdict;
}

/** Keep the verdict in a global of the tab's own and serve it at GET /verdict-<tab>. */
const verdictServer = (tab: string): Record<string, unknown>[] => [
  { id: `keep${tab}`, type: 'function', z: tab, func: `global.set('verdict-${tab}', msg.verdict); return null;`, outputs: 0, wires: [] },
  { id: `get${tab}`, type: 'http in', z: tab, url: `/verdict-${tab}`, method: 'get', wires: [[`read${tab}`]] },
  { id: `read${tab}`, type: 'function', z: tab, func: `msg.payload = global.get('verdict-${tab}') || null; return msg;`, outputs: 1, wires: [[`res${tab}`]] },
  { id: `res${tab}`, type: 'http response', z: tab, statusCode: '', wires: [] },
];

test('a flow on the emulated board (the hil-rig code and a wiring map, from the compiled bundle) reaches its verdict in the stock Node-RED', async () => {
  const verdict = await deployAndRead([
    { id: 'tab2', type: 'tab', label: 'stock install, emulated board' },
    { id: 'meter2', type: 'osm-meter', name: 'rig', credit: '500', target: 'emulated', wiring: 'mega2560', parts: 'relay, leds, lcd' },
    { id: 'inj2', type: 'inject', z: 'tab2', props: [], repeat: '', once: true, onceDelay: 0.1, wires: [['exp2']] },
    { id: 'exp2', type: 'osm-expect', z: 'tab2', name: 'relay closed on the board', meter: 'meter2', checks: 'relay: closed\nled.green: "on"', timeout: '1min', wires: [['keeptab2'], ['keeptab2']] },
    ...verdictServer('tab2'),
  ], '/verdict-tab2');
  assert.equal(verdict.status, 'passed', verdict.message);
  assert.equal(verdict.name, 'relay closed on the board');
});

test.run();
