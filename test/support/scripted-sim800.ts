// A scripted SIM800 for the firmware tests: a modem peer on the modem serial port of the SimulatedBoard
// (test/support/firmware-bench.ts wires it), answering TinyGSM's AT commands from a script of options.
import type { VirtualClock } from '../../twin/kernel/clock.ts';
import { byteTimeUs, type UartPeer } from '../../models/uart.ts';

export interface ScriptedSim800Options {
  /** `ATI` text; the modem answers nothing at all when `mute`. */
  info?: string;
  mute?: boolean;
  /** `AT+CREG?` reports registered. */
  network?: boolean;
  /** The GPRS commands answer OK (else ERROR). */
  gprs?: boolean;
  /** `AT+CIPSTART` answers CONNECT OK (else CONNECT FAIL). */
  tcp?: boolean;
  /** The HTTP server: request body in, response body out. */
  server?: (requestBody: string) => string;
  /** Delay before a reply starts, ms. */
  latencyMs?: number;
}

/**
 * A SIM800 at the AT level: enough of the command set TinyGSM 0.11.5 uses for restart, GPRS, one TCP socket with
 * manual receive (`AT+CIPRXGET`), and an HTTP server behind it. Wired as a UART peer, as the ATM90E26 model is:
 * `uart` is its RX (give it to the board's `peers.modem`), `attachHost` its TX (the board's `serialPeer('modem')`).
 * It answers at the rate the host last spoke at (the SIM800 detects the host's rate from the `AT` it sends).
 */
export class ScriptedSim800 {
  readonly commands: string[] = [];
  readonly requests: string[] = [];
  /** The modem's RX line: bytes the host sends. */
  readonly uart: UartPeer = { receive: (byte: number, baud: number) => { this.#hostBaud = baud; this.#receive(byte); } };
  readonly #clock: VirtualClock;
  #host: UartPeer | null = null;
  #hostBaud = 9600;
  readonly #o: Required<ScriptedSim800Options>;
  #line = '';
  #sendLeft = 0;
  #sendData = '';
  #request = '';
  #rxData = '';
  #connected = false;
  #txFreeAt = 0;
  #skipLf = false;

  constructor(clock: VirtualClock, o: ScriptedSim800Options = {}) {
    this.#clock = clock;
    this.#o = {
      info: o.info ?? 'SIM800 R14.18', mute: o.mute ?? false, network: o.network ?? true, gprs: o.gprs ?? true,
      tcp: o.tcp ?? true, server: o.server ?? (() => '0/70/'), latencyMs: o.latencyMs ?? 5,
    };
  }

  /** Where the modem's TX line goes (the host's RX), or null to disconnect it. */
  attachHost(peer: UartPeer | null): void { this.#host = peer; }

  #reply(text: string): void {
    if (this.#o.mute) return;
    const baud = this.#hostBaud;
    const bt = byteTimeUs(baud);
    let t = Math.max(this.#clock.now() + this.#o.latencyMs * 1000, this.#txFreeAt);
    for (const ch of text) {
      t += bt;
      const byte = ch.charCodeAt(0);
      this.#clock.at(Math.ceil(t), () => this.#host?.receive(byte, baud));
    }
    this.#txFreeAt = t;
  }

  #receive(byte: number): void {
    const ch = String.fromCharCode(byte);
    if (this.#skipLf) {
      this.#skipLf = false;
      if (ch === '\n') return; // the LF after a command's CR is not data
    }
    if (this.#sendLeft > 0) {
      this.#sendData += ch;
      if (--this.#sendLeft === 0) this.#dataSent();
      return;
    }
    if (ch === '\r') {
      const l = this.#line;
      this.#line = '';
      this.#skipLf = true;
      // V.250: characters before the "AT" prefix are ignored (the firmware's printf text shares this line).
      const at = l.indexOf('AT');
      if (at >= 0) this.#command(l.slice(at));
      return;
    }
    if (ch !== '\n') this.#line += ch;
  }

  #dataSent(): void {
    const n = this.#sendData.length;
    this.#request += this.#sendData;
    this.#sendData = '';
    this.#reply(`\r\nDATA ACCEPT:0,${n}\r\n`);
    const m = /\r\n\r\n([^\r\n]*)\r\n$/.exec(this.#request);
    if (m && m[1].startsWith('api_key=')) {
      this.requests.push(this.#request);
      const body = this.#o.server(m[1]);
      this.#request = '';
      this.#rxData = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ' + body.length +
        '\r\nConnection: close\r\n\r\n' + body;
      this.#reply('\r\n+CIPRXGET: 1,0\r\n');
    }
  }

  #command(l: string): void {
    this.commands.push(l);
    const ok = '\r\nOK\r\n';
    const gprsOk = this.#o.gprs ? ok : '\r\nERROR\r\n';
    let m: RegExpExecArray | null;
    if (l === 'ATI') this.#reply(`\r\n${this.#o.info}\r\n${ok}`);
    else if (l === 'AT+CPIN?') this.#reply(`\r\n+CPIN: READY\r\n${ok}`);
    else if (l === 'AT+CREG?') this.#reply(`\r\n+CREG: 0,${this.#o.network ? 1 : 2}\r\n${ok}`);
    else if (l === 'AT+CIPSHUT') this.#reply('\r\nSHUT OK\r\n');
    else if (l === 'AT+CGATT?') this.#reply(`\r\n+CGATT: ${this.#o.gprs ? 1 : 0}\r\n${ok}`);
    else if (l === 'AT+CIFSR;E0') this.#reply(this.#o.gprs ? `\r\n10.1.2.3\r\n${ok}` : '\r\nERROR\r\n');
    else if (/^AT\+(CGATT|SAPBR|CGDCONT|CGACT|CIPMUX|CIPQSEND|CIPRXGET=1|CSTT|CIICR|CDNSCFG)/.test(l)) this.#reply(gprsOk);
    else if (l.startsWith('AT+CIPSTART=')) {
      this.#connected = this.#o.tcp;
      this.#reply(ok + (this.#o.tcp ? '\r\n0, CONNECT OK\r\n' : '\r\n0, CONNECT FAIL\r\n'));
    } else if ((m = /^AT\+CIPSEND=0,(\d+)$/.exec(l))) {
      this.#sendLeft = Number(m[1]);
      this.#reply('\r\n> ');
    } else if (l === 'AT+CIPRXGET=4,0') this.#reply(`\r\n+CIPRXGET: 4,0,${this.#rxData.length}\r\n${ok}`);
    else if ((m = /^AT\+CIPRXGET=2,0,(\d+)$/.exec(l))) {
      const k = Math.min(Number(m[1]), this.#rxData.length);
      const chunk = this.#rxData.slice(0, k);
      this.#rxData = this.#rxData.slice(k);
      this.#reply(`\r\n+CIPRXGET: 2,0,${k},${this.#rxData.length}\r\n${chunk}\r\n${ok}`);
    } else if (l === 'AT+CIPSTATUS=0') {
      this.#reply(`\r\n+CIPSTATUS: 0,0,"TCP","1.2.3.4","80","${this.#connected ? 'CONNECTED' : 'CLOSED'}"\r\n${ok}`);
    } else if (l.startsWith('AT+CIPCLOSE=')) {
      this.#connected = false;
      this.#reply('\r\n0, CLOSE OK\r\n');
    } else this.#reply(ok);
  }
}
