// The dashboard's websocket under random and malformed input: 1200 seeded messages that are not valid control
// messages (garbage text, JSON of every other shape, unknown types, valid types with broken, missing or extra
// fields, prototype keys, deep nesting, binary frames). The server answers each one with an `error`, in order, and
// keeps running: afterwards the same connection and a new one still work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { OsmServer } from '../dashboard/server.ts';
import { validateControl, MAX_CLIENT_MESSAGE_BYTES } from '../dashboard/protocol.ts';
import { Rng } from '../twin/kernel/rng.ts';

const COUNT = 1200;

const VALID: Record<string, unknown>[] = [
  { type: 'keys', keys: '*123#' },
  { type: 'load', load: 'kettle', on: true },
  { type: 'grid', event: 'sag' },
  { type: 'tamper', open: true },
  { type: 'power', on: false },
  { type: 'speed', speed: 60 },
  { type: 'pause', paused: true },
  { type: 'scenario', action: 'run', name: 'tamper' },
  { type: 'firmware', profile: 'field', fix: ['D11'] },
  { type: 'select', meter: 'meter-1' },
  { type: 'network', coverage: false, csq: 12 },
  { type: 'network', fault: 'slow', faultCount: 2 },
  { type: 'topup', amount: 250 },
  { type: 'view', view: 'fleet' },
];

const WEIRD: unknown[] = [
  null, true, false, 0, -1, 1e308, -0, '', 'x', [], [1, 2], {}, { a: 1 }, '\u0000', '\ud7ff', 'keys', { type: null },
  { type: 1 }, { type: ['keys'] }, { type: {} }, NaN, Number.MAX_SAFE_INTEGER + 2, 'A'.repeat(300), [[[]]], { '': '' },
];

function randomText(rng: Rng): string {
  const n = rng.int(0, 200);
  let s = '';
  for (let k = 0; k < n; k++) {
    const r = rng.next();
    s += r < 0.6 ? String.fromCharCode(rng.int(32, 126)) : r < 0.9 ? '{}[]":,\\ntrue0'[rng.int(0, 13)] : String.fromCodePoint(rng.int(0xa0, 0x2fff));
  }
  return s;
}

function pick<T>(rng: Rng, xs: readonly T[]): T { return xs[rng.int(0, xs.length - 1)]; }

/** One message that is not a valid control message (text), or a Buffer to send as a binary frame. */
function malformed(rng: Rng): string | Buffer {
  // a random replacement can happen to be valid (on: false -> true): draw again
  for (;;) {
    const m = candidate(rng);
    if (typeof m !== 'string') return m;
    let parsed: unknown;
    try { parsed = JSON.parse(m); } catch { return m; }
    if (!validateControl(parsed).ok) return m;
  }
}

function candidate(rng: Rng): string | Buffer {
  switch (rng.int(0, 9)) {
    case 0: return randomText(rng);
    case 1: return JSON.stringify(pick(rng, WEIRD)) ?? 'undefined';
    case 2: return JSON.stringify({ type: randomText(rng).slice(0, 30) + '?', id: rng.int(0, 1e6) });
    case 3: { // a valid message with one field of a wrong value
      const m = { ...pick(rng, VALID) };
      const keys = Object.keys(m).filter((k) => k !== 'type');
      m[pick(rng, keys)] = pick(rng, WEIRD);
      return JSON.stringify(m);
    }
    case 4: { // a valid message with an extra field
      const m = { ...pick(rng, VALID), [pick(rng, ['extra', 'constructor', 'toString', 'x-y', 'Type'])]: rng.int(0, 9) };
      return JSON.stringify(m);
    }
    case 5: { // a valid message missing a required field
      const m = { ...pick(rng, VALID) };
      const keys = Object.keys(m).filter((k) => k !== 'type' && !(m.type === 'firmware' && k === 'fix'));
      delete m[pick(rng, keys)];
      return JSON.stringify(m);
    }
    case 6: return `{"type":"keys","keys":"1","__proto__":{"polluted":true},"id":${rng.int(0, 99)}}`;
    case 7: { // deep nesting or a truncated message
      const depth = rng.int(1, 3000);
      return rng.next() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : JSON.stringify(pick(rng, VALID)).slice(0, -rng.int(1, 5));
    }
    case 8: return Buffer.from(Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255)));
    default: { // values out of range
      return JSON.stringify(pick(rng, [
        { type: 'speed', speed: pick(rng, [0, -1, 1e9, 'fast', '60']) },
        { type: 'keys', keys: pick(rng, ['', 'E', '12 3', '9'.repeat(65), 'é']) },
        { type: 'grid', event: pick(rng, ['brownout', 'SAG', '']) },
        { type: 'firmware', profile: 'field', fix: pick(rng, [['D0'], ['D49'], 'D11', [11]]) },
        { type: 'scenario', action: pick(rng, ['go', 'stop']), name: '../../etc/passwd' },
        { type: 'select', meter: pick(rng, ['METER 1', '', 'x'.repeat(40)]) },
        { type: 'load', load: '../kettle', on: true },
        { type: 'ping', id: pick(rng, [1.5, '', 'x'.repeat(65), {}]) },
        { type: 'network', [pick(rng, ['csq', 'latencyMs', 'attachFailures', 'attachFailureRate', 'registrationMs'])]: pick(rng, [-1, 1e9, -0.5, '3', null, 31.5]) },
        { type: 'network', [pick(rng, ['backend', 'broker', 'fault'])]: pick(rng, ['UP', 'off', '', 'crash']) },
        { type: 'network', drop: pick(rng, [false, 1, 'yes']) },
        { type: 'topup', amount: pick(rng, [0, -5, 1e6, '100', null, Number.MAX_VALUE]) },
        { type: 'view', view: pick(rng, ['grid', 'FLEET', '', null, 1]) },
      ]));
    }
  }
}

async function withServer(fn: (url: string, server: OsmServer) => Promise<void>): Promise<void> {
  // phasor fidelity and a slow pace: this test is about the protocol, not the simulation
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, { library: [], meter: { speed: 1, fidelity: 'phasor', household: false } });
  await server.hub.addMeters(1);
  await server.listen();
  try { await fn(`ws://127.0.0.1:${server.address().port}/ws`, server); } finally { await server.close(); }
}

/** A client whose text messages are all kept (the snapshot can arrive with the handshake, before 'open' resolves). */
interface Client { ws: WebSocket; texts: { type: string; error?: string; id?: unknown }[]; onText?: () => void }

function open(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const c: Client = { ws, texts: [] };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      c.texts.push(JSON.parse(data.toString()));
      c.onText?.();
    });
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
  });
}

function until(c: Client, cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (cond()) { resolve(); return; }
    c.onText = () => { if (cond()) { c.onText = undefined; resolve(); } };
  });
}

test('every one of 1200 random and malformed messages gets an error reply, and the server keeps serving', async () => {
  const rng = new Rng(20261206);
  const messages = Array.from({ length: COUNT }, () => malformed(rng));
  for (const m of messages) assert.ok(m.length <= MAX_CLIENT_MESSAGE_BYTES, 'below the size limit (that case is the next test)');
  await withServer(async (url) => {
    const c = await open(url);
    const ws = c.ws;
    let closed = false;
    ws.on('close', () => { closed = true; });
    const replies = (): { type: string; error?: string }[] => c.texts.filter((m) => m.type === 'error' || m.type === 'ack');
    for (const m of messages) ws.send(m, { binary: typeof m !== 'string' });
    ws.send(JSON.stringify({ type: 'ping', id: 'after' }));
    await until(c, () => replies().length >= COUNT + 1);
    assert.is(c.texts[0].type, 'snapshot', 'the client got its snapshot first');
    const all = replies();
    assert.not.ok(closed, 'the connection is still open');
    const errors = all.slice(0, COUNT);
    assert.equal(errors.filter((r) => r.type !== 'error').length, 0, 'every malformed message is answered with an error');
    assert.ok(errors.every((r) => typeof r.error === 'string' && r.error.length > 0));
    assert.equal(all[COUNT].type, 'ack', 'a valid message after them is still served');
    assert.is(all.length, COUNT + 1, 'one reply per message');
    ws.close();
    // a new connection works too
    const c2 = await open(url);
    await until(c2, () => c2.texts.length > 0);
    assert.is(c2.texts[0].type, 'snapshot');
    c2.ws.close();
  });
});

test('random in-range network settings and top-ups from a page are applied one by one and the meter keeps polling', async () => {
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, { library: [], meter: { speed: 'max', fidelity: 'phasor', household: false, network: {} } });
  await server.hub.addMeters(1);
  await server.listen();
  try {
    const rng = new Rng(1206);
    const faults = ['none', 'wrong-key', 'database-error', 'html-error', 'slow', 'lose-success'];
    const msgs: Record<string, unknown>[] = [];
    for (let k = 0; k < 80; k++) {
      const m: Record<string, unknown> = { type: 'network', id: k };
      switch (rng.int(0, 7)) {
        case 0: m.coverage = rng.next() < 0.5; break;
        case 1: m.csq = rng.int(0, 31); break;
        case 2: m.latencyMs = rng.int(0, 60_000); m.registrationMs = rng.int(0, 600_000); break;
        case 3: m.attachFailures = rng.int(0, 20); m.attachFailureRate = rng.next(); break;
        case 4: m.drop = true; break;
        case 5: m.backend = rng.next() < 0.5 ? 'up' : 'down'; m.broker = rng.next() < 0.5 ? 'up' : 'down'; if (rng.next() < 0.5) m.forMs = rng.int(1, 600_000); break;
        case 6: m.fault = pick(rng, faults); if (m.fault !== 'none') m.faultCount = rng.int(1, 5); break;
        default: msgs.push({ type: 'topup', id: k, amount: rng.int(1, 100_000) / 100 }); continue;
      }
      msgs.push(m);
    }
    // back to a healthy network at the end
    msgs.push({ type: 'network', id: 'heal', coverage: true, csq: 18, latencyMs: 250, registrationMs: 4000, attachFailures: 0, attachFailureRate: 0, backend: 'up', broker: 'up' });
    msgs.push({ type: 'network', id: 'heal-fault', fault: 'none' });
    const c = await open(`ws://127.0.0.1:${server.address().port}/ws`);
    for (const m of msgs) c.ws.send(JSON.stringify(m));
    const replies = (): { type: string; error?: string; id?: unknown }[] => c.texts.filter((m) => m.type === 'error' || m.type === 'ack');
    await until(c, () => replies().length >= msgs.length);
    const errs = replies().filter((r) => r.type === 'error');
    assert.equal(errs, [], 'every in-range setting is applied');
    const meter = server.hub.meters[0];
    const t0 = meter.now();
    const polls = (meter.commsView()!.gsm.polls);
    const end = Date.now() + 60_000;
    while (meter.commsView()!.gsm.last !== 'OK' || meter.commsView()!.gsm.polls < polls + 2) {
      if (Date.now() > end) assert.unreachable('the meter did not poll successfully after the settings');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(meter.now() > t0);
    c.ws.close();
  } finally {
    await server.close();
  }
});

test('a message larger than the limit closes only that connection (1009) and the server goes on', async () => {
  await withServer(async (url) => {
    const big = (await open(url)).ws;
    const code = await new Promise<number>((resolve) => {
      big.on('close', (c) => resolve(c));
      big.on('error', () => {});
      big.send(JSON.stringify({ type: 'keys', keys: '1'.repeat(MAX_CLIENT_MESSAGE_BYTES) }));
    });
    assert.is(code, 1009);
    const c = await open(url);
    c.ws.send(JSON.stringify({ type: 'ping', id: 7 }));
    await until(c, () => c.texts.some((m) => m.type === 'ack'));
    assert.equal(c.texts.find((m) => m.type === 'ack')!.id, 7);
    c.ws.close();
  });
});

test('a flood of valid control messages is answered one by one, beyond the budget with errors', async () => {
  await withServer(async (url) => {
    const c = await open(url);
    const N = 400;
    for (let k = 0; k < N; k++) c.ws.send(JSON.stringify({ type: 'tamper', open: k % 2 === 0, id: k }));
    const replies = (): { type: string; error?: string }[] => c.texts.filter((m) => m.type === 'error' || m.type === 'ack');
    await until(c, () => replies().length >= N);
    const r = replies();
    const acks = r.filter((m) => m.type === 'ack').length;
    assert.ok(acks >= 100 && acks < N, `${acks} applied`);
    assert.ok(r.filter((m) => m.type === 'error').every((m) => /too many control messages/.test(m.error!)));
    c.ws.close();
  });
});

test.run();
