// The server's security and its contract with mounted apps: loopback by default, a token off loopback, the token on
// every HTTP request and websocket upgrade, the Origin check, loopback Host names only, and handlers mounted under a
// prefix (as Node-RED's editor is) behind the same checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import WebSocket from 'ws';
import { OsmServer, checkServerOptions, ServerOptionError } from './server.ts';

const HUB = { library: [], autoRun: false, meter: { fidelity: 'phasor' as const, household: false } };

async function started(token?: string): Promise<OsmServer> {
  const s = new OsmServer({ host: '127.0.0.1', port: 0, ...(token ? { token } : {}) }, HUB);
  await s.hub.addMeters(1);
  return s;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsResult(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => { ws.close(); resolve('open'); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); });
    ws.on('error', () => {});
  });
}

test('a host other than loopback is refused without a token', () => {
  assert.throws(() => checkServerOptions({ host: '0.0.0.0', port: 8080 }), (e: unknown) => e instanceof ServerOptionError && /--token/.test((e as Error).message));
  assert.throws(() => checkServerOptions({ host: '192.168.1.10', port: 8080 }), (e: unknown) => e instanceof ServerOptionError);
  checkServerOptions({ host: '0.0.0.0', port: 8080, token: 'a-long-secret' });
  checkServerOptions({ host: '127.0.0.1', port: 8080 });
  checkServerOptions({ host: '::1', port: 0 });
});

test('a token shorter than 8 characters or with spaces is refused', () => {
  assert.throws(() => checkServerOptions({ host: '127.0.0.1', port: 1, token: 'short' }), (e: unknown) => e instanceof ServerOptionError);
  assert.throws(() => checkServerOptions({ host: '127.0.0.1', port: 1, token: 'has a space' }), (e: unknown) => e instanceof ServerOptionError);
});

test('the page, its script and the plotly bundle are served from the server itself', async () => {
  const s = await started();
  await s.listen();
  try {
    const port = s.address().port;
    const page = await get(port, '/');
    assert.is(page.status, 200);
    assert.match(page.body, /<script src="vendor\/plotly\.min\.js">/);
    assert.not.match(page.body, /https?:\/\//);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.is((await get(port, '/app.js')).status, 200);
    const plotly = await get(port, '/vendor/plotly.min.js');
    assert.is(plotly.status, 200);
    assert.ok(plotly.body.length > 1e6);
    assert.is((await get(port, '/../package.json')).status, 404);
    assert.is((await get(port, '/app.js/../../server.ts')).status, 404);
  } finally { await s.close(); }
});

test('the page names its icon, and the server serves it as SVG', async () => {
  const s = await started();
  await s.listen();
  try {
    const port = s.address().port;
    assert.match((await get(port, '/')).body, /<link rel="icon" href="favicon\.svg" type="image\/svg\+xml">/);
    const icon = await get(port, '/favicon.svg');
    assert.is(icon.status, 200);
    assert.is(icon.headers['content-type'], 'image/svg+xml');
    assert.match(icon.body, /^<svg /);
  } finally { await s.close(); }
});

test('with a token, HTTP requests and websocket upgrades without it are refused, with it they pass', async () => {
  const token = 'workshop-2026';
  const s = await started(token);
  await s.listen();
  try {
    const port = s.address().port;
    assert.is((await get(port, '/')).status, 401);
    assert.is((await get(port, '/?token=wrong-token')).status, 401);
    assert.is((await get(port, '/app.js', { Authorization: 'Bearer nope-nope' })).status, 401);
    const ok = await get(port, `/?token=${token}`);
    assert.is(ok.status, 200);
    assert.match(String(ok.headers['set-cookie']), /osm_token=workshop-2026; HttpOnly; SameSite=Strict/);
    assert.is((await get(port, '/app.js', { Cookie: `osm_token=${token}` })).status, 200);
    assert.is((await get(port, '/app.js', { Authorization: `Bearer ${token}` })).status, 200);
    assert.is(await wsResult(`ws://127.0.0.1:${port}/ws`), 401);
    assert.is(await wsResult(`ws://127.0.0.1:${port}/ws?token=bad-token-x`), 401);
    assert.is(await wsResult(`ws://127.0.0.1:${port}/ws`, { Cookie: `osm_token=${token}` }), 'open');
    assert.is(await wsResult(`ws://127.0.0.1:${port}/ws?token=${token}`), 'open');
  } finally { await s.close(); }
});

test('a websocket from another origin is refused; the page own origin and non-browser clients pass', async () => {
  const s = await started();
  await s.listen();
  try {
    const port = s.address().port;
    const url = `ws://127.0.0.1:${port}/ws`;
    assert.is(await wsResult(url, { Origin: 'http://evil.example' }), 403);
    assert.is(await wsResult(url, { Origin: `http://127.0.0.1:${port + 1}` }), 403);
    assert.is(await wsResult(url, { Origin: 'null' }), 403);
    assert.is(await wsResult(url, { Origin: `http://127.0.0.1:${port}` }), 'open');
    assert.is(await wsResult(url), 'open');
    assert.is(await wsResult(`ws://127.0.0.1:${port}/elsewhere`), 404);
  } finally { await s.close(); }
});

test('on loopback, a request naming another host (DNS rebinding) is refused', async () => {
  const s = await started();
  await s.listen();
  try {
    const port = s.address().port;
    assert.is((await get(port, '/', { Host: `attacker.example:${port}` })).status, 421);
    assert.is((await get(port, '/', { Host: `localhost:${port}` })).status, 200);
    assert.is(await wsResult(`ws://127.0.0.1:${port}/ws`, { Host: 'attacker.example' }), 421);
  } finally { await s.close(); }
});

test('a mounted handler sees the path below its prefix, behind the same token check, and onClose runs at close', async () => {
  const token = 'mount-secret';
  const s = await started(token);
  const seen: string[] = [];
  let closed = 0;
  s.mount('/red', (req, res, next) => {
    seen.push(`${req.url} ${(req as unknown as { originalUrl: string }).originalUrl}`);
    if (req.url === '/missing') { next(); return; }
    res.end('editor');
  });
  s.onClose(() => { closed++; });
  await s.listen();
  assert.throws(() => s.mount('/api', (_q, r) => r.end()), /before the server listens/);
  const port = s.address().port;
  assert.is((await get(port, '/red/flows')).status, 401);
  const r = await get(port, '/red/flows?x=1', { Authorization: `Bearer ${token}` });
  assert.is(r.body, 'editor');
  assert.is((await get(port, '/red/missing', { Authorization: `Bearer ${token}` })).status, 404);
  assert.is((await get(port, '/redder', { Authorization: `Bearer ${token}` })).status, 404);
  assert.equal(seen, ['/flows?x=1 /red/flows?x=1', '/missing /red/missing']);
  await s.close();
  assert.is(closed, 1);
});

test.run();
