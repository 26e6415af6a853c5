// A top-up backend of the user's own (a real node:http server on a loopback port): the meter polls it through the
// virtual internet, is credited from its answers, and runs the same whatever wall time the server takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench, loadComms } from '../kernel/bench.ts';
import { resolveFirmware } from '../profiles/profile.ts';
import { exchangeReport, parseBackendUrl } from './external-backend.ts';
import { ownBackend } from '../../test/support/own-backend.ts';

/** The field meter polling `url` for `minutes` simulated minutes: its trace and credit. */
async function runAgainst(url: string, minutes: number): Promise<{ trace: string[]; credit: number }> {
  await loadComms();
  const b = createBench({
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 100 },
    plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'a', watts: 300, pf: 1 }] }, seed: 1, speed: 'max',
    network: { backend: { url } },
  });
  const trace: string[] = [];
  b.trace.subscribe((ev) => trace.push(JSON.stringify(ev)));
  try {
    await b.start();
    await b.runFor(minutes * 60e6);
    return { trace, credit: b.observe('credit') as number };
  } finally { await b.close(); }
}

test('parseBackendUrl takes http://host:port, port 80 by default, and the firmware\'s own path', () => {
  assert.equal(parseBackendUrl('http://127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
  assert.equal(parseBackendUrl('http://localhost/subscribe.php'), { host: 'localhost', port: 80 });
  assert.equal(parseBackendUrl('http://[::1]:81/'), { host: '::1', port: 81 });
});

test('parseBackendUrl refuses what the meter cannot reach, saying why', () => {
  assert.throws(() => parseBackendUrl('https://x:1'), /only http:\/\//);
  assert.throws(() => parseBackendUrl('http://x:1/api/topup'), /always posts to \/subscribe\.php/);
  assert.throws(() => parseBackendUrl('http://x:1/?k=1'), /give only http:\/\/host:port/);
  assert.throws(() => parseBackendUrl('127.0.0.1:9000'), /only http:\/\/|not a URL/);
});

test('an exchange is reported from its bytes: meter, confirmation, status and body (chunked decoded)', () => {
  const req = Buffer.from('POST /subscribe.php HTTP/1.1\r\nHost: h\r\nContent-Length: 43\r\n\r\napi_key=tPmAT5Ab3j7F9&stat=sucess&meter=MT7');
  const res = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n500/\r\n9\r\n70/sucess\r\n0\r\n\r\n');
  assert.equal(exchangeReport(req, res), { method: 'POST', path: '/subscribe.php', meter: 'MT7', success: true, fault: 'none', status: 200, answer: '500/70/sucess' });
  assert.equal(exchangeReport(req, Buffer.alloc(0))?.status, 0, 'no answer: status 0');
  assert.is(exchangeReport(req, Buffer.alloc(0))?.answer, null);
  assert.is(exchangeReport(Buffer.from('POST /subscribe.php HTTP/1.1\r\nHost: h'), Buffer.alloc(0)), null, 'half a request is not reported');
});

test('the meter polls your backend, is credited from its answer and confirms it there', async () => {
  const own = await ownBackend({ pending: 250 });
  try {
    const r = await runAgainst(own.url, 3);
    assert.ok(own.bodies.includes('api_key=tPmAT5Ab3j7F9&meter=MT100'), `the poll reached the server: ${own.bodies.join(' | ')}`);
    assert.ok(own.bodies.includes('api_key=tPmAT5Ab3j7F9&stat=sucess&meter=MT100'), 'the confirmation reached it');
    assert.ok(r.credit > 340, `credited 250 on 100: ${r.credit}`);
    const reports = r.trace.filter((l) => l.includes('"source":"backend"')).map((l) => JSON.parse(l) as { data: { answer: string; success: boolean } });
    assert.ok(reports.some((e) => e.data.answer === '250/70/' && !e.data.success), 'the poll and its answer are in the trace');
    assert.ok(reports.some((e) => e.data.answer === '250/70/sucess' && e.data.success), 'the confirmation is in the trace');
  } finally { await own.close(); }
});

test('a server that takes wall time to answer gives the same trace as one that answers at once', async () => {
  const quick = await ownBackend({ pending: 40 });
  const slow = await ownBackend({ pending: 40, wallDelayMs: 60 });
  try {
    const a = await runAgainst(quick.url, 2);
    const b = await runAgainst(slow.url, 2);
    assert.ok(a.trace.some((l) => l.includes('"source":"backend"')), 'the meter reached the server');
    assert.is(b.trace.join('\n'), a.trace.join('\n'));
  } finally { await quick.close(); await slow.close(); }
});

test('a backend that is not listening closes the meter\'s connection at the same virtual time in every run', async () => {
  const gone = await ownBackend();
  await gone.close(); // its port is now closed: connects are refused
  const a = await runAgainst(gone.url, 2);
  const b = await runAgainst(gone.url, 2);
  const closes = a.trace.filter((l) => l.includes('"source":"modem"') && /closed/i.test(l));
  assert.ok(closes.length > 0, 'the meter saw its connection closed');
  assert.is(b.trace.join('\n'), a.trace.join('\n'));
});

test('payments and faults of the built-in backend are refused on a meter polling your own, saying where to pay', async () => {
  await loadComms();
  const b = createBench({
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 100 },
    plant: { grid: { vrms: 230, hz: 50 }, loads: [] }, seed: 1, speed: 'max', network: { backend: { url: 'http://127.0.0.1:9' } },
  });
  try {
    assert.throws(() => b.comms!.topup(10), /polls your own backend \(http:\/\/127\.0\.0\.1:9\/subscribe\.php\).*pay on your server/);
    assert.throws(() => b.comms!.change({ fault: 'database-error' }), /faults do not apply.*make your server misbehave/);
    assert.is(b.comms!.servers.externalBackend, 'http://127.0.0.1:9/subscribe.php');
  } finally { await b.close(); }
});

test.run();
