// SIM800 at the AT level (sim800.ts): auto-baud, reply timing, registration, GPRS attach, TCP through a fake internet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { byteTimeUs } from '../uart.ts';
import { CellularNetwork, type CellularNetworkConfig } from './cellular-network.ts';
import { Sim800 } from './sim800.ts';
import type { Internet, TcpEvents } from './tcp-socket.ts';

/** A host at 9600 baud: sends lines back to back, records what the modem answers and when. */
function rig(net: Partial<CellularNetworkConfig> = {}, internet?: Internet) {
  const clock = new VirtualClock();
  const network = new CellularNetwork(net, () => 0.5);
  const modem = new Sim800(clock, network, internet);
  let rx = '';
  const arrivals: { t: number; ch: string }[] = [];
  modem.attachHost({ receive: (b) => { rx += String.fromCharCode(b); arrivals.push({ t: clock.now(), ch: String.fromCharCode(b) }); } });
  let txFree = 0;
  const send = (text: string, baud = 9600): void => {
    let t = Math.max(clock.now(), txFree);
    for (const ch of text) {
      t += byteTimeUs(baud);
      const b = ch.charCodeAt(0);
      clock.at(Math.ceil(t), () => modem.uart.receive(b, baud));
    }
    txFree = t;
  };
  return {
    clock, network, modem, arrivals, send,
    get rx() { return rx; },
    clear() { rx = ''; arrivals.length = 0; },
    async cmd(line: string, waitMs = 200): Promise<string> {
      rx = '';
      send(line + '\r\n');
      await clock.runFor(waitMs * 1000);
      return rx;
    },
  };
}

async function booted(net: Partial<CellularNetworkConfig> = {}, internet?: Internet) {
  const r = rig(net, internet);
  r.modem.powerOn();
  await r.clock.runFor(3_000_000);
  await r.cmd('AT');
  await r.cmd('ATE0');
  return r;
}

/** Bring up GPRS and the TCP/IP stack as TinyGSM's gprsConnect does. */
async function gprs(r: Awaited<ReturnType<typeof booted>>): Promise<void> {
  for (const c of ['AT+CGATT=1', 'AT+CIPMUX=1', 'AT+CIPQSEND=1', 'AT+CIPRXGET=1', 'AT+CSTT="terminal","",""', 'AT+CIICR', 'AT+CIFSR;E0']) {
    const a = await r.cmd(c, 5000);
    assert.ok(!a.includes('ERROR'), `${c}: ${a}`);
  }
}

test('it ignores the UART until it has booted (3 s), then locks to the baud rate of "AT"', async () => {
  const r = rig();
  r.modem.powerOn();
  assert.is(await r.cmd('AT', 500), '');
  await r.clock.runFor(3_000_000);
  assert.is(r.modem.baud, 0);
  assert.is(await r.cmd('AT'), 'AT\r\r\nOK\r\n'); // echo on by default
  assert.is(r.modem.baud, 9600);
});

test('AT+IPR=9600 at 115200 answers at 115200, then bytes at 115200 are not understood', async () => {
  const r = rig();
  r.modem.powerOn();
  await r.clock.runFor(3_000_000);
  r.send('AT+IPR=9600\r\n', 115200);
  await r.clock.runFor(100_000);
  assert.ok(r.rx.endsWith('OK\r\n'));
  r.clear();
  r.send('AT\r\n', 115200);
  await r.clock.runFor(100_000);
  assert.is(r.rx, '');
  assert.ok(r.modem.framingErrors > 0);
  assert.is(await r.cmd('AT'), 'AT\r\r\nOK\r\n');
});

test('a simple command is answered 10 ms after its CR; six reply bytes take 6.25 ms at 9600 baud', async () => {
  const r = await booted();
  await r.clock.runFor(1_000_000);
  r.clear();
  const t0 = r.clock.now();
  r.send('AT\r');
  await r.clock.runFor(100_000);
  const crAt = t0 + 3 * byteTimeUs(9600);
  const last = r.arrivals[r.arrivals.length - 1].t;
  assert.is(r.rx, '\r\nOK\r\n');
  assert.ok(Math.abs(last - (crAt + 10_000 + 6 * byteTimeUs(9600))) <= 2, `last byte at ${last - crAt} us after the CR`);
});

test('a line without the AT prefix is answered ERROR; text before AT on the line is skipped', async () => {
  const r = await booted();
  assert.is(await r.cmd('Disconnection spotted!!'), '\r\nERROR\r\n');
  assert.is(await r.cmd('Welcome\nAT+CPIN?'), '\r\n+CPIN: READY\r\n\r\nOK\r\n');
});

test('it registers registrationMs after the radio comes up, and never without coverage', async () => {
  const r = await booted({ registrationMs: 4000 });
  // booted: 3 s boot + two commands; registration completes at 3 s + 4 s
  assert.match(await r.cmd('AT+CREG?'), '+CREG: 0,2');
  await r.clock.runFor(4_000_000);
  assert.match(await r.cmd('AT+CREG?'), '+CREG: 0,1');
  const n = await booted({ coverage: false });
  await n.clock.runFor(60_000_000);
  assert.match(await n.cmd('AT+CREG?'), '+CREG: 0,2');
  assert.match(await n.cmd('AT+CSQ'), '+CSQ: 99,0');
});

test('with the radio off (AT+CFUN=0) the signal quality is unknown: +CSQ: 99,0 under full coverage', async () => {
  const r = await booted({ csq: 18 });
  assert.match(await r.cmd('AT+CSQ'), '+CSQ: 18,0');
  assert.match(await r.cmd('AT+CFUN=0', 2000), 'OK');
  assert.match(await r.cmd('AT+CSQ'), '+CSQ: 99,0');
});

test('a GPRS attach takes attachMs (1.5 s) with coverage and fails after attachFailMs without', async () => {
  const r = await booted();
  await r.clock.runFor(5_000_000);
  assert.is(await r.cmd('AT+CGATT=1', 1000), '');
  await r.clock.runFor(600_000);
  assert.match(r.rx, 'OK');
  const n = await booted({ coverage: false, attachFailMs: 20_000 });
  assert.is(await n.cmd('AT+CGATT=1', 19_000), '');
  await n.clock.runFor(2_000_000);
  assert.match(n.rx, 'ERROR');
});

test('attach-failures makes the next attaches fail, then they succeed', async () => {
  const r = await booted({ attachFailures: 1, attachFailMs: 1000 });
  await r.clock.runFor(5_000_000);
  assert.match(await r.cmd('AT+CGATT=1', 2000), 'ERROR');
  assert.match(await r.cmd('AT+CGATT=1', 2000), 'OK');
});

/** An internet with one echo-upper-case server at example.com:80. */
function echoInternet(log: string[]) {
  let events: TcpEvents | null = null;
  const internet: Internet = {
    open(host, port, ev) {
      if (host !== 'example.com') return 'dns';
      if (port !== 80) return 'refused';
      events = ev;
      return {
        send: (b) => { const s = String.fromCharCode(...b); log.push(s); events!.onData(new TextEncoder().encode(s.toUpperCase())); },
        close: () => { log.push('<close>'); },
      };
    },
  };
  return { internet, serverClose: () => events!.onClose() };
}

test('TCP: connect, quick send, the +CIPRXGET: 1 announcement and a manual read of the reply', async () => {
  const log: string[] = [];
  const { internet } = echoInternet(log);
  const r = await booted({ latencyMs: 200 }, internet);
  await r.clock.runFor(5_000_000);
  await gprs(r);
  const c = await r.cmd('AT+CIPSTART=0,"TCP","example.com",80', 2000);
  assert.match(c, '0, CONNECT OK');
  assert.is(await r.cmd('AT+CIPSEND=0,5'), '\r\n> ');
  r.clear();
  r.send('hello');
  await r.clock.runFor(100_000);
  assert.is(r.rx, '\r\nDATA ACCEPT:0,5\r\n');
  await r.clock.runFor(400_000); // 200 ms there, 200 ms back
  assert.equal(log, ['hello']);
  assert.match(r.rx, '+CIPRXGET: 1,0');
  assert.is(await r.cmd('AT+CIPRXGET=4,0'), '\r\n+CIPRXGET: 4,0,5\r\n\r\nOK\r\n');
  assert.is(await r.cmd('AT+CIPRXGET=2,0,3'), '\r\n+CIPRXGET: 2,0,3,2\r\nHEL\r\nOK\r\n');
});

test('TCP: AT+CIPSEND of more than 1460 bytes is answered ERROR without a prompt; 1460 gets one', async () => {
  const { internet } = echoInternet([]);
  const r = await booted({ latencyMs: 200 }, internet);
  await r.clock.runFor(5_000_000);
  await gprs(r);
  assert.match(await r.cmd('AT+CIPSTART=0,"TCP","example.com",80', 2000), '0, CONNECT OK');
  assert.is(await r.cmd('AT+CIPSEND=0,1461'), '\r\nERROR\r\n');
  assert.is(await r.cmd('AT+CIPSEND=0,1460'), '\r\n> ');
});

test('TCP: an unknown host gives CONNECT FAIL after the DNS timeout, a closed port at once', async () => {
  const { internet } = echoInternet([]);
  const r = await booted({ latencyMs: 100 }, internet);
  await r.clock.runFor(5_000_000);
  await gprs(r);
  assert.not.match(await r.cmd('AT+CIPSTART=0,"TCP","nowhere.example",80', 2000), 'CONNECT');
  await r.clock.runFor(2_000_000);
  assert.match(r.rx, '0, CONNECT FAIL');
  assert.match(await r.cmd('AT+CIPSTART=1,"TCP","example.com",81', 1000), '1, CONNECT FAIL');
});

test('TCP: the server closing is announced as "<mux>, CLOSED"; losing coverage closes and deactivates', async () => {
  const log: string[] = [];
  const e = echoInternet(log);
  const r = await booted({ latencyMs: 100 }, e.internet);
  await r.clock.runFor(5_000_000);
  await gprs(r);
  await r.cmd('AT+CIPSTART=0,"TCP","example.com",80', 2000);
  r.clear();
  e.serverClose();
  await r.clock.runFor(200_000);
  assert.match(r.rx, '0, CLOSED');
  await r.cmd('AT+CIPSTART=0,"TCP","example.com",80', 2000);
  r.clear();
  r.network.set({ coverage: false });
  await r.clock.runFor(100_000);
  assert.match(r.rx, '0, CLOSED');
  assert.match(r.rx, '+PDP: DEACT');
  assert.match(await r.cmd('AT+CIPSTART=0,"TCP","example.com",80', 2000), 'ERROR');
  await r.clock.runFor(200_000);
  assert.ok(log.includes('<close>'), 'the server was told');
});

test('dropConnections closes open sockets but leaves registration and GPRS attached', async () => {
  const e = echoInternet([]);
  const r = await booted({}, e.internet);
  await r.clock.runFor(5_000_000);
  await gprs(r);
  await r.cmd('AT+CIPSTART=0,"TCP","example.com",80', 3000);
  r.clear();
  r.network.dropConnections();
  await r.clock.runFor(100_000);
  assert.match(r.rx, '0, CLOSED');
  assert.ok(r.modem.registered);
  assert.ok(r.modem.attached);
});

test('AT+CFUN=1,1 reboots: nothing is read for the boot time, then RDY at the stored rate', async () => {
  const r = await booted();
  await r.cmd('AT+IPR=9600', 100);
  await r.cmd('AT&W');
  await r.cmd('AT+CFUN=1,1', 2000);
  assert.is(await r.cmd('AT', 1000), '');
  await r.clock.runFor(3_000_000);
  assert.match(r.rx, 'RDY');
  assert.is(await r.cmd('AT'), '\r\nOK\r\n'); // echo off was saved with AT&W
});

test.run();
