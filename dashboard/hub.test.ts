// The hub over a real websocket: several meters each with its own twin and seed, a meter added from the page, a
// client switching meters, and a rebuilt meter sending its watchers a new snapshot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { OsmServer } from './server.ts';

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

test.run();
