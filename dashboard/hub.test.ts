// The hub over a real websocket: several meters each with its own twin and seed, a meter added from the page, a
// client switching meters, and a rebuilt meter sending its watchers a new snapshot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { OsmServer } from './server.ts';
import { servedFleet } from './served-fleet.ts';
import type { BackendRequest } from '../twin/comms/topup-backend.ts';

interface Msg { type: string; meter?: string; meters?: { id: string; seed: number }[]; state?: { meter: string; epoch: number }; epoch?: number; id?: unknown }

async function client(server: OsmServer): Promise<{ ws: WebSocket; msgs: Msg[]; wait: (pred: (m: Msg) => boolean) => Promise<Msg> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/ws`);
  const msgs: Msg[] = [];
  const waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  ws.on('message', (d, bin) => {
    if (bin) return;
    const m = JSON.parse(d.toString()) as Msg;
    msgs.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  await new Promise((r) => ws.once('open', r));
  const wait = (pred: (m: Msg) => boolean): Promise<Msg> => {
    const seen = msgs.find(pred);
    if (seen) { msgs.splice(msgs.indexOf(seen), 1); return Promise.resolve(seen); }
    return new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  return { ws, msgs, wait };
}

async function server(meters: number): Promise<OsmServer> {
  const s = new OsmServer({ host: '127.0.0.1', port: 0 }, { library: [], autoRun: false, meter: { fidelity: 'phasor', household: false, seed: 11 } });
  await s.hub.addMeters(meters);
  await s.listen();
  return s;
}

test('each meter has its own twin and seed, and a client picks the one it watches', async () => {
  const s = await server(2);
  try {
    const c = await client(s);
    const snap = await c.wait((m) => m.type === 'snapshot');
    assert.equal(snap.meters!.map((m) => [m.id, m.seed]), [['meter-1', 11], ['meter-2', 12]]);
    assert.is(snap.meter, 'meter-1');
    assert.is.not(s.hub.meters[0].bench, s.hub.meters[1].bench);
    c.ws.send(JSON.stringify({ type: 'select', meter: 'meter-2' }));
    const snap2 = await c.wait((m) => m.type === 'snapshot');
    assert.is(snap2.meter, 'meter-2');
    s.hub.publish();
    const st = await c.wait((m) => m.type === 'state');
    assert.is(st.meter, 'meter-2');
    c.ws.close();
  } finally { await s.close(); }
});

test('a meter added from the page appears in every client meter list', async () => {
  const s = await server(1);
  try {
    const a = await client(s);
    const b = await client(s);
    a.ws.send(JSON.stringify({ type: 'add-meter', id: 'add' }));
    const ack = await a.wait((m) => m.type === 'ack');
    assert.equal(ack, { type: 'ack', id: 'add', of: 'add-meter', meter: 'meter-2' });
    const list = await b.wait((m) => m.type === 'meters');
    assert.equal(list.meters!.map((m) => m.id), ['meter-1', 'meter-2']);
    a.ws.close();
    b.ws.close();
  } finally { await s.close(); }
});

test('every control message gets its one reply in the order sent, a slow add-meter and an invalid message included', async () => {
  const s = await server(1);
  try {
    const a = await client(s);
    a.ws.send(JSON.stringify({ type: 'add-meter', id: 1 }));
    a.ws.send(JSON.stringify({ type: 'ping', id: 2 }));
    a.ws.send(JSON.stringify({ type: 'bogus', id: 3 }));
    a.ws.send('not json');
    a.ws.send(JSON.stringify({ type: 'ping', id: 5 }));
    while (a.msgs.filter((m) => m.type === 'ack' || m.type === 'error').length < 5) await new Promise((r) => setTimeout(r, 5));
    const replies = a.msgs.filter((m) => m.type === 'ack' || m.type === 'error');
    assert.equal(replies.map((m) => `${m.type} ${String(m.id)}`), ['ack 1', 'ack 2', 'error 3', 'error undefined', 'ack 5']);
    a.ws.close();
  } finally { await s.close(); }
});

test('the watchers of a reflashed meter get a new snapshot with the new epoch', async () => {
  const s = await server(1);
  try {
    const c = await client(s);
    const first = await c.wait((m) => m.type === 'snapshot');
    c.ws.send(JSON.stringify({ type: 'firmware', profile: 'fixed' }));
    await c.wait((m) => m.type === 'ack');
    await s.hub.meters[0].runPending();
    s.hub.publish();
    const next = await c.wait((m) => m.type === 'snapshot');
    assert.ok(next.state!.epoch > first.state!.epoch);
    c.ws.close();
  } finally { await s.close(); }
});


test('a client in the fleet view gets the grid of every meter instead of one meter\'s state, and only when it changed', async () => {
  const s = await server(3);
  try {
    const c = await client(s);
    await c.wait((m) => m.type === 'snapshot');
    c.ws.send(JSON.stringify({ type: 'view', view: 'fleet', id: 'v' }));
    const first = await c.wait((m) => m.type === 'fleet') as Msg & { cells: { meter: string; state: string }[]; counts: Record<string, number> };
    assert.equal(first.cells.map((x) => x.meter), ['meter-1', 'meter-2', 'meter-3']);
    assert.is(Object.values(first.counts).reduce((a, b) => a + b, 0), 3);
    await c.wait((m) => m.type === 'ack' && m.id === 'v');
    c.msgs.length = 0;
    s.hub.publish(); // nothing changed: no second grid, and no meter state
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.msgs.map((m) => m.type), []);
    s.hub.meter('meter-2')!.power(false);
    s.hub.publish();
    const next = await c.wait((m) => m.type === 'fleet') as Msg & { cells: { meter: string; state: string }[] };
    assert.is(next.cells[1].state, 'unpowered');
    assert.is(next.cells[0].state, first.cells[0].state);
    c.ws.send(JSON.stringify({ type: 'select', meter: 'meter-3' }));
    const snap = await c.wait((m) => m.type === 'snapshot') as Msg & { view: string };
    assert.is(snap.view, 'meter');
    c.ws.close();
  } finally { await s.close(); }
});

test('the fleet grid carries the fleet\'s time: the time every meter has reached, as a date from the start, and how far the fastest is ahead', async () => {
  const s = await server(3);
  try {
    const c = await client(s);
    await c.wait((m) => m.type === 'snapshot');
    const [m1, m2, m3] = s.hub.meters;
    const t0 = m1.now();
    await m1.advance(2e6);
    await m2.advance(65e6); // the page last watched meter-2: its clock is not the fleet's
    await m3.advance(2e6);
    c.ws.send(JSON.stringify({ type: 'view', view: 'fleet' }));
    const grid = await c.wait((m) => m.type === 'fleet') as Msg & { clock: { t: number; date: string; aheadUs: number; speed: unknown; paused: boolean } };
    assert.is(grid.clock.t, t0 + 2e6);
    assert.is(grid.clock.aheadUs, 63e6);
    const start = Date.UTC(2026, 2, 1, 8, 0, 0); // the served meters' default start clock
    assert.is(grid.clock.date, new Date(start + Math.floor(grid.clock.t / 1e6) * 1000).toISOString().slice(0, 19).replace('T', ' '));
    assert.is.not(grid.clock.date, (m2.state() as { rtc: string }).rtc);
    assert.is(grid.clock.paused, false);
    c.ws.close();
  } finally { await s.close(); }
});

test('in the fleet view, speed and pause without a meter pace every meter; in the meter view the meter watched', async () => {
  const s = await server(3);
  try {
    const c = await client(s);
    await c.wait((m) => m.type === 'snapshot');
    c.ws.send(JSON.stringify({ type: 'speed', speed: 10, id: 'one' }));
    await c.wait((m) => m.type === 'ack' && m.id === 'one');
    assert.equal(s.hub.meters.map((m) => m.pacer.speed), [10, 1, 1]);
    c.ws.send(JSON.stringify({ type: 'view', view: 'fleet' }));
    const mixed = await c.wait((m) => m.type === 'fleet') as Msg & { clock: { speed: unknown } };
    assert.is(mixed.clock.speed, null, 'the meters run at different speeds');
    c.ws.send(JSON.stringify({ type: 'speed', speed: 'max', id: 'all' }));
    await c.wait((m) => m.type === 'ack' && m.id === 'all');
    c.ws.send(JSON.stringify({ type: 'pause', paused: true, id: 'stop' }));
    await c.wait((m) => m.type === 'ack' && m.id === 'stop');
    assert.equal(s.hub.meters.map((m) => [m.pacer.speed, m.pacer.paused]), [['max', true], ['max', true], ['max', true]]);
    const clock = s.hub.fleetGrid().clock!;
    assert.is(clock.speed, 'max');
    assert.is(clock.paused, true);
    c.ws.close();
  } finally { await s.close(); }
});

test('a backend fault set from one fleet meter\'s page applies to that meter\'s requests alone', async () => {
  const fleet = servedFleet({ meters: 2, seed: 3, clock: { year: 2026, month: 3, day: 2, hour: 18, minute: 0, second: 0 }, credit: [300, 300] });
  const s = new OsmServer({ host: '127.0.0.1', port: 0 }, {
    library: [], autoRun: false, fleetView: true, maxMeters: 2, meter: { fidelity: 'phasor', network: {} }, meterFor: (i) => fleet.meterFor(i),
  });
  await s.hub.addMeters(2);
  await s.listen();
  const seen: BackendRequest[] = [];
  const stop = fleet.servers.backend.watch((r) => seen.push(r));
  try {
    const c = await client(s);
    await c.wait((m) => m.type === 'snapshot');
    c.ws.send(JSON.stringify({ type: 'select', meter: 'meter-2' }));
    await c.wait((m) => m.type === 'snapshot');
    c.ws.send(JSON.stringify({ type: 'network', fault: 'database-error', id: 'f' }));
    await c.wait((m) => m.type === 'ack' && m.id === 'f');
    const [one, two] = fleet.plans.map((p) => p.meterId);
    for (let i = 0; i < 10 && !(seen.some((r) => r.meter === one) && seen.some((r) => r.meter === two)); i++) {
      for (const m of s.hub.meters) await m.advance(30e6);
    }
    const answers = (meter: string): (string | null)[] => [...new Set(seen.filter((r) => r.meter === meter).map((r) => r.answer))];
    assert.equal(answers(two), ['Database Error'], 'meter-2 gets the fault it was given');
    assert.ok(answers(one).length > 0 && !answers(one).includes('Database Error'), `meter-1 is answered as usual: ${answers(one).join(', ')}`);
    assert.is((s.hub.meter('meter-2')!.state() as { comms: { backend: { fault: string } } }).comms.backend.fault, 'database-error');
    assert.is((s.hub.meter('meter-1')!.state() as { comms: { backend: { fault: string } } }).comms.backend.fault, 'none');
    // a reset of meter-2 is a healthy new meter: its fault goes with it
    c.ws.send(JSON.stringify({ type: 'reset', id: 'r' }));
    await c.wait((m) => m.type === 'ack' && m.id === 'r');
    await s.hub.meter('meter-2')!.runPending();
    assert.is(fleet.servers.backend.faultFor(two), 'none');
    c.ws.close();
  } finally {
    stop();
    await s.close();
    await fleet.close();
  }
});

test.run();
