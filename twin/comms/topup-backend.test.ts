// The top-up backend (topup-backend.ts) over a real loopback socket: the original subscribe.php answers, the faults,
// and bad input that must never stop the server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { startCommsServers, type CommsServers } from './serve.ts';
import { TopupBackend } from './topup-backend.ts';
import { VirtualInternet } from './virtual-internet.ts';
import { VirtualClock } from '../kernel/clock.ts';

const KEY = 'tPmAT5Ab3j7F9';

function post(s: CommsServers, body: string | Buffer, opts: { path?: string; method?: string; type?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: s.backendPort, path: opts.path ?? '/subscribe.php', method: opts.method ?? 'POST',
      headers: { 'Content-Type': opts.type ?? 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let b = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function withServers(fn: (s: CommsServers) => Promise<void>): Promise<void> {
  const s = await startCommsServers({ mqttPort: 0, backendPort: 0 });
  try { await fn(s); } finally { await s.close(); }
}

test('a poll answers <amount>/70/ and the success POST echoes it, appends sucess and zeroes the amount', () => withServers(async (s) => {
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
  s.backend.topup('MT100', 500);
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '500/70/');
  assert.is((await post(s, `api_key=${KEY}&stat=sucess&meter=MT100`)).body, '500/70/sucess');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
}));

test('two payments before a poll are answered as their sum (500 + 250 gives 750/70/)', () => withServers(async (s) => {
  s.backend.topup('MT100', 500);
  s.backend.topup('MT100', 250);
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '750/70/');
}));

test('a wrong api_key gets an empty body; an unknown meter gets /70/', () => withServers(async (s) => {
  const r = await post(s, 'api_key=nope&meter=MT100');
  assert.is(r.status, 200);
  assert.is(r.body, '');
  assert.is((await post(s, `api_key=${KEY}&meter=XX999`)).body, '/70/');
}));

test('the database-error and html-error faults give their texts; wrong-key gives empty bodies', () => withServers(async (s) => {
  s.backend.setFault('database-error', 1);
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, 'Database Error');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/', 'the fault lasted one request');
  s.backend.setFault('html-error');
  const h = await post(s, `api_key=${KEY}&meter=MT100`);
  assert.is(h.status, 500);
  assert.match(h.body, '<h1>Internal Server Error</h1>');
  s.backend.setFault('wrong-key');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '');
}));

test('lose-success drops the success POST without an answer and keeps the amount pending', () => withServers(async (s) => {
  s.backend.topup('MT100', 500);
  s.backend.setFault('lose-success', 1);
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '500/70/', 'a poll is not a success POST');
  await post(s, `api_key=${KEY}&stat=sucess&meter=MT100`).then(() => assert.unreachable('answered'), (e: Error) => assert.ok(e));
  assert.is(s.backend.pending.get('MT100'), 500);
}));

test('an oversized body is discarded as PHP does (empty answer) and the server carries on', () => withServers(async (s) => {
  s.backend.config.maxBodyBytes = 1024;
  const big = `api_key=${KEY}&meter=MT100&pad=${'x'.repeat(200_000)}`;
  assert.is((await post(s, big)).body, '');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
}));

test('a malformed form, a GET and another path get the original answers', () => withServers(async (s) => {
  assert.is((await post(s, '%%%&&==&api_key')).body, '');
  assert.is((await post(s, `api_key=${KEY}&meter=%E0%A4%A`)).body, '/70/', 'a broken escape drops that field: unknown meter');
  assert.is((await post(s, Buffer.from([0xff, 0x00, 0x26, 0x3d]))).body, '');
  assert.is((await post(s, '', { method: 'GET' })).body, '');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`, { type: 'text/plain' })).body, '');
  const nf = await post(s, `api_key=${KEY}&meter=MT100`, { path: '/admin.php' });
  assert.is(nf.status, 404);
}));

test('garbage that is not HTTP gets 400 and does not stop the server', () => withServers(async (s) => {
  const { connect } = await import('node:net');
  const answer = await new Promise<string>((resolve) => {
    const c = connect(s.backendPort!, '127.0.0.1', () => c.write('\x00\x01\x02 NOT HTTP\r\n\r\n'));
    let b = '';
    c.on('data', (d) => { b += d.toString('latin1'); });
    c.on('close', () => resolve(b));
  });
  assert.match(answer, '400 Bad Request');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
}));


test('a replayed answer depends on the pending top-up of the meter it names, not on the other meters of a shared backend', () => withServers(async (s) => {
  s.backend.topup('MT101', 0.5);
  s.backend.setFault('none');
  assert.is((await post(s, `api_key=${KEY}&meter=MT101`)).body, '0.5/70/');
  const report = s.backend.lastReport();
  const own = s.backend.replayState(report);
  const whole = s.backend.replayState();
  s.backend.topup('MT102', 300); // another meter pays
  assert.is(s.backend.replayState(report), own, 'MT101\'s answer still holds');
  assert.is.not(s.backend.replayState(), whole, 'the whole state changed');
  s.backend.pending.set('MT101', 0); // any writer of the pending map (a replayed debug log, the dashboard)
  assert.is.not(s.backend.replayState(report), own, 'MT101\'s answer no longer holds');
  s.backend.setFault('slow');
  assert.is(s.backend.replayState(report), null, 'no replay while a fault is set');
}));

test('an observer of one meter sees only that meter\'s requests', () => withServers(async (s) => {
  const mine: (string | null)[] = [];
  const all: (string | null)[] = [];
  const stop = s.backend.watch((r) => mine.push(r.meter), 'MT101');
  s.backend.watch((r) => all.push(r.meter));
  await post(s, `api_key=${KEY}&meter=MT101`);
  await post(s, `api_key=${KEY}&meter=MT102`);
  stop();
  await post(s, `api_key=${KEY}&meter=MT101`);
  assert.equal(mine, ['MT101']);
  assert.equal(all, ['MT101', 'MT102', 'MT101']);
}));

test('a fault set for one meter applies to that meter\'s requests only', () => withServers(async (s) => {
  s.backend.topup('MT107', 20);
  s.backend.setFault('database-error', Infinity, 'MT107');
  assert.is((await post(s, `api_key=${KEY}&meter=MT107`)).body, 'Database Error');
  assert.is((await post(s, `api_key=${KEY}&meter=MT105`)).body, '/70/', 'another meter is answered as usual');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
  assert.is(s.backend.faultFor('MT107'), 'database-error');
  assert.is(s.backend.faultFor('MT105'), 'none');
  assert.is(s.backend.fault, 'none', 'the every-meter fault is unchanged');
  s.backend.setFault('none', Infinity, 'MT107');
  assert.is((await post(s, `api_key=${KEY}&meter=MT107`)).body, '20/70/');
}));

test('a meter\'s own fault counts its own requests, then gives way to the every-meter fault', () => withServers(async (s) => {
  s.backend.setFault('html-error');
  s.backend.setFault('wrong-key', 1, 'MT100');
  assert.is((await post(s, `api_key=${KEY}&meter=MT101`)).status, 500, 'another meter\'s request does not use up MT100\'s fault');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).status, 500);
}));

test('a meter set to none is spared the every-meter fault; a fault set for every meter drops the single meters\' faults', () => withServers(async (s) => {
  s.backend.setFault('database-error');
  s.backend.setFault('none', Infinity, 'MT100');
  s.backend.setFault('slow', Infinity, 'MT101');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
  assert.is((await post(s, `api_key=${KEY}&meter=MT102`)).body, 'Database Error');
  s.backend.setFault('wrong-key');
  assert.is(s.backend.faultFor('MT100'), 'wrong-key');
  assert.is(s.backend.faultFor('MT101'), 'wrong-key');
  s.backend.setFault('none');
  assert.is(s.backend.faultFor('MT101'), 'none');
}));

test('clearing one meter\'s fault gives it the every-meter fault again', () => withServers(async (s) => {
  s.backend.setFault('database-error');
  s.backend.setFault('none', Infinity, 'MT100');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, '0/70/');
  s.backend.clearFault('MT100');
  assert.is((await post(s, `api_key=${KEY}&meter=MT100`)).body, 'Database Error');
}));

test('lose-success set for one meter drops only that meter\'s success POST', () => withServers(async (s) => {
  s.backend.topup('MT100', 5);
  s.backend.topup('MT101', 7);
  s.backend.setFault('lose-success', 1, 'MT100');
  assert.is((await post(s, `api_key=${KEY}&stat=sucess&meter=MT101`)).body, '7/70/sucess');
  await post(s, `api_key=${KEY}&stat=sucess&meter=MT100`).then(() => assert.unreachable('answered'), (e: Error) => assert.ok(e));
  assert.is(s.backend.pending.get('MT100'), 5);
  assert.is((await post(s, `api_key=${KEY}&stat=sucess&meter=MT100`)).body, '5/70/sucess', 'the fault lasted one success POST');
}));

/** A poll of `meter` through the virtual internet (as the modem sends it), and whether it was answered from the record. */
async function poll(net: VirtualInternet, meter: string): Promise<{ body: string; replayed: boolean }> {
  const form = `api_key=${KEY}&meter=${meter}`;
  const request = `POST /subscribe.php HTTP/1.1\r\nHost: paygotesting.000webhostapp.com\r\nConnection: close\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`;
  const before = net.replays;
  let got = '';
  await new Promise<void>((resolve, reject) => {
    const peer = net.open('backend.test', 80, { onData: (b) => { got += Buffer.from(b).toString('latin1'); }, onClose: () => resolve() });
    if (typeof peer === 'string') { reject(new Error(peer)); return; }
    peer.send(Buffer.from(request, 'latin1'));
  });
  return { body: got.slice(got.indexOf('\r\n\r\n') + 4), replayed: net.replays > before };
}

test('backend-replay: a meter with a fault set never gets a recorded answer; another meter still does', async () => {
  const backend = new TopupBackend({ meters: ['MT105', 'MT107'] });
  const net = new VirtualInternet(new VirtualClock(), { replay: true });
  net.route('backend.test', 80, { kind: 'service', service: backend });
  try {
    for (const m of ['MT105', 'MT107']) {
      assert.equal(await poll(net, m), { body: '0/70/', replayed: false }, `${m}'s first poll goes to the server`);
      assert.equal(await poll(net, m), { body: '0/70/', replayed: true }, `${m}'s second poll is answered from the record`);
    }
    backend.setFault('database-error', Infinity, 'MT107');
    assert.equal(await poll(net, 'MT107'), { body: 'Database Error', replayed: false });
    assert.equal(await poll(net, 'MT107'), { body: 'Database Error', replayed: false });
    assert.equal(await poll(net, 'MT105'), { body: '0/70/', replayed: true });
    backend.setFault('none', Infinity, 'MT107');
    assert.equal(await poll(net, 'MT107'), { body: '0/70/', replayed: true }, 'the fault cleared: the record holds again');
  } finally {
    net.closeAll();
    backend.server.close();
  }
});

test.run();
