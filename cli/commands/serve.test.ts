// `osm serve`: options checked before anything starts, the address printed, Node-RED loaded when present.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createServeCommand, parseServeArgs, SERVE_USAGE } from './serve.ts';
import { checkServerOptions } from '../../dashboard/server.ts';
import { UsageError } from '../command.ts';
import type { OsmServer } from '../../dashboard/server.ts';

function io(): { out: string[]; err: string[]; io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean } } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (t: string) => out.push(t) > 0 }, stderr: { write: (t: string) => err.push(t) > 0 } } };
}

const usage = (fn: () => unknown, re: RegExp): void => assert.throws(fn, (e: unknown) => e instanceof UsageError && re.test((e as Error).message));

test('the defaults are loopback port 8080, real time, one meter, the field profile', () => {
  const a = parseServeArgs([], {});
  assert.equal([a.host, a.port, a.speed, a.meters, a.profile, a.credit, a.fidelity, a.household, a.nodeRed, a.token], ['127.0.0.1', 8080, 1, 1, 'field', 500, 'waveform', true, true, undefined]);
});

test('--backend takes your own top-up backend as http://host:port', () => {
  assert.is(parseServeArgs(['--backend', 'http://127.0.0.1:9000'], {}).backend, 'http://127.0.0.1:9000');
});

test('another name for your own backend points at --backend in one line', () => {
  for (const argv of [['--topup-url=http://x'], ['--backend-host', 'pay.example'], ['--backend-url', 'http://x']]) {
    usage(() => parseServeArgs(argv, {}), /^--[a-z-]+: give a top-up backend of your own with --backend http:\/\/host:port \(the firmware posts to \/subscribe\.php there\)$/);
  }
});

test('--backend refuses a URL the meter cannot reach and options it excludes, saying why', () => {
  usage(() => parseServeArgs(['--backend', 'https://pay.example'], {}), /^--backend: .*only http:\/\//);
  usage(() => parseServeArgs(['--backend', 'http://x:1/api'], {}), /^--backend: .*always posts to \/subscribe\.php/);
  usage(() => parseServeArgs(['--backend', 'http://x:1', '--no-network'], {}), /^--backend and --no-network exclude each other$/);
  usage(() => parseServeArgs(['--backend', 'http://x:1', '--fleet', '3'], {}), /^--backend and --fleet exclude each other: a fleet's planned payments/);
  usage(() => parseServeArgs(['--backend', 'http://x:1', '--backend-port', '8081'], {}), /^--backend and --backend-port exclude each other/);
});

test('a misspelt --backend-port is still a typo with its suggestion', () => {
  usage(() => parseServeArgs(['--backend-prot', '8081'], {}), /^unknown option '--backend-prot' \(did you mean '--backend-port'\?\)$/);
});

test('a non-loopback host without a token is refused; OSM_TOKEN counts as the token', () => {
  usage(() => parseServeArgs(['--host', '0.0.0.0'], {}), /not loopback: give --token/);
  assert.is(parseServeArgs(['--host', '0.0.0.0'], { OSM_TOKEN: 'from-the-env' }).token, 'from-the-env');
  assert.is(parseServeArgs(['--host', '0.0.0.0', '--token', 'on-the-line'], {}).token, 'on-the-line');
});

test('the help states the rule a token must meet, and a token that breaks it is refused', () => {
  assert.match(SERVE_USAGE, /--token T[^\n]*\n?[^\n]*at least 8 printable characters,\s+no spaces/);
  assert.throws(() => checkServerOptions({ host: '127.0.0.1', port: 0, token: 's3cret' }), /at least 8 printable characters/);
  assert.not.throws(() => checkServerOptions({ host: '127.0.0.1', port: 0, token: 's3cret-token' }));
});

test('the help gives the range of --speed that the option accepts', () => {
  assert.match(SERVE_USAGE, /--speed F[^\n]*\n?[^\n]*up to 10000/);
  assert.is(parseServeArgs(['--speed', '10000'], {}).speed, 10000);
  assert.is(parseServeArgs(['--speed', '3600'], {}).speed, 3600);
  usage(() => parseServeArgs(['--speed', '10001'], {}), /<= 10000/);
});

test('bad options are usage errors with a reason', () => {
  usage(() => parseServeArgs(['--speed', 'fast'], {}), /--speed/);
  usage(() => parseServeArgs(['--speed', '0'], {}), /--speed/);
  usage(() => parseServeArgs(['--clock', '2026-13-01T00:00:00'], {}), /--clock/);
  usage(() => parseServeArgs(['--meters', '9'], {}), /--meters/);
  usage(() => parseServeArgs(['--fix', 'D11,D99'], {}), /D99/);
  usage(() => parseServeArgs(['--fidelity', 'spice'], {}), /--fidelity/);
  usage(() => parseServeArgs(['--port', '70000'], {}), /--port/);
  usage(() => parseServeArgs(['extra'], {}), /unexpected argument/);
  assert.equal(parseServeArgs(['--speed', 'max', '--clock', '2026-06-01T18:30:00', '--fix', 'd11,D6', '--no-node-red'], {}),
    { ...parseServeArgs([], {}), speed: 'max', clock: { year: 2026, month: 6, day: 1, hour: 18, minute: 30, second: 0 }, fix: ['D11', 'D6'], nodeRed: false });
});

test('--fleet N takes a credit range, defaults to phasor fidelity, and refuses --meters beside it or a bad range', () => {
  const a = parseServeArgs(['--fleet', '40', '--credit', '20..300'], {});
  assert.is(a.fleet, 40);
  assert.equal(a.fleetCredit, [20, 300]);
  assert.is(a.fidelity, 'phasor');
  assert.equal(parseServeArgs(['--fleet', '2'], {}).fleetCredit, [50, 500]);
  usage(() => parseServeArgs(['--fleet', '0'], {}), /--fleet/);
  usage(() => parseServeArgs(['--fleet', '501'], {}), /--fleet/);
  usage(() => parseServeArgs(['--fleet', '3', '--meters', '2'], {}), /--meters or --fleet/);
  usage(() => parseServeArgs(['--fleet', '3', '--credit', '300..20'], {}), /--credit: expected N or MIN\.\.MAX/);
});

test('osm serve --fleet serves the fleet on one shared backend and broker and prints their addresses', async () => {
  const b = io();
  let grid: { cells: { meter: string }[] } | null = null;
  const cmd = createServeCommand({
    io: b.io, env: {}, embedFile: '/nonexistent/embed.ts',
    until: async (server: OsmServer) => { grid = server.hub.fleetGrid(); },
  });
  const code = await cmd.run(['--fleet', '3', '--port', '0', '--mqtt-port', '0', '--backend-port', '0', '--no-node-red']);
  assert.is(code, 0);
  assert.equal(grid!.cells.map((c) => c.meter), ['meter-1', 'meter-2', 'meter-3']);
  const text = b.out.join('');
  assert.match(text, /Fleet of 3: ThingsBoard broker mqtt:\/\/127\.0\.0\.1:\d+ .*top-up backend http:\/\/127\.0\.0\.1:\d+\/subscribe\.php \(meters MT101\.\.MT103\)/);
  assert.match(text, /3 meters in a fleet \(the page opens on the grid\)/);
});

test('it prints the address and serves the page until stopped', async () => {
  const b = io();
  let status = 0;
  const cmd = createServeCommand({
    io: b.io, env: {}, embedFile: '/nonexistent/embed.ts',
    until: async (server: OsmServer) => {
      const res = await fetch(server.url());
      status = res.status;
    },
  });
  const code = await cmd.run(['--port', '0', '--mqtt-port', '0', '--backend-port', '0', '--fidelity', 'phasor', '--speed', '10']);
  assert.is(code, 0);
  assert.is(status, 200);
  const text = b.out.join('');
  assert.match(text, /OpenSmartMeter Twin dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  assert.match(text, /Node-RED: not part of this installation/);
});

test('an embedding module is loaded, mounted at /red and /api, and stopped with the server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-embed-'));
  const file = join(dir, 'embed.mjs');
  writeFileSync(file, `export async function embedNodeRed(server, opts) {
    globalThis.__osmEmbed = { userDir: opts.userDir, flowsDir: opts.flowsDir, stopped: false, isServer: typeof server.listen === 'function' };
    return {
      adminHandler: (req, res) => res.end('admin ' + req.url),
      nodeHandler: (req, res) => res.end('node ' + req.url),
      stop: () => { globalThis.__osmEmbed.stopped = true; },
    };
  }\n`);
  const b = io();
  const bodies: string[] = [];
  try {
    const cmd = createServeCommand({
      io: b.io, env: {}, embedFile: file,
      until: async (server: OsmServer) => {
        for (const p of ['red/settings', 'api/hello']) bodies.push(await (await fetch(server.url() + p)).text());
      },
    });
    assert.is(await cmd.run(['--port', '0', '--mqtt-port', '0', '--backend-port', '0', '--fidelity', 'phasor']), 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.equal(bodies, ['admin /settings', 'node /hello']);
  const e = (globalThis as unknown as { __osmEmbed: { userDir: string; flowsDir: string; stopped: boolean; isServer: boolean } }).__osmEmbed;
  assert.ok(e.isServer);
  assert.ok(e.stopped);
  assert.match(e.userDir, /\.osm[/\\]node-red$/);
  assert.match(e.flowsDir, /flows$/);
  assert.match(b.out.join(''), /Node-RED editor: http:\/\/127\.0\.0\.1:\d+\/red\//);
});

test('an embedding module that fails leaves a clear line and the dashboard runs without it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-embed-'));
  const file = join(dir, 'embed.mjs');
  writeFileSync(file, `export default async function () { throw new Error('node-red is not installed'); }\n`);
  const b = io();
  try {
    const cmd = createServeCommand({ io: b.io, env: {}, embedFile: file, until: async () => {} });
    assert.is(await cmd.run(['--port', '0', '--mqtt-port', '0', '--backend-port', '0', '--fidelity', 'phasor']), 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.match(b.out.join(''), /Node-RED: unavailable \(node-red is not installed\); the dashboard runs without it/);
});

test('a taken --port stops osm serve before Node-RED starts (its deployed flows do not run)', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const port = (taken.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'osm-embed-'));
  const file = join(dir, 'embed.mjs');
  writeFileSync(file, `export async function embedNodeRed() {
    globalThis.__osmEmbedStarted = true;
    return { adminHandler: (q, s) => s.end(), nodeHandler: (q, s) => s.end(), stop: () => {} };
  }\n`);
  const b = io();
  let err: unknown;
  try {
    const cmd = createServeCommand({ io: b.io, env: {}, embedFile: file, until: async () => {} });
    await cmd.run(['--port', String(port), '--mqtt-port', '0', '--backend-port', '0', '--fidelity', 'phasor']);
  } catch (e) { err = e; } finally {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((r) => taken.close(r));
  }
  assert.ok(err instanceof UsageError, `a usage error, got ${String(err)}`);
  assert.match((err as Error).message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use: stop the other server or choose --port`));
  assert.is((globalThis as unknown as { __osmEmbedStarted?: boolean }).__osmEmbedStarted, undefined);
});

test.run();
