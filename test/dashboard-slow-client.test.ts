// A browser that never reads its websocket must cost the server neither simulation time nor memory.
//
// Deterministic set-up: two servers built alike, meters advanced by hand in equal steps of virtual time and published
// after each step on a fake wall clock (100 ms a step). The control has one reading client; the other has a reading
// client and a raw TCP client that completes the websocket handshake and then never reads a byte. The waveform
// window is made large (4096 samples, 32 KiB a frame) so that the kernel's socket buffers fill within the run.
// Checked: the simulation advances exactly as the control's (same virtual time and meter state after every step, and
// publishing never waits), the silent client's queue never grows past the high-water mark plus one message, it is
// skipped and then cut off, and the reading client on the same server gets every update throughout.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { OsmServer } from '../dashboard/server.ts';
import type { ChannelLimits } from '../dashboard/client-channel.ts';

const STEP_US = 100_000;
const STEPS = 900;
const LIMITS: ChannelLimits = { highWaterBytes: 128 * 1024, lowWaterBytes: 16 * 1024, dropAfterMs: 20_000, dropBytes: 8 * 1024 * 1024 };
/** The largest message the hub sends a client here (a snapshot or a 4096-sample waveform frame is below this). */
const MAX_MESSAGE = 64 * 1024;

async function makeServer(wall: { ms: number }): Promise<OsmServer> {
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, {
    library: [],
    autoRun: false,
    limits: LIMITS,
    wallNow: () => wall.ms,
    meter: { speed: 1, fidelity: 'waveform', waveWindowSamples: 4096, seed: 5 },
  });
  await server.hub.addMeters(1);
  await server.listen();
  return server;
}

async function readingClient(server: OsmServer): Promise<{ ws: WebSocket; frames: number; states: number }> {
  const c = { ws: new WebSocket(`ws://127.0.0.1:${server.address().port}/ws`), frames: 0, states: 0 };
  c.ws.on('message', (d, bin) => { if (bin) c.frames++; else if (JSON.parse(d.toString()).type === 'state') c.states++; });
  await once(c.ws, 'open');
  return c;
}

/** A websocket client that shakes hands and then never reads. */
async function silentClient(server: OsmServer): Promise<Socket> {
  const sock = connect(server.address().port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.address().port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const [first] = (await once(sock, 'data')) as [Buffer];
  assert.match(first.toString('latin1'), /^HTTP\/1\.1 101 /);
  sock.pause();
  sock.on('error', () => {});
  return sock;
}

function fingerprint(server: OsmServer): string {
  const m = server.hub.meters[0];
  const b = m.bench;
  return JSON.stringify([m.now(), b.observe('lcd'), b.observe('credit'), b.observe('energy'), b.observe('relay'), m.waveSeq]);
}

test('a client that never reads slows nothing, is held to a bounded queue, and is cut off', async () => {
  const wallA = { ms: 0 };
  const wallB = { ms: 0 };
  const control = await makeServer(wallA);
  const server = await makeServer(wallB);
  const sockets: Socket[] = [];
  try {
    const controlReader = await readingClient(control);
    const reader = await readingClient(server);
    const silent = await silentClient(server);
    sockets.push(silent);
    for (const s of [control, server]) s.hub.meters[0].setLoad('kettle', true);
    let maxSilentQueue = 0;
    let sawBehind = false;
    let droppedAt = -1;
    for (let k = 0; k < STEPS; k++) {
      await control.hub.meters[0].advance(STEP_US);
      await server.hub.meters[0].advance(STEP_US);
      wallA.ms += 100;
      wallB.ms += 100;
      control.hub.publish();
      server.hub.publish();
      assert.is(fingerprint(server), fingerprint(control), `step ${k}: the simulation is where the control's is`);
      const st = server.hub.stats();
      // clients in connection order: the reader, then the silent one (until it is cut off)
      const silentStats = st.clients.length === 2 ? st.clients[1] : undefined;
      if (silentStats) {
        maxSilentQueue = Math.max(maxSilentQueue, silentStats.bufferedAmount);
        if (silentStats.behind) sawBehind = true;
      }
      if (droppedAt < 0 && st.dropped === 1) droppedAt = k;
      // let the sockets move data
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(sawBehind, 'the silent client fell behind within the run (its socket buffers filled)');
    assert.ok(maxSilentQueue <= LIMITS.highWaterBytes + MAX_MESSAGE, `its queue stayed bounded (max ${maxSilentQueue} bytes)`);
    assert.ok(droppedAt > 0, 'it was cut off after being behind for dropAfterMs');
    assert.is(server.hub.clients.size, 1, 'only the reading client is left');
    // the reading client on the same server was served like the control's
    // what was sent is on its way over the loopback: wait till both readers have it (a generous guard, 20 s; on a
    // loaded machine the readers' messages can take far longer than the 200 ms this once waited)
    const served = (c: { states: number; frames: number }): boolean => c.states >= STEPS - 5 && c.frames >= STEPS - 5;
    for (let i = 0; i < 1000 && !(served(reader) && served(controlReader)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(reader.states >= STEPS - 5 && Math.abs(reader.states - controlReader.states) <= 5, `states ${reader.states} vs control ${controlReader.states}`);
    assert.ok(reader.frames >= STEPS - 5 && Math.abs(reader.frames - controlReader.frames) <= 5, `frames ${reader.frames} vs control ${controlReader.frames}`);
    reader.ws.close();
    controlReader.ws.close();
  } finally {
    for (const s of sockets) s.destroy();
    await control.close();
    await server.close();
  }
});

test.run();
