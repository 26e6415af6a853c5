// TinyGSM 0.11.5 for the SIM800 (TinyGsmClientSIM800.h, TinyGsmModem.tpp, TinyGsmGPRS.tpp, TinyGsmTCP.tpp) on
// `Serial1` = board.serial.modem (docs/firmware.md §9.1, §9.4): a real AT client that sends commands and waits
// for the library's response strings with the library's timeouts, so a mute modem costs what it costs on the meter
// (`restart()` ≈ 10 s, `gprsConnect()` ≈ 238 s, `client.connect()` ≈ 77 s) and a scripted modem can answer.
//
// The library spins on `delay(0)` while it waits; the twin polls the UART with a back-off from `pollMinMs` to
// `pollMaxMs` (reset whenever a byte arrives), so a reply is seen at most `pollMaxMs` late and a long silent wait
// costs few simulation events. `onIdle` (D21 fixed) is called from those waits at most once a second.
import type { Board, SerialPort } from '../board/board.ts';
import { ByteText } from '../../models/byte-text.ts';
import { keepAsDoubles } from '../../models/sim-time.ts';

export const GSM_NL = '\r\n';
export const GSM_OK = 'OK' + GSM_NL;
export const GSM_ERROR = 'ERROR' + GSM_NL;
/** `TINY_GSM_MUX_COUNT` for the SIM800. */
export const TINY_GSM_MUX_COUNT = 5;
/** `#define TINY_GSM_RX_BUFFER 60` (remote.hpp:5); the FIFO holds one byte less. */
export const TINY_GSM_RX_BUFFER = 60;
/** Arduino `Stream::_timeout` default, ms. */
export const STREAM_TIMEOUT_MS = 1000;

export type SimStatus = 'SIM_ERROR' | 'SIM_READY' | 'SIM_LOCKED' | 'SIM_ANTITHEFT_LOCKED';

export interface TinyGsmTiming {
  pollMinMs: number;
  pollMaxMs: number;
}

/** The unsolicited results `waitResponse` reads on the way (codes of `#readReply`, negative: not a response index). */
const URC_CIPRXGET = -1;
const URC_RECEIVE = -2;
const URC_CLOSED = -3;
/** Network-time reports: the rest of the line is skipped. */
const URC_SKIP_LINE = -4;
const URC_CIPRXGET_TEXT = GSM_NL + '+CIPRXGET:';
const URC_RECEIVE_TEXT = GSM_NL + '+RECEIVE:';
const URC_CLOSED_TEXT = 'CLOSED' + GSM_NL;
/** `waitResponse`'s default strings: OK, ERROR. */
const DEFAULT_RESPONSES: readonly string[] = [GSM_OK, GSM_ERROR];

/** Accumulated response text of `waitResponse(timeout, data, ...)`. */
export interface ResponseData { text: string }

export class TinyGsm {
  readonly #board: Board;
  readonly stream: SerialPort;
  readonly sockets: (GsmClient | null)[] = new Array<GsmClient | null>(TINY_GSM_MUX_COUNT).fill(null);
  readonly #timing: TinyGsmTiming;
  #pollMs: number;
  #lastIdleMs = 0;
  #inIdle = false;
  /** D21 fixed: service routine run from the library's waits (at most once a second). */
  onIdle: (() => Promise<void>) | null = null;
  /** Every command line sent, for traces and tests. */
  onCommand: ((line: string) => void) | null = null;

  constructor(board: Board, stream: SerialPort, timing: TinyGsmTiming) {
    this.#board = board;
    this.stream = stream;
    this.#timing = timing;
    this.#pollMs = timing.pollMinMs;
  }

  millis(): number { return this.#board.millis(); }

  /** The exact shortcut `sync-reads` (Board.syncReads). */
  get syncReads(): boolean { return this.#board.syncReads === true; }

  /** `sync-reads`: a byte was taken without an await. */
  noteSyncRead(): void { this.#board.noteSyncRead?.(); }

  /** `maintain()` would do nothing now: no socket flagged with data, nothing in the UART. */
  maintainIdle(): boolean {
    for (let mux = 0; mux < TINY_GSM_MUX_COUNT; mux++) if (this.sockets[mux]?.got_data) return false;
    return this.stream.available() <= 0;
  }

  // --- waiting ------------------------------------------------------------------------------------------------

  /** One idle spin of the library's wait loops (`TINY_GSM_YIELD()` plus the poll interval of the twin). */
  async idle(): Promise<void> {
    await this.#board.delay(this.#pollMs);
    this.#pollMs = Math.min(this.#timing.pollMaxMs, this.#pollMs * 2);
    if (this.#idleDue()) await this.#runIdle();
  }

  #idleDue(): boolean {
    return this.onIdle !== null && !this.#inIdle && ((this.millis() - this.#lastIdleMs) >>> 0) >= 1000;
  }

  async #runIdle(): Promise<void> {
    this.#inIdle = true;
    this.#lastIdleMs = this.millis();
    try { await this.onIdle!(); } finally { this.#inIdle = false; }
  }

  /**
   * `do idle(); while (quiet());` where `quiet` only reads the UART and millis() (nothing arrived, the timeout not
   * reached). On a board with `delayRepeat` the poll grid (the back-off to `pollMaxMs`, each poll's wake moved by the
   * interrupts that fall in it) is computed from the clock's events without waking the firmware task per poll: the
   * same delays and events, the task resumes at the poll that sees a byte, the timeout or a due `onIdle`.
   */
  #idleWhile(quiet: () => boolean): Promise<void> {
    const board = this.#board;
    // No idle routine (it is installed at boot, never during a wait): the poll run's own promise, no async frame.
    if (board.delayRepeat && this.onIdle === null) {
      return board.delayRepeat(this.#pollMs, () => {
        this.#pollMs = Math.min(this.#timing.pollMaxMs, this.#pollMs * 2);
        return quiet() ? this.#pollMs : -1;
      });
    }
    return this.#idleWhileServiced(quiet);
  }

  /** `#idleWhile` with `onIdle` due at most once a second, or on a board without `delayRepeat`. */
  async #idleWhileServiced(quiet: () => boolean): Promise<void> {
    const board = this.#board;
    if (!board.delayRepeat) {
      do await this.idle(); while (quiet());
      return;
    }
    for (;;) {
      let idleDue = false;
      await board.delayRepeat(this.#pollMs, () => {
        this.#pollMs = Math.min(this.#timing.pollMaxMs, this.#pollMs * 2);
        if (this.#idleDue()) { idleDue = true; return -1; }
        return quiet() ? this.#pollMs : -1;
      });
      if (!idleDue) return;
      await this.#runIdle();
      if (!quiet()) return;
    }
  }

  /** Nothing in the UART and less than `timeoutMs` since `start`: the library's waits poll again. */
  #quiet(start: number, timeoutMs: number): boolean {
    return ((this.millis() - start) >>> 0) < timeoutMs && this.stream.available() <= 0;
  }

  /** `#quiet` as the check of a polling wait. */
  #quietSince(start: number, timeoutMs: number): () => boolean {
    return () => this.#quiet(start, timeoutMs);
  }

  #gotByte(): void { this.#pollMs = this.#timing.pollMinMs; }

  /** `Stream::timedRead()`: the next byte within the stream timeout, or -1. */
  async timedRead(): Promise<number> {
    const start = this.millis();
    do {
      const c = this.stream.read();
      if (c >= 0) { this.#gotByte(); return c; }
      if (((this.millis() - start) >>> 0) >= STREAM_TIMEOUT_MS) break;
      await this.#idleWhile(this.#quietSince(start, STREAM_TIMEOUT_MS));
    } while (((this.millis() - start) >>> 0) < STREAM_TIMEOUT_MS);
    return -1;
  }

  /** `Stream::timedPeek()`. */
  async timedPeek(): Promise<number> {
    const start = this.millis();
    do {
      const c = this.stream.peek();
      if (c >= 0) { this.#gotByte(); return c; }
      if (((this.millis() - start) >>> 0) >= STREAM_TIMEOUT_MS) break;
      await this.#idleWhile(this.#quietSince(start, STREAM_TIMEOUT_MS));
    } while (((this.millis() - start) >>> 0) < STREAM_TIMEOUT_MS);
    return -1;
  }

  /** `Stream::readBytesUntil(terminator, buf, length)` as a string. */
  async readBytesUntil(terminator: string, length: number): Promise<string> {
    const t = terminator.charCodeAt(0);
    const sync = this.syncReads;
    let out = '';
    while (out.length < length) {
      // sync-reads: a byte already there is what timedRead() returns at once.
      const r = sync ? this.stream.read() : -1;
      if (r >= 0) { this.#gotByte(); this.noteSyncRead(); }
      const c = r >= 0 ? r : await this.timedRead();
      if (c < 0 || c === t) break;
      out += String.fromCharCode(c);
    }
    return out;
  }

  /** `Stream::readStringUntil(terminator)`. */
  async readStringUntil(terminator: string): Promise<string> {
    const t = terminator.charCodeAt(0);
    let out = '';
    let c = await this.timedRead();
    while (c >= 0 && c !== t) {
      out += String.fromCharCode(c);
      c = await this.timedRead();
    }
    return out;
  }

  /** `Stream::parseInt()` (SKIP_ALL): skips to a digit or '-', then reads the digits. */
  async parseInt(): Promise<number> {
    let c: number;
    for (;;) {
      c = await this.timedPeek();
      if (c < 0 || c === 0x2d || (c >= 0x30 && c <= 0x39)) break;
      this.stream.read();
    }
    if (c < 0) return 0;
    let negative = false;
    let value = 0;
    do {
      if (c === 0x2d) negative = true;
      else if (c >= 0x30 && c <= 0x39) value = (Math.imul(value, 10) + c - 0x30) | 0;
      this.stream.read();
      c = await this.timedPeek();
    } while (c >= 0x30 && c <= 0x39);
    return negative ? -value | 0 : value;
  }

  /** `streamSkipUntil(c, timeout = 1000)`. */
  async streamSkipUntil(ch: string, timeoutMs = 1000): Promise<boolean> {
    const t = ch.charCodeAt(0);
    const start = this.millis();
    while (((this.millis() - start) >>> 0) < timeoutMs) {
      // (The wait's closure only when it waits: a byte already there costs no allocation.)
      if (this.#quiet(start, timeoutMs)) await this.#idleWhile(this.#quietSince(start, timeoutMs));
      const r = this.stream.read();
      if (r >= 0) this.#gotByte();
      if (r === t) return true;
    }
    return false;
  }

  /** `streamGetIntBefore(lastChar)`: up to 7 characters before `lastChar`, `atoi`'d into an int16; -9999 if none. */
  async streamGetIntBefore(lastChar: string): Promise<number> {
    const buf = await this.readBytesUntil(lastChar, 7);
    if (buf.length && buf.length < 7) return (cAtoi(buf) << 16) >> 16;
    return -9999;
  }

  // --- commands -----------------------------------------------------------------------------------------------

  /** `sendAT(...)`: `AT` + the arguments as `print` writes them + CR LF, then `flush()`. */
  sendAT(...parts: (string | number)[]): void {
    const line = 'AT' + parts.join('');
    this.onCommand?.(line);
    this.#pollMs = this.#timing.pollMinMs;
    this.stream.write(line + GSM_NL);
    this.stream.flush();
  }

  /**
   * `waitResponse(timeout, data, r1 = OK, r2 = ERROR, r3, r4, r5)`: reads until the accumulated text ends with one of
   * the given strings (returns its 1-based index) or the timeout passes (0). Handles the SIM800's unsolicited
   * results (`+CIPRXGET: 1`, `+RECEIVE:`, `CLOSED`, network-time reports) on the way.
   */
  async waitResponse(timeoutMs = 1000, responses: readonly (string | null)[] = DEFAULT_RESPONSES,
    data?: ResponseData): Promise<number> {
    // The library's `String data`, as bytes (no string per byte read); made a string for `data` at the end.
    const text = this.#spareText ?? new ByteText(64);
    this.#spareText = null;
    text.clear();
    if (data) text.append(data.text);
    let index = 0;
    const start = this.millis();
    // What a poll's read found (a response's index, an unsolicited result), for the loop below to act on.
    let found = 0;
    outer: do {
      for (;;) {
        const r = found !== 0 ? found : this.#readReply(responses, text);
        found = 0;
        if (r > 0) { index = r; break outer; }
        if (r === 0) break;
        await this.#unsolicited(r, text);
      }
      if (((this.millis() - start) >>> 0) >= timeoutMs) break;
      // The library's loop reads the UART between two polls; that reading is part of the poll's quiet check here,
      // so a poll that finds reply bytes takes them without waking the task (parked-poll) unless they end the wait.
      // (An unnamed arrow: tsx's keepNames would wrap a named one in a costly `__name` call per wait.)
      await this.#idleWhile(() => {
        if (((this.millis() - start) >>> 0) >= timeoutMs) return false;
        if (this.stream.available() <= 0) return true;
        found = this.#readReply(responses, text);
        return found === 0;
      });
    } while (((this.millis() - start) >>> 0) < timeoutMs);
    if (data) data.text = index ? text.toString() : '';
    // (Given back only here: a wait cut by a power loss leaves it to the collector.)
    this.#spareText = text;
    return index;
  }

  /** A reply buffer no `waitResponse` is using (one is enough unless a wait's `onIdle` waits on the modem too). */
  #spareText: ByteText | null = null;

  /**
   * The read loop of `waitResponse`: takes what the UART holds into the reply text until one of `responses` ends it
   * (returns its 1-based index), an unsolicited result needs reading (returns its `URC_*` code), or the UART is empty
   * (returns 0).
   */
  #readReply(responses: readonly (string | null)[], t: ByteText): number {
    const stream = this.stream;
    while (stream.available() > 0) {
      const raw = stream.read();
      this.#gotByte();
      const a = (raw << 24) >> 24; // int8_t
      if (a <= 0) continue; // "Skip 0x00 bytes, just in case" (and bytes ≥ 0x80)
      t.push(a);
      // A string can only end the text when it ends with the byte just read: the other comparisons are skipped.
      for (let i = 0; i < responses.length; i++) {
        const r = responses[i];
        if (r && r.charCodeAt(r.length - 1) === a && t.endsWith(r)) return i + 1;
      }
      if (a !== 0x3a && a !== 0x0a) continue; // every unsolicited result below ends with ':' or LF
      if (t.endsWith(URC_CIPRXGET_TEXT)) return URC_CIPRXGET;
      if (t.endsWith(URC_RECEIVE_TEXT)) return URC_RECEIVE;
      if (t.endsWith(URC_CLOSED_TEXT)) return URC_CLOSED;
      if (t.endsWith('*PSNWID:') || t.endsWith('*PSUTTZ:') || t.endsWith('+CTZV:') || t.endsWith('DST:')) return URC_SKIP_LINE;
    }
    return 0;
  }

  /** The unsolicited result `urc` that ends the reply text: read its parameters and act on them, as the library does. */
  async #unsolicited(urc: number, data: ByteText): Promise<void> {
    if (urc === URC_CIPRXGET) {
      const mode = await this.streamGetIntBefore(',');
      if (mode === 1) {
        const mux = await this.streamGetIntBefore('\n');
        if (mux >= 0 && mux < TINY_GSM_MUX_COUNT && this.sockets[mux]) this.sockets[mux]!.got_data = true;
        data.clear();
      } else {
        data.append(String(mode));
      }
    } else if (urc === URC_RECEIVE) {
      const mux = await this.streamGetIntBefore(',');
      const len = await this.streamGetIntBefore('\n');
      if (mux >= 0 && mux < TINY_GSM_MUX_COUNT && this.sockets[mux]) {
        this.sockets[mux]!.got_data = true;
        if (len >= 0 && len <= 1024) this.sockets[mux]!.sock_available = len;
      }
      data.clear();
    } else if (urc === URC_CLOSED) {
      const t = data.toString();
      const nl = t.lastIndexOf(GSM_NL, t.length - 8);
      const coma = t.indexOf(',', nl + 2);
      const mux = cAtoi(t.substring(nl + 2, coma < 0 ? t.length : coma));
      if (mux >= 0 && mux < TINY_GSM_MUX_COUNT && this.sockets[mux]) this.sockets[mux]!.sock_connected = false;
      data.clear();
    } else {
      await this.streamSkipUntil('\n');
      data.clear();
    }
  }

  /** `testAT(timeout = 10 s)`: `AT` every ~300 ms until `OK`. */
  async testAT(timeoutMs = 10000): Promise<boolean> {
    for (const start = this.millis(); ((this.millis() - start) >>> 0) < timeoutMs;) {
      this.sendAT('');
      if ((await this.waitResponse(200)) === 1) return true;
      await this.#board.delay(100);
    }
    return false;
  }

  /** `restart()` (SIM800): testAT, `AT&W`, `AT+CFUN=0`, `AT+CFUN=1,1`, 3 s, `init()`. */
  async restart(): Promise<boolean> {
    if (!(await this.testAT())) return false;
    this.sendAT('&W');
    await this.waitResponse();
    if (!(await this.setPhoneFunctionality(0))) return false;
    if (!(await this.setPhoneFunctionality(1, true))) return false;
    await this.#board.delay(3000);
    return this.init();
  }

  /** `init()` (SIM800 `initImpl`, no PIN, no debug). */
  async init(): Promise<boolean> {
    if (!(await this.testAT())) return false;
    this.sendAT('E0');
    if ((await this.waitResponse()) !== 1) return false;
    this.sendAT('+CMEE=0');
    await this.waitResponse();
    this.sendAT('+CLTS=1');
    if ((await this.waitResponse(10000)) !== 1) return false;
    this.sendAT('+CBATCHK=1');
    await this.waitResponse();
    const ret = await this.getSimStatus();
    return ret === 'SIM_READY' || ret === 'SIM_LOCKED';
  }

  async setPhoneFunctionality(fun: number, reset = false): Promise<boolean> {
    this.sendAT('+CFUN=', fun, reset ? ',1' : '');
    return (await this.waitResponse(10000)) === 1;
  }

  async getSimStatus(timeoutMs = 10000): Promise<SimStatus> {
    for (const start = this.millis(); ((this.millis() - start) >>> 0) < timeoutMs;) {
      this.sendAT('+CPIN?');
      if ((await this.waitResponse(1000, ['+CPIN:', GSM_ERROR])) !== 1) {
        await this.#board.delay(1000);
        continue;
      }
      const status = await this.waitResponse(1000, ['READY', 'SIM PIN', 'SIM PUK', 'NOT INSERTED', 'NOT READY']);
      await this.waitResponse();
      switch (status) {
        case 2:
        case 3: return 'SIM_LOCKED';
        case 1: return 'SIM_READY';
        default: return 'SIM_ERROR';
      }
    }
    return 'SIM_ERROR';
  }

  /** `getModemInfo()`: the `ATI` text with CR/LF turned into spaces, trimmed; "" without an answer in 1 s. */
  async getModemInfo(): Promise<string> {
    this.sendAT('I');
    const res: ResponseData = { text: '' };
    if ((await this.waitResponse(1000, [GSM_OK, GSM_ERROR], res)) !== 1) return '';
    return arduinoTrim(res.text.replaceAll('\r\nOK\r\n', '').replaceAll('\rOK\r', '').replaceAll('\r\n', ' ')
      .replaceAll('\r', ' '));
  }

  async getRegistrationStatusXREG(regCommand: string): Promise<number> {
    this.sendAT('+', regCommand, '?');
    const resp = await this.waitResponse(1000, ['+CREG:', '+CGREG:', '+CEREG:']);
    if (resp !== 1 && resp !== 2 && resp !== 3) return -1;
    await this.streamSkipUntil(','); // skip format (0)
    const status = await this.parseInt();
    await this.waitResponse();
    return status;
  }

  async isNetworkConnected(): Promise<boolean> {
    const s = await this.getRegistrationStatusXREG('CREG');
    return s === 1 || s === 5;
  }

  /** `waitForNetwork(timeout = 60 s)`: `AT+CREG?` every ~1.25 s until registered. */
  async waitForNetwork(timeoutMs = 60000): Promise<boolean> {
    for (const start = this.millis(); ((this.millis() - start) >>> 0) < timeoutMs;) {
      if (await this.isNetworkConnected()) return true;
      await this.#board.delay(250);
    }
    return false;
  }

  /** `getLocalIP()` (SIM800): `AT+CIFSR;E0`. */
  async getLocalIP(): Promise<string> {
    this.sendAT('+CIFSR;E0');
    const res: ResponseData = { text: '' };
    if ((await this.waitResponse(10000, [GSM_OK, GSM_ERROR], res)) !== 1) return '';
    return arduinoTrim(res.text.replaceAll(GSM_NL + 'OK' + GSM_NL, '').replaceAll(GSM_NL, ''));
  }

  /** `gprsDisconnect()`: `AT+CIPSHUT` (60 s), `AT+CGATT=0` (60 s). */
  async gprsDisconnect(): Promise<boolean> {
    this.sendAT('+CIPSHUT');
    if ((await this.waitResponse(60000)) !== 1) return false;
    this.sendAT('+CGATT=0');
    if ((await this.waitResponse(60000)) !== 1) return false;
    return true;
  }

  /** `gprsConnect(apn, user, pwd)` (SIM800): detach, bearer and PDP set-up, attach, TCP/IP stack start. */
  async gprsConnect(apn: string, user = '', pwd = ''): Promise<boolean> {
    await this.gprsDisconnect();
    this.sendAT('+SAPBR=3,1,"Contype","GPRS"');
    await this.waitResponse();
    this.sendAT('+SAPBR=3,1,"APN","', apn, '"');
    await this.waitResponse();
    if (user.length > 0) {
      this.sendAT('+SAPBR=3,1,"USER","', user, '"');
      await this.waitResponse();
    }
    if (pwd.length > 0) {
      this.sendAT('+SAPBR=3,1,"PWD","', pwd, '"');
      await this.waitResponse();
    }
    this.sendAT('+CGDCONT=1,"IP","', apn, '"');
    await this.waitResponse();
    this.sendAT('+CGACT=1,1');
    await this.waitResponse(60000);
    this.sendAT('+SAPBR=1,1');
    await this.waitResponse(85000);
    this.sendAT('+SAPBR=2,1');
    if ((await this.waitResponse(30000)) !== 1) return false;
    this.sendAT('+CGATT=1');
    if ((await this.waitResponse(60000)) !== 1) return false;
    this.sendAT('+CIPMUX=1');
    if ((await this.waitResponse()) !== 1) return false;
    this.sendAT('+CIPQSEND=1');
    if ((await this.waitResponse()) !== 1) return false;
    this.sendAT('+CIPRXGET=1');
    if ((await this.waitResponse()) !== 1) return false;
    this.sendAT('+CSTT="', apn, '","', user, '","', pwd, '"');
    if ((await this.waitResponse(60000)) !== 1) return false;
    this.sendAT('+CIICR');
    if ((await this.waitResponse(60000)) !== 1) return false;
    this.sendAT('+CIFSR;E0');
    if ((await this.waitResponse(10000)) !== 1) return false;
    this.sendAT('+CDNSCFG="8.8.8.8","8.8.4.4"');
    if ((await this.waitResponse()) !== 1) return false;
    return true;
  }

  /** `isGprsConnected()`: attached (`+CGATT: 1`) and an IP address other than 0.0.0.0. */
  async isGprsConnected(): Promise<boolean> {
    this.sendAT('+CGATT?');
    if ((await this.waitResponse(1000, ['+CGATT:', GSM_ERROR])) !== 1) return false;
    const res = await this.streamGetIntBefore('\n');
    await this.waitResponse();
    if (res !== 1) return false;
    return ipFromString(await this.getLocalIP()) !== '0.0.0.0';
  }

  /** `modemConnect(host, port, mux, ssl = false, timeout_s = 75)`: `AT+CIPSSL=0`, then `AT+CIPSTART`. */
  async modemConnect(host: string, port: number, mux: number, ssl = false, timeoutS = 75): Promise<boolean> {
    this.sendAT('+CIPSSL=', ssl ? 1 : 0);
    const rsp0 = await this.waitResponse();
    if (ssl && rsp0 !== 1) return false;
    this.sendAT('+CIPSTART=', mux, ',', '"TCP', '","', host, '",', port);
    const rsp = await this.waitResponse(timeoutS * 1000,
      ['CONNECT OK' + GSM_NL, 'CONNECT FAIL' + GSM_NL, 'ALREADY CONNECT' + GSM_NL, 'ERROR' + GSM_NL, 'CLOSE OK' + GSM_NL]);
    return rsp === 1;
  }

  /** `modemSend(buf, len, mux)`: `AT+CIPSEND=mux,len`, `>` prompt, data, `DATA ACCEPT:mux,len`. */
  async modemSend(data: Uint8Array, mux: number): Promise<number> {
    this.sendAT('+CIPSEND=', mux, ',', data.length & 0xffff);
    if ((await this.waitResponse(1000, ['>', GSM_ERROR])) !== 1) return 0;
    this.stream.write(data);
    this.stream.flush();
    if ((await this.waitResponse(1000, [GSM_NL + 'DATA ACCEPT:', GSM_ERROR])) !== 1) return 0;
    await this.streamSkipUntil(','); // skip mux
    return this.streamGetIntBefore('\n');
  }

  /** `modemRead(size, mux)`: `AT+CIPRXGET=2,mux,size` and the bytes that follow into the socket's FIFO. */
  async modemRead(size: number, mux: number): Promise<number> {
    const sock = this.sockets[mux];
    if (!sock) return 0;
    this.sendAT('+CIPRXGET=2,', mux, ',', size & 0xffff);
    if ((await this.waitResponse(1000, ['+CIPRXGET:', GSM_ERROR])) !== 1) return 0;
    await this.streamSkipUntil(','); // skip Rx mode 2
    await this.streamSkipUntil(','); // skip mux
    const len_requested = await this.streamGetIntBefore(',');
    const len_confirmed = await this.streamGetIntBefore('\n');
    for (let i = 0; i < len_requested; i++) {
      const start = this.millis();
      if (this.#quiet(start, sock.timeoutMs)) await this.#idleWhile(this.#quietSince(start, sock.timeoutMs));
      const c = this.stream.read();
      if (c >= 0) this.#gotByte();
      sock.rx.put(c & 0xff);
    }
    sock.sock_available = len_confirmed & 0xffff;
    await this.waitResponse();
    return len_requested;
  }

  /** `modemGetAvailable(mux)`: `AT+CIPRXGET=4,mux`; on 0 the connection state is queried. */
  async modemGetAvailable(mux: number): Promise<number> {
    const sock = this.sockets[mux];
    if (!sock) return 0;
    this.sendAT('+CIPRXGET=4,', mux);
    let result = 0;
    if ((await this.waitResponse(1000, ['+CIPRXGET:', GSM_ERROR])) === 1) {
      await this.streamSkipUntil(','); // skip mode 4
      await this.streamSkipUntil(','); // skip mux
      result = (await this.streamGetIntBefore('\n')) >>> 0; // int16 into a size_t
      await this.waitResponse();
    }
    if (!result) sock.sock_connected = await this.modemGetConnected(mux);
    return result;
  }

  /** `modemGetConnected(mux)`: `AT+CIPSTATUS=mux` reports `"CONNECTED"`. */
  async modemGetConnected(mux: number): Promise<boolean> {
    this.sendAT('+CIPSTATUS=', mux);
    await this.waitResponse(1000, ['+CIPSTATUS', GSM_ERROR]);
    const res = await this.waitResponse(1000,
      [',"CONNECTED"', ',"CLOSED"', ',"CLOSING"', ',"REMOTE CLOSING"', ',"INITIAL"']);
    await this.waitResponse();
    return res === 1;
  }

  /** `maintain()`: refresh sockets flagged with data, then drain unsolicited results. */
  async maintain(): Promise<void> {
    for (let mux = 0; mux < TINY_GSM_MUX_COUNT; mux++) {
      const sock = this.sockets[mux];
      if (sock && sock.got_data) {
        sock.got_data = false;
        sock.sock_available = (await this.modemGetAvailable(mux)) & 0xffff;
      }
    }
    while (this.stream.available()) await this.waitResponse(15, [null, null]);
  }

  /** `streamClear()`. */
  async streamClear(): Promise<void> {
    while (this.stream.available()) await this.waitResponse(50, [null, null]);
  }
}

/** `TinyGsmFifo<uint8_t, N>`: a ring that holds N−1 bytes; `put` on a full ring drops the byte. */
export class RxFifo {
  readonly #b: Uint8Array;
  #r = 0;
  #w = 0;
  constructor(n: number) { this.#b = new Uint8Array(n); }
  clear(): void { this.#r = 0; this.#w = 0; }
  size(): number { const s = this.#w - this.#r; return s < 0 ? s + this.#b.length : s; }
  free(): number { let s = this.#r - this.#w; if (s <= 0) s += this.#b.length; return s - 1; }
  put(c: number): boolean {
    const next = (this.#w + 1) % this.#b.length;
    if (next === this.#r) return false;
    this.#b[this.#w] = c;
    this.#w = next;
    return true;
  }
  get(): number {
    if (this.#r === this.#w) return -1;
    const c = this.#b[this.#r];
    this.#r = (this.#r + 1) % this.#b.length;
    return c;
  }
  peek(): number { return this.#r === this.#w ? -1 : this.#b[this.#r]; }
}

/** `TinyGsmSim800::GsmClientSim800`: one TCP socket (mux) of the modem, with the library's buffering. */
export class GsmClient {
  readonly at: TinyGsm;
  readonly mux: number;
  sock_available = 0;
  prev_check = 0;
  sock_connected = false;
  got_data = false;
  readonly rx = new RxFifo(TINY_GSM_RX_BUFFER);
  /** `Stream::_timeout` of the client. */
  timeoutMs = STREAM_TIMEOUT_MS;

  constructor(modem: TinyGsm, mux = 0) {
    this.at = modem;
    this.mux = mux < TINY_GSM_MUX_COUNT ? mux : mux % TINY_GSM_MUX_COUNT;
    modem.sockets[this.mux] = this;
    keepAsDoubles(this, ['prev_check']); // a millis() value: a double for V8 from the start (models/sim-time.ts)
  }

  /** `connect(host, port)` = `connect(host, port, 75)`: close quietly, then `modemConnect`. Returns 1 or 0. */
  async connect(host: string, port: number, timeoutS = 75): Promise<number> {
    await this.stop();
    this.rx.clear();
    this.sock_connected = await this.at.modemConnect(host, port, this.mux, false, timeoutS);
    return this.sock_connected ? 1 : 0;
  }

  /** `stop(maxWaitMs = 15000)`: read out what the modem holds, `AT+CIPCLOSE=mux,1` (quick close). */
  async stop(maxWaitMs = 15000): Promise<void> {
    const start = this.at.millis();
    while (this.sock_available > 0 && ((this.at.millis() - start) >>> 0) < maxWaitMs) {
      this.rx.clear();
      await this.at.modemRead(Math.min(this.rx.free(), this.sock_available), this.mux);
    }
    this.rx.clear();
    await this.at.streamClear();
    this.at.sendAT('+CIPCLOSE=', this.mux, ',1');
    this.sock_connected = false;
    await this.at.waitResponse();
  }

  /** `write(buf, size)`: one `AT+CIPSEND`. Returns the length the modem accepted. */
  async write(data: Uint8Array): Promise<number> {
    await this.at.maintain();
    const n = await this.at.modemSend(data, this.mux);
    return n < 0 ? (n & 0xffff) : n; // int16 into size_t, as the library returns it
  }

  /** `print(text)` / `Print::write(const char*)`: one send of the string's bytes. */
  async print(text: string): Promise<number> {
    if (text.length === 0) return 0;
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    return this.write(bytes);
  }

  /** `println(text)`: the text, then a separate send of CR LF (Print::println). */
  async println(text = ''): Promise<number> {
    return (await this.print(text)) + (await this.print('\r\n'));
  }

  /** sync-reads: what `available()` returns when it needs no modem exchange (bytes in the FIFO), else -1. */
  availableNow(): number {
    return this.at.syncReads && this.rx.size() ? this.rx.size() + this.sock_available : -1;
  }

  /** sync-reads: what `read()` returns when `maintain()` has nothing to do and the FIFO holds a byte, else -2. */
  readNow(): number {
    if (!this.at.syncReads || this.rx.size() === 0 || !this.at.maintainIdle()) return -2;
    this.at.noteSyncRead();
    return this.rx.get();
  }

  /** `available()` (TINY_GSM_BUFFER_READ_AND_CHECK_SIZE). */
  async available(): Promise<number> {
    if (!this.rx.size()) {
      if (((this.at.millis() - this.prev_check) >>> 0) > 500) {
        this.got_data = true;
        this.prev_check = this.at.millis();
      }
      await this.at.maintain();
    }
    return this.rx.size() + this.sock_available;
  }

  /** `read()`: one byte or -1. */
  async read(): Promise<number> {
    await this.at.maintain();
    for (;;) {
      if (this.rx.size() > 0) return this.rx.get();
      if (((this.at.millis() - this.prev_check) >>> 0) > 500) {
        this.got_data = true;
        this.prev_check = this.at.millis();
      }
      await this.at.maintain();
      if (this.sock_available > 0) {
        const n = await this.at.modemRead(Math.min(this.rx.free(), this.sock_available), this.mux);
        if (n === 0) return -1;
      } else {
        return -1;
      }
    }
  }

  /** `connected()`: data waiting, or the socket's last known state. */
  async connected(): Promise<boolean> {
    if (await this.available()) return true;
    return this.sock_connected;
  }

  /** `flush()`: the modem UART's. */
  flush(): void { this.at.stream.flush(); }
}

/** C `atoi`: optional white space and sign, digits; int32 wrap on overflow (newlib returns (int) strtol). */
export function cAtoi(s: string): number {
  let i = 0;
  while (i < s.length && (s[i] === ' ' || (s.charCodeAt(i) >= 9 && s.charCodeAt(i) <= 13))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') { neg = s[i] === '-'; i++; }
  let v = 0;
  let digits = 0;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
    if (v < 2147483648) v = v * 10 + (s.charCodeAt(i) - 0x30);
    i++;
    digits++;
  }
  if (!digits) return 0;
  if (v > 2147483647) v = neg ? 2147483648 : 2147483647; // strtol clamps
  return neg ? -v | 0 : v;
}

/** Arduino `String::trim()`: C `isspace` characters off both ends. */
export function arduinoTrim(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+/, '').replace(/[ \t\n\v\f\r]+$/, '');
}

/** `TinyGsmIpFromString`: dotted quad parsed leniently (digits accumulate per part, stops after the 4th part). */
export function ipFromString(strIP: string): string {
  const parts = [0, 0, 0, 0];
  let part = 0;
  for (let i = 0; i < strIP.length && i < 256; i++) {
    const c = strIP[i];
    if (c === '.') {
      part++;
      if (part > 3) return '0.0.0.0';
      continue;
    } else if (c >= '0' && c <= '9') {
      parts[part] = (parts[part] * 10 + (c.charCodeAt(0) - 48)) | 0;
    } else if (part === 3) {
      break;
    }
  }
  return parts.map((p) => p & 0xff).join('.');
}
