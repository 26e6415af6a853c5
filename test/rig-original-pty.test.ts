// The serial side of --target rig on real ports: two pseudo-terminals joined by Debian socat stand in for the USB
// serial adapter on the meter's debug port and for the AFE responder's USB port (the rig board's Firmata link is the
// --board johnny-five path, tested in hil-cli.test.ts). Skipped (counted as skipped) without socat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync, openSync, writeSync, closeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { socatAvailable } from '../hil-rig/pty-emulator.ts';
import { openPort } from '../hil-rig/rig-original/original-bench.ts';
import { DebugPortReader } from '../hil-rig/rig-original/debug-port.ts';
import { ResponderDriver } from '../hil-rig/rig-original/responder-driver.ts';
import { WallTime } from '../hil-rig/rig/wall-time.ts';
import { RigError } from '../hil-rig/rig/connection.ts';
import { scratchDir } from './support/scratch.ts';

const run = socatAvailable() ? test : test.skip;
const dir = scratchDir('osm-rig-pty-');

async function ptyPair(name: string): Promise<{ host: string; device: string; child: ChildProcess }> {
  const host = join(dir, `${name}-host`);
  const device = join(dir, `${name}-dev`);
  const child = spawn('socat', [`PTY,link=${host},raw,echo=0`, `PTY,link=${device},raw,echo=0`], { stdio: 'ignore' });
  // (a generous guard: socat makes both links at once, even on a loaded machine)
  for (let i = 0; i < 2000 && !(existsSync(host) && existsSync(device)); i++) await new Promise((r) => setTimeout(r, 10));
  return { host, device, child };
}

run('the debug port read through a serial port gives the meter\'s lines and readings', async () => {
  const p = await ptyPair('debug');
  const link = await openPort(p.host, 115200, 'the meter\'s debug port');
  const reader = new DebugPortReader();
  link.onData = (b) => reader.push(b, 0);
  const fd = openSync(p.device, 'w');
  writeSync(fd, 'Device Powered! \r\nPOWER FACTOR : 1.00\r\nFREQUENCY : 50.00\r\nMAINS VOLTAGE : 229.80\r\nCURRENT  : 0.43\r\n');
  writeSync(fd, 'ACTIVE POWER : 99.10\r\nENERGY : 0.02\r\nCREDIT : 499.97\r\n');
  for (let i = 0; i < 2000 && !reader.readings; i++) await new Promise((r) => setTimeout(r, 10)); // (a generous guard)
  closeSync(fd);
  await link.close();
  p.child.kill();
  assert.is(reader.lines, 8);
  assert.is(reader.readings?.credit, 499.97);
  assert.is(reader.readings?.vrms, 229.8);
});

run('the responder driver pings over a serial port and measures the round trip; a silent responder is a fault', async () => {
  const p = await ptyPair('afe');
  const link = await openPort(p.host, 250000, 'the AFE responder\'s port');
  const time = new WallTime();
  // overLoop as the rig sets it over a real port: a process held up by a loaded machine does not call a reply it has
  // not yet read silence
  const driver = new ResponderDriver(link, time, { silenceUs: 400_000, overLoop: true });
  // a responder that answers pings, byte for byte as the sketch does (5A 'p' seq version 0 sum)
  const fd = openSync(p.device, constants.O_RDWR | constants.O_NONBLOCK); // a read with nothing there must not block
  let answering = true;
  const poll = setInterval(() => {
    const buf = Buffer.alloc(64);
    let n = 0;
    try { n = readSync(fd, buf, 0, 64, null); } catch { return; }
    for (let i = 0; i + 6 <= n; i += 6) {
      if (answering && buf[i] === 0xa5 && buf[i + 1] === 0x50) {
        const seq = buf[i + 2];
        writeSync(fd, Buffer.from([0x5a, 0x70, seq, 1, 0, (0x70 + seq + 1) & 0xff]));
      }
    }
  }, 2);
  let fault: string | null = null;
  driver.onFault = (m) => { fault = m; };
  driver.attach(time);
  const pinged = time.now();
  driver.ping();
  // (generous guards, 10 s and more: the pong and the fault must come, however loaded the machine)
  for (let i = 0; i < 2000 && driver.roundTrips.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  const seen = time.now();
  assert.is(fault, null);
  assert.is(driver.roundTrips.length, 1);
  // the round trip as measured on the wall clock: how long it is depends on the machine's load, not on the driver
  assert.ok(driver.roundTrips[0] > 0 && driver.roundTrips[0] <= seen - pinged, `round trip ${driver.roundTrips[0]} us of ${seen - pinged}`);
  answering = false;
  for (let i = 0; i < 2000 && !fault; i++) await new Promise((r) => setTimeout(r, 5));
  clearInterval(poll);
  assert.match(String(fault), /AFE responder stopped answering/);
  await driver.close();
  closeSync(fd);
  p.child.kill();
});

run('a port that is not there is one clear error', async () => {
  const err = await openPort(join(dir, 'nothing'), 115200, 'the meter\'s debug port').then(() => null, (e: unknown) => e);
  assert.instance(err, RigError);
  assert.match((err as Error).message, /cannot open the meter's debug port .*nothing/);
});

test.run();
