// The embedded Node-RED (flows/embed.ts) behind a loopback HTTP server, in a child process of its own (Node-RED
// runs once per process): the examples of flows/ are loaded at start, a flow deployed through the admin HTTP API
// runs the osm-* nodes on the twin, and its verdict is read back through an HTTP endpoint of the flow under /api.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let child: ChildProcess | undefined;
let base = '';
let userDir = '';

test.before(async () => {
  userDir = mkdtempSync(join(tmpdir(), 'osm-embed-'));
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'embed-server.ts'), userDir], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`the embedded server did not start: ${err}`)), 120_000);
    child!.stdout!.on('data', (d) => {
      out += d;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) { clearTimeout(t); resolvePort(Number(m[1])); }
    });
    child!.on('exit', (code) => { clearTimeout(t); reject(new Error(`the embedded server exited (${code}): ${err}`)); });
  });
  base = `http://127.0.0.1:${port}`;
});

test.after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.stdin!.end();
    await exited;
  }
  rmSync(userDir, { recursive: true, force: true });
});

const json = async (path: string, init?: RequestInit): Promise<any> => {
  const r = await fetch(`${base}${path}`, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
};

test('the editor is served under /red and the osm-* nodes are in its palette', async () => {
  const page = await fetch(`${base}/red/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Node-RED<\/title>/);
  const nodes = await json('/red/nodes');
  const types = (nodes.body as { types: string[] }[]).flatMap((s) => s.types);
  for (const t of ['osm-meter', 'osm-grid', 'osm-load', 'osm-keypad', 'osm-observe', 'osm-expect', 'osm-scenario', 'osm-accuracy', 'osm-report']) {
    assert.ok(types.includes(t), `${t} in the palette`);
  }
});

test('the example flows of flows/ are the flows at the first start, and importable from the local library', async () => {
  const flows = await json('/red/flows');
  const tabs = (flows.body as { type: string; label?: string }[]).filter((n) => n.type === 'tab').map((n) => n.label);
  assert.equal(tabs.sort(), ['Fault-injection campaign', 'Regression campaign', 'Workshop demo']);
  const lib = await json('/red/library/local/flows/OpenSmartMeter/');
  assert.equal(lib.status, 200);
  assert.ok(JSON.stringify(lib.body).includes('workshop-demo.json'), JSON.stringify(lib.body));
});

test('installing nodes from the palette is refused', async () => {
  const r = await json('/red/nodes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ module: 'node-red-contrib-anything' }) });
  assert.ok(r.status >= 400, `status ${r.status}`);
});

test('a flow deployed through the admin API runs on the twin and its verdict is read from the flow under /api', async () => {
  const flow = [
    { id: 'tab1', type: 'tab', label: 'deployed by the test' },
    { id: 'meter1', type: 'osm-meter', name: 'test meter', credit: '500', seed: '3' },
    { id: 'inj1', type: 'inject', z: 'tab1', props: [], repeat: '', once: true, onceDelay: 0.1, wires: [['exp1']] },
    { id: 'exp1', type: 'osm-expect', z: 'tab1', name: 'boots and closes the relay', meter: 'meter1', checks: 'relay: closed\nled.green: "on"', timeout: '2min', wires: [['keep1'], ['keep1']] },
    { id: 'keep1', type: 'function', z: 'tab1', func: "global.set('verdict', msg.verdict); return null;", outputs: 0, wires: [] },
    { id: 'get1', type: 'http in', z: 'tab1', url: '/verdict', method: 'get', wires: [['read1']] },
    { id: 'read1', type: 'function', z: 'tab1', func: "msg.payload = global.get('verdict') || null; return msg;", outputs: 1, wires: [['res1']] },
    { id: 'res1', type: 'http response', z: 'tab1', statusCode: '', wires: [] },
  ];
  const deploy = await json('/red/flows', { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify(flow) });
  assert.ok(deploy.status === 200 || deploy.status === 204, `deploy answered ${deploy.status}: ${JSON.stringify(deploy.body)}`);
  let verdict: any = null;
  for (let i = 0; i < 600 && !verdict; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const r = await json('/api/verdict');
    if (r.status === 200 && r.body && typeof r.body === 'object') verdict = r.body;
  }
  assert.ok(verdict, 'a verdict within 60 s');
  assert.equal(verdict.status, 'passed', verdict.message);
  assert.equal(verdict.name, 'boots and closes the relay');
  assert.equal(verdict.suite, 'deployed by the test');
});

test.run();
