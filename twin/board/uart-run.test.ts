// The exact shortcut `uart-run` (hardware-serial.ts): bytes the SIM800 declares inert reach it in the event of the
// next byte that acts. Whatever the modem does (commands seen, replies and their times, framing errors) is the same
// with the shortcut on and off, also when a power cut or a baud change falls in the middle of a line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../kernel/clock.ts';
import { Cpu } from './cpu.ts';
import { HardwareSerial } from './hardware-serial.ts';
import { HELD_LAND_AT, Sim800 } from '../../models/modem/sim800.ts';
import { CellularNetwork } from '../../models/modem/cellular-network.ts';
import { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { readFrame, writeFrame } from '../../models/afe/uart-frame.ts';
import { REG } from '../../models/afe/registers.ts';

/** A modem on USART1 and a script of writes at given times; returns what the modem did, with times. */
/** A SIM800 at 9600 baud on a board port, its commands and reply bytes logged with their times (not powered yet). */
function loggedModem(uartRuns: boolean): { clock: VirtualClock; cpu: Cpu; modem: Sim800; port: HardwareSerial; log: string[] } {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const modem = new Sim800(clock, new CellularNetwork({}, () => 0.5), undefined, { storedBaud: 9600 });
  const log: string[] = [];
  modem.onCommand = (line, t) => log.push(`${t} command ${line}`);
  const port = new HardwareSerial(cpu, 'modem', modem.uart, undefined, { uartRuns });
  modem.attachHost({ receive: (b) => log.push(`${clock.now()} reply ${b}`) });
  return { clock, cpu, modem, port, log };
}

async function session(uartRuns: boolean, script: (port: HardwareSerial, modem: Sim800, at: (ms: number, fn: () => void) => void) => void) {
  const { clock, modem, port, log } = loggedModem(uartRuns);
  modem.powerOn();
  port.begin(9600);
  script(port, modem, (ms, fn) => clock.at(ms * 1000, fn));
  await clock.runUntil(20e6);
  log.push(`framing errors ${modem.framingErrors}`);
  return { log: log.join('\n'), heldBack: port.bytesHeldBack };
}

function same(script: Parameters<typeof session>[1], minHeld: number): Promise<void> {
  return (async () => {
    const fast = await session(true, script);
    const slow = await session(false, script);
    assert.fixture(fast.log, slow.log);
    assert.ok(fast.heldBack >= minHeld, `only ${fast.heldBack} bytes held back`);
    assert.is(slow.heldBack, 0);
  })();
}

test('command lines written back to back: the same commands, replies and times, most bytes held back', async () => {
  await same((port, _m, at) => {
    at(3100, () => port.write('AT\r\nATE0\r\nAT+CSQ\r\nAT+CREG?\r\nAT+CGATT?\r\n'));
    at(3300, () => port.write('some debug text without a prefix\r\nAT+CPIN?\r\n'));
  }, 30);
});

test('a power cut in the middle of a line: the bytes on the wire before it reach the modem before its reset', async () => {
  await same((port, modem, at) => {
    at(3100, () => port.write('AT+CSQ'));
    at(3103, () => { port.powerOff(); modem.powerOff(); });
    at(3200, () => { modem.powerOn(); port.begin(9600); });
    at(6300, () => port.write('AT+CSQ\r\n'));
  }, 4);
});

test('a baud change with bytes held back at the old rate: framing errors and commands as byte by byte', async () => {
  await same((port, _m, at) => {
    at(3100, () => port.write('AT+IPR=19200\r\n'));
    at(3112, () => port.write('AT+CSQ\r\n'));
    at(3200, () => { port.begin(19200); port.write('AT+CREG?\r\n'); });
  }, 4);
});

test('lines that cannot be commands written faster than the wire takes them (the D39 flood), with commands, a baud change and a power cut among them: as byte by byte', async () => {
  const flood = 'incoming byte = \0\r\n';
  await same((port, modem, at) => {
    // A line every 20 ms (the wire takes 19.8 ms): the TX buffer fills and stays full, so a line's CR is always on the wire behind the next.
    for (let ms = 3100; ms < 4500; ms += 20) at(ms, () => port.write(flood));
    at(3205, () => port.write('AT+CSQ\r\n'));
    at(3300, () => port.write('incoming byte = AT\r\n')); // a command after all: "AT" anywhere in the line
    at(3400, () => port.write('a lower-case a line\r\n'));
    at(3450, () => port.write('ATE0\r\n')); // the echo goes: the flood's garbage lines answer ERROR alone
    at(4552, () => modem.powerOff());
    at(4560, () => modem.powerOn());
    for (let ms = 8000; ms < 8600; ms += 20) at(ms, () => port.write(flood));
    at(8300, () => port.write('AT+IPR=19200\r\n'));
    at(8400, () => port.begin(19200));
  }, 800);
});

test('nobody watching the wire is a condition: with onTransmit every byte keeps its own event', async () => {
  const r = await session(true, (port, _m, at) => {
    port.onTransmit = () => undefined;
    at(3100, () => port.write('AT+CSQ\r\n'));
  });
  assert.is(r.heldBack, 0);
  assert.match(r.log, /command AT\+CSQ/);
});

/** A port with no peer: a watcher attached while bytes are on the wire; what it sees and when. */
async function lateWatcher(uartRuns: boolean, withModem: boolean) {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const modem = new Sim800(clock, new CellularNetwork({}, () => 0.5), undefined, { storedBaud: 9600 });
  modem.powerOn();
  const port = new HardwareSerial(cpu, 'debug', withModem ? modem.uart : undefined, undefined, { uartRuns });
  port.begin(9600);
  const seen: string[] = [];
  clock.at(3100e3, () => port.write('AT+CSQ and more text'));
  clock.at(3105e3, () => { port.onTransmit = (b, t) => seen.push(`${clock.now()} ${t.toFixed(1)} ${b}`); });
  clock.at(3112e3, () => { port.onTransmit = undefined; });
  clock.at(3120e3, () => port.write('AT\r\n'));
  await clock.runUntil(4e6);
  return { seen: seen.join('\n'), skipped: port.bytesHeldBack + port.bytesUnheard };
}

for (const withModem of [false, true]) {
  test(`a watcher attached while ${withModem ? 'bytes held back for the modem' : 'bytes to nobody'} are on the wire sees each byte at its time`, async () => {
    const fast = await lateWatcher(true, withModem);
    const slow = await lateWatcher(false, withModem);
    assert.ok(slow.seen.split('\n').length >= 5, 'the watcher saw too little to compare');
    assert.fixture(fast.seen, slow.seen);
    assert.ok(fast.skipped > 0, 'the shortcut never fired');
    assert.is(slow.skipped, 0);
  });
}

/** A powered SIM800 at 9600 baud wired to a board's modem port (with or without `rx-run`). */
function modemOnPort(rxRuns: boolean) {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const modem = new Sim800(clock, new CellularNetwork({}, () => 0.5), undefined, { storedBaud: 9600 });
  const port = new HardwareSerial(cpu, 'modem', modem.uart, undefined, { rxRuns });
  modem.attachHost(port.rxPeer);
  modem.powerOn();
  port.begin(9600);
  return { clock, cpu, modem, port };
}

/**
 * `rx-run`: the modem's replies to a board port that lets them wait. The firmware side is a script that looks at the
 * port at given times (what is available, the bytes it reads); a power cut, a reboot and a new host fall in the
 * middle of replies.
 */
async function replies(rxRuns: boolean) {
  const wired = modemOnPort(rxRuns);
  const { clock, cpu, modem } = wired;
  let port = wired.port;
  const log: string[] = [];
  const look = (what: string): void => {
    let text = '';
    for (let c = port.read(); c >= 0; c = port.read()) text += String.fromCharCode(c);
    log.push(`${clock.now()} ${what} ${JSON.stringify(text)} overruns ${port.overruns}`);
  };
  // Several looks within one reply (a chunk lands every 8.3 ms), on chunk times and between them.
  clock.at(3100e3, () => port.write('AT+CPIN?\r\nATI\r\n'));
  for (let ms = 3110; ms < 3200; ms += 7) clock.at(ms * 1000, () => look('read'));
  clock.at(3200e3, () => { look('peek'); log.push(`available ${port.available()} peek ${port.peek()}`); });
  // A reply cut by the modem's power-off, then the modem back.
  clock.at(3300e3, () => port.write('AT+CPIN?\r\n'));
  clock.at(3330e3, () => modem.powerOff());
  clock.at(3340e3, () => { look('after the cut'); modem.powerOn(); });
  // A long reply left unread: the RX buffer overruns as byte by byte.
  clock.at(6400e3, () => { for (let i = 0; i < 12; i++) port.write('ATI\r\n'); });
  clock.at(7800e3, () => look('overrun'));
  // A reply on the wire when the board is replaced (a power cycle of the meter): the rest goes to the new port.
  clock.at(8000e3, () => port.write('ATI\r\n'));
  clock.at(8030e3, () => {
    look('old board');
    port = new HardwareSerial(cpu, 'modem', modem.uart, undefined, { rxRuns });
    port.begin(9600);
    modem.attachHost(port.rxPeer);
  });
  clock.at(8100e3, () => look('new board'));
  await clock.runUntil(9e6);
  return { log: log.join('\n'), held: modem.replyBytesHeld };
}

test('rx-run: modem replies reach the port when it looks, as chunk by chunk, across a power-off, an overrun and a new host', async () => {
  const fast = await replies(true);
  const slow = await replies(false);
  assert.fixture(fast.log, slow.log);
  assert.match(slow.log, /overruns [1-9]/, 'the script never overran the RX buffer');
  assert.match(slow.log, /new board "[^"]+"/, 'nothing reached the new board');
  assert.ok(fast.held > 100, `only ${fast.held} reply bytes held`);
  assert.is(slow.held, 0);
});

/** A board that writes to the modem for `minutes` and never looks at its RX buffer until the end (D39's flood). */
async function neverLooks(rxRuns: boolean, minutes: number) {
  const { clock, modem, port } = modemOnPort(rxRuns);
  let mostHeld = 0;
  clock.every(60e3, () => { port.write('ATI\r\n'); mostHeld = Math.max(mostHeld, modem.chunksHeld); }, 3100e3);
  await clock.runUntil(3100e3 + minutes * 60e6);
  let text = '';
  const overruns = port.overruns;
  for (let c = port.read(); c >= 0; c = port.read()) text += String.fromCharCode(c);
  return { seen: `${overruns} ${JSON.stringify(text)}`, mostHeld };
}

test('rx-run: a port that never looks at its RX buffer holds a bounded number of reply chunks, and reads at the end what chunk by chunk gives', async () => {
  const fast = await neverLooks(true, 10);
  const slow = await neverLooks(false, 10);
  assert.fixture(fast.seen, slow.seen);
  assert.ok(fast.mostHeld <= HELD_LAND_AT + 8, `held ${fast.mostHeld} chunks`);
  assert.ok(fast.mostHeld >= HELD_LAND_AT / 2, `the replies came too slowly to test the bound (${fast.mostHeld})`);
});

/**
 * `rx-run` for the metering chip's replies (3 bytes a read at 9600 baud, one event each byte by byte): a script reads
 * registers and looks at the port at given times; the chip dies and comes back, a watcher attaches, a soft reset and a
 * new host fall in the middle of replies.
 */
async function chipReplies(rxRuns: boolean) {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const chip = new ATM90E26(clock);
  let port = new HardwareSerial(cpu, 'afe', chip.uart, undefined, { rxRuns });
  chip.attachHost(port.rxPeer);
  port.begin(9600);
  const log: string[] = [];
  const look = (what: string): void => {
    const bytes: number[] = [];
    for (let c = port.read(); c >= 0; c = port.read()) bytes.push(c);
    log.push(`${clock.now()} ${what} [${bytes.join(' ')}] overruns ${port.overruns}`);
  };
  const read = (addr: number): void => { port.write(Uint8Array.from(readFrame(addr))); };
  // Looks within a reply (a byte lands every 1.04 ms), on byte times and between them.
  clock.at(1000e3, () => read(REG.PLconstL));
  for (let us = 1000e3; us < 1008e3; us += 417) clock.at(us, () => look('read'));
  clock.at(1010e3, () => { log.push(`available ${port.available()} peek ${port.peek()}`); look('rest'); });
  // The chip dies with a reply on the wire, then comes back.
  clock.at(2000e3, () => read(REG.PLconstL));
  clock.at(2005.5e3, () => chip.configure({ dead: true }));
  clock.at(2010e3, () => { look('dead'); chip.configure({ dead: false }); });
  // A watcher of the chip's UTX attaches in the middle of a reply.
  clock.at(3000e3, () => read(REG.PLconstH));
  clock.at(3005.2e3, () => { chip.onTransmit = (b, t) => log.push(`${t} UTX ${b}`); });
  clock.at(3010e3, () => { look('watched'); chip.onTransmit = undefined; });
  // A soft reset (its reply first) and replies left unread: the RX buffer overruns as byte by byte.
  clock.at(4000e3, () => port.write(Uint8Array.from(writeFrame(REG.SoftReset, 0x789a))));
  for (let i = 0; i < 30; i++) clock.at(4010e3 + i * 7e3, () => read(i % 2 ? REG.PLconstH : REG.PLconstL));
  clock.at(4300e3, () => look('overrun'));
  // A reply on the wire when the board is replaced (a power cycle of the meter): the rest goes to the new port.
  clock.at(5000e3, () => read(REG.PLconstL));
  clock.at(5005.5e3, () => {
    look('old board');
    port = new HardwareSerial(cpu, 'afe', chip.uart, undefined, { rxRuns });
    port.begin(9600);
    chip.attachHost(port.rxPeer);
  });
  clock.at(5010e3, () => look('new board'));
  await clock.runUntil(6e6);
  return { log: log.join('\n'), held: chip.replyBytesHeld };
}

test('rx-run: the metering chip\'s replies reach the port when it looks, as byte by byte, across its death, a watcher, an overrun and a new host', async () => {
  const fast = await chipReplies(true);
  const slow = await chipReplies(false);
  assert.fixture(fast.log, slow.log);
  assert.match(slow.log, /overruns [1-9]/, 'the script never overran the RX buffer');
  assert.match(slow.log, /UTX \d+/, 'the watcher saw nothing');
  assert.match(slow.log, /new board \[\d/, 'nothing reached the new board');
  assert.ok(fast.held > 60, `only ${fast.held} reply bytes held`);
  assert.is(slow.held, 0);
});

/**
 * Writes of several bytes that `uart-run` takes in runs (`#putRun`): lines and the time they are told, a string
 * longer than the TX buffer (the writer spins), a Uint8Array, a port with no peer, and a line listener that attaches
 * a watcher of the wire at one line's end and takes it off at another's, in the middle of one write.
 */
async function runs(uartRuns: boolean) {
  const { clock, cpu, modem, port, log } = loggedModem(uartRuns);
  const debug = new HardwareSerial(cpu, 'debug', undefined, undefined, { uartRuns });
  const wire = (b: number, t: number): void => { log.push(`${t} wire ${b}`); };
  port.onLine = (l) => {
    log.push(`${cpu.nowUs()} line ${l}`);
    if (l === 'AT+CSQ') port.onTransmit = wire;
    if (l === 'AT+CREG?') port.onTransmit = undefined;
  };
  debug.onLine = (l) => log.push(`${cpu.nowUs()} debug ${l}`);
  modem.powerOn();
  port.begin(9600);
  debug.begin(115200);
  const at = (ms: number, fn: () => void): void => { clock.at(ms * 1000, fn); };
  const written = (what: string): void => { log.push(`${cpu.nowUs()} wrote ${what}`); };
  at(3100, () => { port.write('AT\r\nAT+CSQ\r\nAT+CPIN?\r\nAT+CREG?\r\nAT+CGATT?\r\n'); written('lines'); });
  at(3200, () => { port.write(`AT+CSTT="${'x'.repeat(90)}"\r\n`); written('a long line'); });
  at(3400, () => { port.write(new TextEncoder().encode('AT+CSQ\r\nAT+CIPSTATUS\r\n')); written('bytes'); });
  at(3500, () => { debug.write('reading 1.234 kWh\r\ncredit 20.5\r\n'); written('debug'); });
  await clock.runUntil(20e6);
  return { log: log.join('\n'), heldBack: port.bytesHeldBack, unheard: debug.bytesUnheard };
}

test('uart-run takes writes in runs: the same lines at the same times, spins, commands, wire bytes and replies', async () => {
  const fast = await runs(true);
  const slow = await runs(false);
  assert.fixture(fast.log, slow.log);
  assert.match(fast.log, /line AT\+CSTT="x{90}"/);
  assert.match(fast.log, /wire 43/); // '+' of AT+CPIN?, seen by the watcher attached at the end of AT+CSQ
  assert.ok(fast.heldBack >= 60, `only ${fast.heldBack} bytes held back`);
  assert.ok(fast.unheard >= 30, `only ${fast.unheard} debug bytes went without an event`);
  assert.is(slow.heldBack + slow.unheard, 0);
});

test.run();
