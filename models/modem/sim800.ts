// SIMCom SIM800 GSM/GPRS module at the AT-command level the meter's TinyGSM 0.11.5 client uses (firmware §9.1-9.5):
// auto-baud and `AT+IPR`, echo, `AT&W`, `AT+CFUN` (radio off, reboot), SIM and registration status, signal quality,
// GPRS attach and detach (`AT+CGATT`), the bearer (`AT+SAPBR`), PDP context (`AT+CGACT`), the TCP/IP stack
// (`AT+CSTT`, `AT+CIICR`, `AT+CIFSR`, `AT+CIPSHUT`) and five TCP connections with quick send (`AT+CIPQSEND=1`) and
// manual receive (`AT+CIPRXGET=1`).
//
// Host side: `uart` receives the blue pill's USART1 bytes (the sender does the timing, models/uart.ts); replies go to
// the peer given to `attachHost`, sent back to back at the modem's baud rate after the command's processing time.
// Network side: a CellularNetwork (coverage, signal, latency, attach failures) and an Internet that resolves host
// names to servers. Everything runs on the virtual clock (SimTime); nothing here does I/O.
//
// Reply timing (config defaults): the SIM800 answers simple commands within a few milliseconds; network operations
// take what the network takes: registration a few seconds after the radio comes up, a GPRS attach 1-2 s, bearer
// and PDP activation 1-3 s, `AT+CIPSHUT` about 0.3 s, a TCP connect one DNS and one TCP round trip, data one-way
// latency. When the network does not answer (no coverage, attach refused), attach-type commands fail after
// `attachFailMs` of the network model. The manual's maximum response times (CGATT 75 s, SAPBR 85 s, CIICR 85 s,
// CIPSHUT 65 s) bound these; the twin's TinyGSM gives up earlier (60 s) on some, as the real library does.
import { DOUBLE_FIELD, doubleArray, type SimTime } from '../sim-time.ts';
import { byteTimeUs, isUartBufferPeer, isUartRunPeer, type UartPeer, type UartRunPeer } from '../uart.ts';
import { AtCommandParser } from './at-command-parser.ts';
import type { CellularNetwork } from './cellular-network.ts';
import { ModemSocket, NO_INTERNET, type Internet, type TcpPeer } from './tcp-socket.ts';

export interface Sim800Config {
  /** `ATI` identification text. */
  info: string;
  /** Fixed baud rate stored in the module's profile (`AT+IPR` + `AT&W`); 0 = auto-baud (factory default). */
  storedBaud: number;
  /** Time from power-on (or `AT+CFUN=1,1`) until the module reads commands, ms (datasheet: ≥ 3 s to "RDY"). */
  bootMs: number;
  /** Processing time of a command that does not touch the network, ms. */
  commandMs: number;
  /** `AT+CFUN=0` (radio off, deregistration), ms. */
  cfunMs: number;
  /** GPRS detach (`AT+CGATT=0`), ms. */
  detachMs: number;
  /** GPRS attach (`AT+CGATT=1`), ms, when the network accepts. */
  attachMs: number;
  /** Bearer open (`AT+SAPBR=1,1`) or PDP activation (`AT+CGACT=1,1`), ms. */
  bearerMs: number;
  /** Wireless connection bring-up (`AT+CIICR`), ms. */
  ciicrMs: number;
  /** `AT+CIPSHUT`, ms. */
  shutMs: number;
  /** A DNS lookup that fails (the name does not resolve), ms beyond the round trip. */
  dnsFailMs: number;
  /** TCP connect to a host that does not answer, until `CONNECT FAIL`, ms (the SIM800 retries SYN for ~75 s). */
  connectTimeoutMs: number;
  /** IP address handed out by the operator (`AT+CIFSR`). */
  localIp: string;
}

export const SIM800_DEFAULTS: Sim800Config = {
  info: 'SIM800 R14.18', storedBaud: 0, bootMs: 3000, commandMs: 10, cfunMs: 1500, detachMs: 800, attachMs: 1500,
  bearerMs: 1800, ciicrMs: 1200, shutMs: 300, dnsFailMs: 3000, connectTimeoutMs: 75_000, localIp: '10.174.28.61',
};

/** Number of TCP connections with `AT+CIPMUX=1`. */
export const SIM800_MUX_COUNT = 5;
/** Largest `AT+CIPSEND` / `AT+CIPRXGET=2` length. */
export const SIM800_MAX_PAYLOAD = 1460;
/** `rx-run`: held reply chunks beyond which the due ones land without the host asking (memory stays bounded). */
export const HELD_LAND_AT = 256;
/** Reply bytes delivered per clock event (≈ 8.3 ms at 9600 baud): fewer events, each byte still on time ± a chunk. */
const CHUNK = 8;

/**
 * Reply chunks held for a host that lets them wait (`rx-run`), oldest first: each one the bytes `from`..`to` of `text`,
 * landing at `t` with the event place `seq` its own event would have had. Parallel arrays, no object per chunk.
 */
class HeldReplies {
  text: string[] = [];
  from: number[] = [];
  to: number[] = [];
  /** (Doubles from the start: models/sim-time.ts DOUBLE_FIELD.) */
  t: number[] = doubleArray();
  seq: number[] = [];
  epoch: number[] = [];
  baud: number[] = [];
  head = 0;
  len = 0;
  get size(): number { return this.len - this.head; }
  push(text: string, from: number, to: number, t: number, seq: number, epoch: number, baud: number): void {
    const i = this.len++;
    this.text[i] = text; this.from[i] = from; this.to[i] = to; this.t[i] = t; this.seq[i] = seq;
    this.epoch[i] = epoch; this.baud[i] = baud;
  }
  /** Forget the chunks taken (the arrays keep their storage; texts are let go); chunks still held move to the front now and then. */
  compact(): void {
    if (this.head < this.len) {
      if (this.head < 1024) return;
      // In place, keeping the storage; the texts left behind the chunks still held are let go.
      const n = this.len - this.head;
      for (let k = 0; k < n; k++) {
        const j = this.head + k;
        this.text[k] = this.text[j]; this.from[k] = this.from[j]; this.to[k] = this.to[j]; this.t[k] = this.t[j];
        this.seq[k] = this.seq[j]; this.epoch[k] = this.epoch[j]; this.baud[k] = this.baud[j];
      }
      for (let i = n; i < this.len; i++) this.text[i] = '';
      this.len -= this.head;
      this.head = 0;
      return;
    }
    for (let i = 0; i < this.len; i++) this.text[i] = '';
    this.head = 0;
    this.len = 0;
  }
}

/** A command line's name: up to its first '=' or '?' (`+CIPSEND` of `+CIPSEND=0,12`, `+CREG` of `+CREG?`). */
function commandName(upper: string): string {
  for (let i = 0; i < upper.length; i++) {
    const c = upper.charCodeAt(i);
    if (c === 0x3d || c === 0x3f) return upper.slice(0, i);
  }
  return upper;
}

type IpState = 'IP INITIAL' | 'IP START' | 'IP GPRSACT' | 'IP STATUS' | 'PDP DEACT';

/** What the modem reports to observers. */
export type ModemEvent =
  | { kind: 'power'; on: boolean }
  | { kind: 'registered'; registered: boolean }
  | { kind: 'gprs'; attached: boolean }
  | { kind: 'connect'; mux: number; host: string; port: number; ok: boolean; reason?: string }
  | { kind: 'closed'; mux: number; by: 'modem' | 'server' | 'network' };

export class Sim800 {
  readonly config: Sim800Config;
  readonly network: CellularNetwork;
  readonly #time: SimTime;
  #internet: Internet;
  #host: UartPeer | null = null;
  readonly #parser = new AtCommandParser();
  readonly sockets: ModemSocket[] = Array.from({ length: SIM800_MUX_COUNT }, (_, i) => new ModemSocket(i));
  /** The host's side of the modem's RX line (it lets the host hold back inert bytes: models/uart.ts). */
  readonly uart: UartRunPeer;
  /** Every command line received (for traces and tests). */
  onCommand?: (line: string, tUs: number) => void;
  /** Registration, attach and connection changes. */
  onEvent?: (e: ModemEvent, tUs: number) => void;
  /** Bytes that arrived at a baud rate the modem is not listening at. */
  framingErrors = 0;
  /** Reply bytes that reached the host without a clock event of their own (the `rx-run` shortcut's counter). */
  replyBytesHeld = 0;
  /** `rx-run`: reply chunks waiting for the host to look at its RX buffer. */
  readonly #held = new HeldReplies();

  // --- profile (survives power cycles) ---
  #storedBaud: number;
  #storedEcho = true;
  // --- run-time state ---
  #powered = false;
  #readyAt = DOUBLE_FIELD;
  #baud = 0;
  /** `AT+IPR` set a fixed rate (else auto-baud). */
  #iprFixed = false;
  #autoCandidate = 0;
  #autoSawA = false;
  #echo = true;
  #radioOn = false;
  #registeredAt = Infinity;
  #wasRegistered = false;
  #attached = false;
  #bearerOpen = false;
  #ipState: IpState = 'IP INITIAL';
  #quickSend = false;
  #manualRx = false;
  /** Pending data-mode send. */
  #sendMux = -1;
  #txFreeAt = DOUBLE_FIELD;
  /** Bumped at power-off and reboot: scheduled replies of the previous run are void. */
  #epoch = 0;

  constructor(time: SimTime, network: CellularNetwork, internet: Internet = NO_INTERNET, config: Partial<Sim800Config> = {}) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#readyAt = 0;
    this.#txFreeAt = 0;
    this.#time = time;
    this.network = network;
    this.#internet = internet;
    this.config = { ...SIM800_DEFAULTS, ...config };
    this.#storedBaud = this.config.storedBaud;
    this.uart = {
      receive: (byte: number, baud: number) => this.#receive(byte, baud),
      // Inert: only a command line's or a payload's middle, at the locked rate, while the module reads its UART.
      // The parser is asked about every byte (it follows the bytes on their way), and told of those it will not take.
      inert: (byte: number, baud: number, pendingBefore: number) => {
        const inert = this.#parser.inert(byte, pendingBefore);
        if (this.#powered && baud === this.#baud && this.#time.now() >= this.#readyAt) return inert;
        this.#parser.lost();
        return false;
      },
      due: null,
    };
    network.onChange = () => this.#networkChanged();
    network.onDrop = () => this.#dropAll('network');
  }

  /**
   * Where replies go (the board's USART1 RX), or null. Held reply bytes that have arrived by now go to the old host;
   * those still on the wire get their own events at their places, and reach whoever is the host then, as before.
   */
  attachHost(peer: UartPeer | null): void {
    const old = this.#host;
    this.#landHeld();
    const q = this.#held;
    const time = this.#time;
    for (let i = q.head; i < q.len; i++) {
      const text = q.text[i];
      const from = q.from[i];
      const to = q.to[i];
      const epoch = q.epoch[i];
      const baud = q.baud[i];
      time.atReserved!(q.t[i], q.seq[i], () => this.#deliver(text, from, to, epoch, baud));
    }
    q.head = q.len;
    q.compact();
    if (old && isUartRunPeer(old) && old.due === this.#landHeld) old.due = null;
    this.#host = peer;
  }
  setInternet(internet: Internet): void { this.#internet = internet; }

  get powered(): boolean { return this.#powered; }
  /** `rx-run`: reply chunks held for the host now (for tests and diagnostics). */
  get chunksHeld(): number { return this.#held.size; }
  /** The baud rate the modem talks at now (0: auto-baud, not yet locked). */
  get baud(): number { return this.#baud; }
  get registered(): boolean { return this.#registration() === 1; }
  get attached(): boolean { return this.#attached; }
  get ipState(): string { return this.#ipState; }

  // --- power ----------------------------------------------------------------------------------------------------

  powerOn(): void {
    if (this.#powered) return;
    this.uart.due?.();
    this.#powered = true;
    this.#boot();
    this.onEvent?.({ kind: 'power', on: true }, this.#time.now());
  }

  powerOff(): void {
    if (!this.#powered) return;
    this.uart.due?.();
    this.#powered = false;
    this.#voidHeld();
    this.#epoch++;
    this.#dropAll('network', false);
    this.#radioOn = false;
    this.#attached = false;
    this.#bearerOpen = false;
    this.#ipState = 'IP INITIAL';
    this.#parser.reset();
    this.onEvent?.({ kind: 'power', on: false }, this.#time.now());
  }

  /** Power-on or `AT+CFUN=1,1`: the profile is reloaded, the radio comes up. */
  #boot(): void {
    this.uart.due?.();
    const now = this.#time.now();
    this.#voidHeld();
    this.#epoch++;
    this.#readyAt = now + this.config.bootMs * 1000;
    this.#txFreeAt = this.#readyAt;
    this.#baud = this.#storedBaud;
    this.#iprFixed = this.#storedBaud !== 0;
    this.#autoSawA = false;
    this.#echo = this.#storedEcho;
    this.#quickSend = false;
    this.#manualRx = false;
    this.#sendMux = -1;
    this.#parser.reset();
    this.#attached = false;
    this.#bearerOpen = false;
    this.#ipState = 'IP INITIAL';
    for (const s of this.sockets) this.#closePeer(s.reset('INITIAL'));
    this.#radio(true, this.#readyAt);
    // With a fixed rate the module announces itself; in auto-baud it stays silent until it hears "AT".
    if (this.#baud) this.#emitAt('\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n', this.#readyAt);
  }

  #radio(on: boolean, fromUs = this.#time.now()): void {
    this.#radioOn = on;
    this.#registeredAt = on && this.network.canRegister ? fromUs + this.network.registrationMs * 1000 : Infinity;
    this.#noteRegistration();
  }

  /** 0 not searching (radio off), 1 registered, 2 searching (`+CREG` stat). */
  #registration(): number {
    if (!this.#powered || !this.#radioOn) return 0;
    if (!this.network.canRegister) return 2;
    return this.#time.now() >= this.#registeredAt ? 1 : 2;
  }

  #noteRegistration(): void {
    const r = this.#registration() === 1;
    if (r !== this.#wasRegistered) {
      this.#wasRegistered = r;
      this.onEvent?.({ kind: 'registered', registered: r }, this.#time.now());
    }
  }

  #networkChanged(): void {
    if (!this.#powered || !this.#radioOn) return;
    if (!this.network.canRegister) {
      // Coverage lost: deregistered, GPRS gone, every connection closed, the PDP context deactivated.
      const hadGprs = this.#attached || this.#ipState !== 'IP INITIAL';
      this.#registeredAt = Infinity;
      this.#dropAll('network');
      this.#setAttached(false);
      this.#bearerOpen = false;
      if (hadGprs && this.#ipState !== 'IP INITIAL') {
        this.#ipState = 'PDP DEACT';
        this.#emit('\r\n+PDP: DEACT\r\n');
      }
    } else if (this.#registeredAt === Infinity) {
      this.#registeredAt = this.#time.now() + this.network.registrationMs * 1000;
    }
    this.#noteRegistration();
  }

  #setAttached(a: boolean): void {
    if (a === this.#attached) return;
    this.#attached = a;
    this.onEvent?.({ kind: 'gprs', attached: a }, this.#time.now());
  }

  // --- UART in ----------------------------------------------------------------------------------------------------

  #receive(byte: number, baud: number): void {
    this.#parser.arrive();
    if (!this.#powered || this.#time.now() < this.#readyAt) return; // booting: the UART is not read yet
    if (this.#baud === 0) {
      // Auto-baud: the module measures the rate on "AT" (or "at") and locks to it.
      if (byte === 0x41 || byte === 0x61) { this.#autoSawA = true; this.#autoCandidate = baud; return; }
      if ((byte === 0x54 || byte === 0x74) && this.#autoSawA && baud === this.#autoCandidate) {
        this.#baud = baud;
        this.#parser.reset();
        this.#parser.push(0x41);
        this.#feed(byte);
        return;
      }
      this.#autoSawA = false;
      return;
    }
    if (baud !== this.#baud) { this.framingErrors++; return; }
    this.#feed(byte);
  }

  #feed(byte: number): void {
    const r = this.#parser.push(byte);
    if (!r) return;
    if (r.kind === 'data') { this.#dataReceived(r.bytes); return; }
    if (this.#echo) this.#emit(r.line + '\r');
    if (r.kind === 'garbage') { this.#emit('\r\nERROR\r\n'); return; }
    this.onCommand?.(r.line, this.#time.now());
    this.#command(r.line);
  }

  // --- UART out ---------------------------------------------------------------------------------------------------

  /** Queue reply text after `delayMs` of processing (and after whatever is still being sent). */
  #emit(text: string, delayMs = this.config.commandMs): void {
    this.#emitAt(text, this.#time.now() + delayMs * 1000);
  }

  #emitAt(text: string, atUs: number): void {
    if (!text.length) return;
    const baud = this.#baud || this.#autoCandidate || 9600;
    const bt = byteTimeUs(baud);
    let t = Math.max(atUs, this.#txFreeAt);
    const epoch = this.#epoch;
    const time = this.#time;
    // `rx-run`: a host that lets its bytes wait (it looks for them before anything reads or changes its RX buffer)
    // gets no event per chunk: the chunk takes the place its event would have had, and lands when the host asks.
    const host = this.#host;
    const held = isUartBufferPeer(host) && time.reserveSeq !== undefined;
    // A host that never looks at its RX buffer (the OpenPAYGO modes write to the modem line and never read it) would
    // leave the chunks held for ever: past HELD_LAND_AT the due ones land now, as they would when the host asked.
    if (held && this.#held.size >= HELD_LAND_AT) this.#landHeld();
    for (let i = 0; i < text.length; i += CHUNK) {
      const to = Math.min(text.length, i + CHUNK);
      for (let j = i; j < to; j++) t += bt; // byte by byte: the same float sums as the reply's timing
      const at = Math.max(time.now(), Math.ceil(t));
      if (held) {
        this.#held.push(text, i, to, at, time.reserveSeq!(), epoch, baud);
        continue;
      }
      const from = i;
      time.at(at, () => this.#deliver(text, from, to, epoch, baud));
    }
    if (held && host.due !== this.#landHeld) host.due = this.#landHeld;
    this.#txFreeAt = t;
  }

  /** A chunk of reply bytes reaches the host (the chunk's event, or the host asking): nothing if sent before a reboot. */
  #deliver(text: string, from: number, to: number, epoch: number, baud: number): void {
    const host = this.#host;
    if (epoch !== this.#epoch || !host) return;
    for (let j = from; j < to; j++) host.receive(text.charCodeAt(j) & 0xff, baud);
  }

  /** `rx-run`: the held chunks whose own events would have run by now reach the host, in order. */
  readonly #landHeld = (): void => {
    const q = this.#held;
    if (q.head === q.len) return;
    const time = this.#time;
    while (q.head < q.len) {
      const i = q.head;
      if (!time.ranBefore!(q.t[i], q.seq[i])) break;
      q.head++;
      this.replyBytesHeld += q.to[i] - q.from[i];
      this.#deliver(q.text[i], q.from[i], q.to[i], q.epoch[i], q.baud[i]);
    }
    q.compact();
  };

  /** Before a reboot or power-off voids the replies on their way: those that have arrived by now land first. */
  #voidHeld(): void {
    this.#landHeld();
    const q = this.#held;
    q.head = q.len;
    q.compact();
  }

  #ok(delayMs = this.config.commandMs): void { this.#emit('\r\nOK\r\n', delayMs); }
  #error(delayMs = this.config.commandMs): void { this.#emit('\r\nERROR\r\n', delayMs); }

  // --- commands ---------------------------------------------------------------------------------------------------

  #command(raw: string): void {
    const line = raw.slice(2); // after "AT"
    const upper = line.toUpperCase();
    let m: RegExpExecArray | null;
    // Dispatched on the command's name (up to '=' or '?'), so a command is matched against its own forms only.
    switch (commandName(upper)) {
      case '': if (upper === '') return this.#ok(); break;
      // (A name is also the start of a longer line, `E0?` or `+CSQ=1`: the exact forms are checked again.)
      case 'E0': case 'E1': if (upper === 'E0' || upper === 'E1') { this.#echo = upper === 'E1'; return this.#ok(); } break;
      case '&W':
        if (upper === '&W') { this.#storedEcho = this.#echo; this.#storedBaud = this.#iprFixed ? this.#baud : 0; return this.#ok(); }
        break;
      case 'I': if (upper === 'I') return this.#emit(`\r\n${this.config.info}\r\n\r\nOK\r\n`); break;
      case '+IPR':
        if ((m = /^\+IPR=(\d+)$/.exec(upper))) return this.#setBaud(Number(m[1]));
        if (upper === '+IPR?') return this.#emit(`\r\n+IPR: ${this.#iprFixed ? this.#baud : 0}\r\n\r\nOK\r\n`);
        break;
      case '+CFUN':
        if ((m = /^\+CFUN=([01])(?:,([01]))?$/.exec(upper))) return this.#cfun(m[1] === '1', m[2] === '1');
        if (upper === '+CFUN?') return this.#emit(`\r\n+CFUN: ${this.#radioOn ? 1 : 0}\r\n\r\nOK\r\n`);
        break;
      case '+CMEE': case '+CLTS': case '+CBATCHK':
        if (/^\+(CMEE|CLTS|CBATCHK)=\d$/.test(upper)) return this.#ok();
        break;
      case '+CPIN': if (upper === '+CPIN?') return this.#emit('\r\n+CPIN: READY\r\n\r\nOK\r\n'); break;
      case '+CREG':
        if (upper === '+CREG?') { this.#noteRegistration(); return this.#emit(`\r\n+CREG: 0,${this.#registration()}\r\n\r\nOK\r\n`); }
        break;
      case '+CSQ': if (upper === '+CSQ') return this.#emit(`\r\n+CSQ: ${this.#radioOn ? this.network.csq : 99},0\r\n\r\nOK\r\n`); break;
      case '+CGATT':
        if (upper === '+CGATT?') return this.#emit(`\r\n+CGATT: ${this.#attached ? 1 : 0}\r\n\r\nOK\r\n`);
        if (upper === '+CGATT=0') return this.#detach();
        if (upper === '+CGATT=1') return this.#attached && this.#registration() === 1 ? this.#ok() : this.#attach(this.config.attachMs, () => undefined);
        break;
      case '+SAPBR':
        if (/^\+SAPBR=3,1,/.test(upper)) return this.#ok();
        if (upper === '+SAPBR=1,1') {
          if (this.#bearerOpen) return this.#error();
          return this.#attach(this.config.bearerMs, () => { this.#bearerOpen = true; });
        }
        if (upper === '+SAPBR=0,1') { this.#bearerOpen = false; return this.#ok(); }
        if (upper === '+SAPBR=2,1') {
          const ip = this.#bearerOpen ? this.config.localIp : '0.0.0.0';
          return this.#emit(`\r\n+SAPBR: 1,${this.#bearerOpen ? 1 : 3},"${ip}"\r\n\r\nOK\r\n`);
        }
        break;
      case '+CGDCONT': if (/^\+CGDCONT=/.test(upper)) return this.#ok(); break;
      case '+CGACT':
        if (upper === '+CGACT=1,1') return this.#attach(this.config.bearerMs, () => undefined);
        if (upper === '+CGACT?') return this.#emit(`\r\n+CGACT: 1,${this.#attached ? 1 : 0}\r\n\r\nOK\r\n`);
        break;
      case '+CIPMUX':
        if ((m = /^\+CIPMUX=([01])$/.exec(upper))) return this.#ipState === 'IP INITIAL' || m[1] === '1' ? this.#ok() : this.#error();
        break;
      case '+CIPQSEND':
        if ((m = /^\+CIPQSEND=([01])$/.exec(upper))) { this.#quickSend = m[1] === '1'; return this.#ok(); }
        break;
      case '+CSTT':
        if (/^\+CSTT=/.test(upper)) {
          if (this.#ipState !== 'IP INITIAL') return this.#error();
          this.#ipState = 'IP START';
          return this.#ok();
        }
        break;
      case '+CIICR':
        if (upper !== '+CIICR') break;
        if (this.#ipState !== 'IP START') return this.#error();
        return this.#attach(this.config.ciicrMs, () => { this.#ipState = 'IP GPRSACT'; });
      case '+CIFSR': case '+CIFSR;E0': {
        if (upper !== '+CIFSR' && upper !== '+CIFSR;E0') break;
        const e0 = upper.endsWith(';E0');
        if (this.#ipState !== 'IP GPRSACT' && this.#ipState !== 'IP STATUS') return this.#error();
        this.#ipState = 'IP STATUS';
        if (e0) this.#echo = false;
        return this.#emit(`\r\n${this.config.localIp}\r\n${e0 ? '\r\nOK\r\n' : ''}`);
      }
      case '+CDNSCFG': if (/^\+CDNSCFG=/.test(upper)) return this.#ok(); break;
      case '+CIPSHUT':
        if (upper !== '+CIPSHUT') break;
        this.#dropAll('modem', false);
        this.#ipState = 'IP INITIAL';
        return this.#emit('\r\nSHUT OK\r\n', this.config.shutMs);
      case '+CIPSSL': if (/^\+CIPSSL=([01])$/.test(upper)) return this.#ok(); break;
      case '+CIPSTART':
        if ((m = /^\+CIPSTART=(\d),"TCP","([^"]*)",(\d+)$/i.exec(line))) return this.#connect(Number(m[1]), m[2], Number(m[3]));
        break;
      case '+CIPSEND': if ((m = /^\+CIPSEND=(\d),(\d+)$/.exec(upper))) return this.#send(Number(m[1]), Number(m[2])); break;
      case '+CIPRXGET':
        if ((m = /^\+CIPRXGET=([01])$/.exec(upper))) { this.#manualRx = m[1] === '1'; return this.#ok(); }
        if ((m = /^\+CIPRXGET=4,(\d)$/.exec(upper))) {
          const s = this.sockets[Number(m[1])];
          if (!s || !this.#manualRx) return this.#error();
          return this.#emit(`\r\n+CIPRXGET: 4,${s.mux},${s.rx.length}\r\n\r\nOK\r\n`);
        }
        if ((m = /^\+CIPRXGET=2,(\d),(\d+)$/.exec(upper))) return this.#read(Number(m[1]), Number(m[2]));
        break;
      case '+CIPSTATUS':
        if ((m = /^\+CIPSTATUS=(\d)$/.exec(upper))) {
          const s = this.sockets[Number(m[1])];
          if (!s) return this.#error();
          const state = s.state === 'CONNECTING' ? 'CONNECTING' : s.state;
          const text = s.state === 'INITIAL' ? `+CIPSTATUS: ${s.mux},,"","","","INITIAL"`
            : `+CIPSTATUS: ${s.mux},0,"TCP","${s.host}","${s.port}","${state}"`;
          return this.#emit(`\r\n${text}\r\n\r\nOK\r\n`);
        }
        break;
      case '+CIPCLOSE':
        if ((m = /^\+CIPCLOSE=(\d)(?:,([01]))?$/.exec(upper))) {
          const s = this.sockets[Number(m[1])];
          if (!s || (s.state !== 'CONNECTED' && s.state !== 'CONNECTING')) return this.#error();
          this.#closePeer(s.reset('CLOSED'));
          this.onEvent?.({ kind: 'closed', mux: s.mux, by: 'modem' }, this.#time.now());
          return this.#emit(`\r\n${s.mux}, CLOSE OK\r\n`);
        }
        break;
    }
    this.#error();
  }


  #setBaud(baud: number): void {
    const rates = [0, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800];
    if (!rates.includes(baud)) return this.#error();
    this.#ok(); // answered at the old rate
    const switchAt = this.#txFreeAt;
    const epoch = this.#epoch;
    this.#time.at(Math.max(this.#time.now(), Math.ceil(switchAt)), () => {
      if (epoch !== this.#epoch) return;
      this.uart.due?.();
      this.#baud = baud;
      this.#iprFixed = baud !== 0;
      this.#autoSawA = false;
      this.#parser.reset();
    });
  }

  #cfun(on: boolean, reset: boolean): void {
    if (reset) {
      this.#ok(this.config.cfunMs);
      const at = this.#txFreeAt;
      const epoch = this.#epoch;
      this.#time.at(Math.max(this.#time.now(), Math.ceil(at)), () => {
        if (epoch !== this.#epoch) return;
        this.uart.due?.();
        this.#dropAll('network', false);
        this.#boot();
        if (!on) this.#radio(false);
      });
      return;
    }
    if (!on) {
      this.#dropAll('network');
      this.#setAttached(false);
      this.#bearerOpen = false;
      if (this.#ipState !== 'IP INITIAL') this.#ipState = 'PDP DEACT';
      this.#radio(false);
    } else if (!this.#radioOn) {
      this.#radio(true);
    }
    this.#ok(this.config.cfunMs);
  }

  #detach(): void {
    this.#dropAll('network', false);
    this.#setAttached(false);
    this.#bearerOpen = false;
    if (this.#ipState !== 'IP INITIAL') this.#ipState = 'PDP DEACT';
    this.#ok(this.config.detachMs);
  }

  /** An operation that needs the module attached: succeeds after `ms`, or fails after the network's timeout. */
  #attach(ms: number, then: () => void): void {
    if (this.#registration() === 1 && (this.#attached || this.network.attachSucceeds())) {
      this.#setAttached(true);
      then();
      return this.#ok(ms);
    }
    this.#error(this.network.attachFailMs);
  }

  // --- TCP --------------------------------------------------------------------------------------------------------

  #connect(mux: number, host: string, port: number): void {
    const s = this.sockets[mux];
    if (!s || port < 1 || port > 65535) return this.#error();
    if (s.state === 'CONNECTED' || s.state === 'CONNECTING') return this.#emit(`\r\n${mux}, ALREADY CONNECT\r\n`);
    if (this.#ipState !== 'IP STATUS' && this.#ipState !== 'IP GPRSACT') return this.#error();
    if (!this.#attached || this.#registration() !== 1) return this.#error();
    this.#ok();
    this.#closePeer(s.reset('CONNECTING'));
    s.host = host;
    s.port = port;
    const gen = s.generation;
    const rttUs = 2 * this.network.latencyMs * 1000;
    const now = this.#time.now();
    // DNS round trip, then the TCP handshake's round trip; the server sees the connection when the SYN arrives.
    this.#time.at(now + rttUs + rttUs / 2, () => {
      if (s.generation !== gen) return;
      const peer = this.#internet.open(host, port, {
        onData: (bytes, serverDelayMs = 0) => this.#fromServer(s, gen, bytes, serverDelayMs),
        onClose: (serverDelayMs = 0) => this.#serverClosed(s, gen, serverDelayMs),
      });
      if (peer === 'dns') return this.#connectFails(s, gen, this.config.dnsFailMs * 1000, 'dns');
      if (peer === 'refused') return this.#connectFails(s, gen, rttUs / 2, 'refused');
      if (peer === 'unreachable') return this.#connectFails(s, gen, this.config.connectTimeoutMs * 1000 - rttUs - rttUs / 2, 'unreachable');
      s.peer = peer;
      this.#time.at(this.#time.now() + rttUs / 2, () => {
        if (s.generation !== gen) return;
        s.state = 'CONNECTED';
        this.onEvent?.({ kind: 'connect', mux, host, port, ok: true }, this.#time.now());
        this.#emit(`\r\n${mux}, CONNECT OK\r\n`, 0);
      });
    });
  }

  /**
   * `CONNECT FAIL` for the connection `s` (still of generation `gen`) after `afterUs`. (A method, not a named closure
   * in `#connect`: tsx keeps function names with a `__name` call, a property definition, per closure made.)
   */
  #connectFails(s: ModemSocket, gen: number, afterUs: number, reason: string): void {
    const { mux, host, port } = s;
    this.#time.at(this.#time.now() + Math.max(0, afterUs), () => {
      if (s.generation !== gen) return;
      s.state = 'CLOSED';
      this.onEvent?.({ kind: 'connect', mux, host, port, ok: false, reason }, this.#time.now());
      this.#emit(`\r\n${mux}, CONNECT FAIL\r\n`, 0);
    });
  }

  #send(mux: number, length: number): void {
    const s = this.sockets[mux];
    if (!s || s.state !== 'CONNECTED' || length < 1 || length > SIM800_MAX_PAYLOAD) return this.#error();
    this.#sendMux = mux;
    this.#parser.expectData(length);
    this.#emit('\r\n> ');
  }

  #dataReceived(bytes: Uint8Array): void {
    const s = this.sockets[this.#sendMux];
    this.#sendMux = -1;
    if (!s || s.state !== 'CONNECTED' || !s.peer) return this.#emit('\r\nSEND FAIL\r\n');
    s.bytesSent += bytes.length;
    const peer = s.peer;
    // Once accepted the bytes are on their way: a close right after does not call them back.
    this.#time.at(this.#time.now() + this.network.latencyMs * 1000, () => peer.send(bytes));
    this.#emit(this.#quickSend ? `\r\nDATA ACCEPT:${s.mux},${bytes.length}\r\n` : '\r\nSEND OK\r\n');
  }

  #read(mux: number, length: number): void {
    const s = this.sockets[mux];
    if (!s || !this.#manualRx || length < 1 || length > SIM800_MAX_PAYLOAD) return this.#error();
    const k = Math.min(length, s.rx.length);
    const chunk = s.rx.splice(0, k);
    let text = `\r\n+CIPRXGET: 2,${mux},${k},${s.rx.length}\r\n`;
    for (const b of chunk) text += String.fromCharCode(b);
    this.#emit(text + '\r\nOK\r\n');
  }

  #fromServer(s: ModemSocket, gen: number, bytes: Uint8Array, serverDelayMs: number): void {
    const at = this.#time.now() + (this.network.latencyMs + serverDelayMs) * 1000;
    const copy = Uint8Array.from(bytes);
    this.#time.at(at, () => {
      if (s.generation !== gen || s.state !== 'CONNECTED') return;
      const wasEmpty = s.rx.length === 0;
      for (const b of copy) s.rx.push(b);
      s.bytesReceived += copy.length;
      if (wasEmpty && this.#manualRx) this.#emit(`\r\n+CIPRXGET: 1,${s.mux}\r\n`, 0);
    });
  }

  #serverClosed(s: ModemSocket, gen: number, serverDelayMs: number): void {
    const at = this.#time.now() + (this.network.latencyMs + serverDelayMs) * 1000;
    this.#time.at(at, () => {
      if (s.generation !== gen || (s.state !== 'CONNECTED' && s.state !== 'CONNECTING')) return;
      s.state = 'CLOSED';
      s.generation++; // further events of this connection are void; buffered bytes stay readable
      s.peer = null;
      this.onEvent?.({ kind: 'closed', mux: s.mux, by: 'server' }, this.#time.now());
      this.#emit(`\r\n${s.mux}, CLOSED\r\n`, 0);
    });
  }

  /** Tell a closed connection's server, after the network's latency (behind any data still travelling). */
  #closePeer(peer: TcpPeer | null): void {
    if (!peer) return;
    this.#time.at(this.#time.now() + this.network.latencyMs * 1000, () => peer.close());
  }

  /** Close every connection; with `announce`, the host is told (`<mux>, CLOSED`). */
  #dropAll(by: 'modem' | 'network', announce = true): void {
    for (const s of this.sockets) {
      if (s.state === 'CONNECTED' || s.state === 'CONNECTING') {
        this.#closePeer(s.reset('CLOSED'));
        this.onEvent?.({ kind: 'closed', mux: s.mux, by }, this.#time.now());
        if (announce && this.#powered) this.#emit(`\r\n${s.mux}, CLOSED\r\n`, 0);
      } else if (s.state !== 'INITIAL') {
        this.#closePeer(s.reset(s.state));
      }
    }
  }
}
