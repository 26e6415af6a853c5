// The internet behind the simulated SIM800: host names and ports routed to in-process servers (the top-up backend,
// the ThingsBoard broker) through in-memory streams, to a real external server (real time only), or to nothing.
//
// Determinism. The servers are real Node code: they answer on the Node event loop, at whatever wall time that takes,
// while the meter runs on the virtual clock. When the modem hands bytes to a server (at virtual time t, after the
// network's one-way latency), this link puts a hold on the clock (VirtualClock.hold): no further simulation event
// runs until the server has answered what it was sent. "Answered" is decided by the protocol:
// - HTTP: once the request is complete (headers and Content-Length bytes), the server's whole response (until it
//   closes the connection, as `Connection: close` asks, or its Content-Length is complete);
// - MQTT: one reply packet for each CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and QoS 1 PUBLISH, and the broker's
//   count of processed PUBLISH packets reaching the ones sent (or the broker closing the connection);
// - part of an HTTP request: nothing (the server cannot answer before the rest arrives);
// - anything else (a QoS 0 PUBLISH, a DISCONNECT): the broker consuming it, i.e. a few turns of the event loop with
//   nothing pending in memory.
// The answer is then given to the modem at the same virtual time t; the modem charges the way back (latency) and any
// modelled server time (`serverDelayMs`, a slow backend) on the virtual clock. Wall time never enters the trace, so
// the same scenario gives the same trace. A server that does not answer within `wallTimeoutMs` of wall time (a
// bug, not a modelled fault) releases the hold with what it sent so far.
//
// An external server (a real broker at a URL) is reached over a real socket without holds: its answers arrive when
// they arrive and are handed to the modem at the virtual time of that moment. Use it at real-time speed only.
//
// Exact shortcut `backend-replay` (off with --exact-slow): a service that says what its answers depend on
// (`replayState`, the top-up backend's fault, configuration and the pending top-up of the meter a request names) gets
// each HTTP request through the real node:http server once; when the same request bytes come again on a new
// connection with the same state (for the backend: the same pending top-up of that meter), the
// server's recorded answer (the same response bytes, its close, the same request report to the service's watchers)
// is given at the same virtual time, in the same order, without the in-memory socket round trip. Only exchanges
// that left the state unchanged are recorded (a poll with nothing pending, not a success POST that zeroes a top-up),
// and a connection stays real as soon as its bytes are not the start of a recorded request.
import type { Duplex } from 'node:stream';
import type { VirtualClock } from '../kernel/clock.ts';
import type { Internet, TcpEvents, TcpPeer } from '../../models/modem/tcp-socket.ts';
import { duplexPair, type InMemorySocket } from './duplex-pair.ts';

export type Protocol = 'http' | 'mqtt';

/** An in-process server that accepts in-memory connections. */
export interface InProcessService {
  protocol: Protocol;
  /** Take the server side of a new connection. */
  accept(socket: InMemorySocket): void;
  /** MQTT: PUBLISH packets from clients the broker has processed so far (the link waits for its own). */
  publishedCount?(): number;
  /**
   * HTTP, for replaying answers (with `requestsSeen` and `replayed`); null when no answer may be replayed now (a fault
   * is set). Given the report of an answered request (`lastReport`): everything THAT answer depended on besides the
   * request's bytes, as a string (the same bytes in the same state get the same answer). Without: a token of the
   * service's whole state, different whenever something an answer depends on may have changed (so that an exchange
   * that changed it is not recorded). Neither should cost more with more clients.
   */
  replayState?(report?: unknown): string | null;
  /** Requests the service has reported so far. */
  requestsSeen?(): number;
  /** Report a replayed request to the service's observers, as the server reported the recorded one. */
  replayed?(report: unknown): void;
  /** The report of the last request (what `replayed` takes). */
  lastReport?(): unknown;
}

/** A request the real server answered, with the state its answer depended on (`replayState(report)`). */
interface Recorded { state: string; response: Buffer; report: unknown }

export type Route =
  | { kind: 'service'; service: InProcessService }
  /** The host resolves, nothing listens on the port (the server process is down): the connect is refused at once. */
  | { kind: 'refused' }
  /** The host does not answer at all: the modem's connect times out. */
  | { kind: 'unreachable' }
  /** A real server (real time only): `connect` opens the socket. */
  | { kind: 'external'; connect: () => Duplex };

export interface VirtualInternetOptions {
  /** Wall-clock safety limit for one server answer, ms (default 5000). */
  wallTimeoutMs?: number;
  /** The exact shortcut `backend-replay` (see above); default off. */
  replay?: boolean;
}

/** Recorded answers of one service: request bytes (latin1) to the answer. Bounded: a poll loop needs a handful. */
class ReplayBook {
  readonly #byRequest = new Map<string, Recorded>();
  /** Answers given without the server. */
  replays = 0;
  get(request: string): Recorded | undefined { return this.#byRequest.get(request); }
  /** Some recorded request starts with `prefix`. */
  hasPrefix(prefix: string): boolean {
    for (const k of this.#byRequest.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
  set(request: string, r: Recorded): void {
    if (this.#byRequest.size >= 32 && !this.#byRequest.has(request)) this.#byRequest.delete(this.#byRequest.keys().next().value!);
    this.#byRequest.set(request, r);
  }
}

export class VirtualInternet implements Internet {
  readonly #clock: VirtualClock;
  readonly #routes = new Map<string, Route>();
  readonly #wallTimeoutMs: number;
  readonly #open = new Set<Connection>();
  readonly #replay: boolean;
  readonly #books = new Map<InProcessService, ReplayBook>();
  /** Every connection attempt (host, port, outcome), for traces. */
  onConnect?: (host: string, port: number, outcome: 'connected' | 'dns' | 'refused' | 'unreachable') => void;

  constructor(clock: VirtualClock, options: VirtualInternetOptions = {}) {
    this.#clock = clock;
    this.#wallTimeoutMs = options.wallTimeoutMs ?? 5000;
    this.#replay = options.replay ?? false;
  }

  /** HTTP answers given from the record instead of the server (the `backend-replay` shortcut). */
  get replays(): number {
    let n = 0;
    for (const b of this.#books.values()) n += b.replays;
    return n;
  }

  /** Route `host:port` (host names are case-insensitive). */
  route(host: string, port: number, route: Route): void { this.#routes.set(key(host, port), route); }
  routeOf(host: string, port: number): Route | undefined { return this.#routes.get(key(host, port)); }

  open(host: string, port: number, events: TcpEvents): TcpPeer | 'dns' | 'refused' | 'unreachable' {
    const hostKnown = [...this.#routes.keys()].some((k) => k.startsWith(host.toLowerCase() + ':'));
    const r = this.#routes.get(key(host, port));
    if (!r) {
      const outcome = hostKnown ? 'refused' : 'dns';
      this.onConnect?.(host, port, outcome);
      return outcome;
    }
    if (r.kind === 'refused' || r.kind === 'unreachable') { this.onConnect?.(host, port, r.kind); return r.kind; }
    this.onConnect?.(host, port, 'connected');
    if (r.kind === 'external') return this.#external(r.connect(), events);
    const service = r.service;
    let book: ReplayBook | null = null;
    if (this.#replay && service.protocol === 'http' && service.replayState && service.requestsSeen && service.replayed && service.lastReport) {
      book = this.#books.get(service) ?? new ReplayBook();
      this.#books.set(service, book);
    }
    const c = new Connection(this.#clock, service, events, this.#wallTimeoutMs, book);
    this.#open.add(c);
    c.onDone = () => this.#open.delete(c);
    return c;
  }

  /** Close every connection (end of a run). */
  closeAll(): void { for (const c of [...this.#open]) c.close(); }

  #external(socket: Duplex, events: TcpEvents): TcpPeer {
    let closed = false;
    socket.on('data', (d: Buffer) => { if (!closed) events.onData(new Uint8Array(d)); });
    const end = (): void => { if (!closed) { closed = true; events.onClose(); } };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
    return {
      send: (bytes) => { if (!closed) socket.write(Buffer.from(bytes)); },
      close: () => { closed = true; socket.destroy(); },
    };
  }
}

/** What the bytes just sent ask of the server. */
type Expected = { kind: 'settle' } | { kind: 'http' } | { kind: 'mqtt'; packets: number; published: number };
const SETTLE: Expected = { kind: 'settle' };
const HTTP_ANSWER: Expected = { kind: 'http' };

function key(host: string, port: number): string { return `${host.toLowerCase()}:${port}`; }

/** One modem connection to an in-process server. */
class Connection implements TcpPeer {
  readonly #clock: VirtualClock;
  readonly #protocol: Protocol;
  readonly #service: InProcessService;
  #client: InMemorySocket | null = null;
  #server: InMemorySocket | null = null;
  readonly #events: TcpEvents;
  /** Replay: the service's record (null: always the real server). */
  readonly #book: ReplayBook | null;
  /** Replay: request bytes held back while they are the start of a recorded request (latin1). */
  #held = '';
  /** Replay: the complete request now with the server, its state and report count before it (to record it). */
  #recording: { request: string; state: string; seen: number } | null = null;
  /** Replay: the first request of a real connection so far (latin1), while it is not whole; null after. */
  #firstRequest: string | null = null;
  /** Replay: server bytes of the present answer. */
  #answer: Buffer[] = [];
  readonly #wallTimeoutMs: number;
  /** Server bytes not yet handed to the modem. */
  #inbox: Buffer[] = [];
  #serverClosed = false;
  #closedByModem = false;
  #announcedClose = false;
  /** Client bytes seen (to frame MQTT packets). */
  #request = Buffer.alloc(0);
  /** HTTP: the request so far (latin1), where its header ends (-1: not yet seen) and its whole length. */
  #httpRequest = '';
  #httpHead = -1;
  #httpNeed = 0;
  /** Server bytes seen since the present expectation began (to frame responses / packets). */
  #response = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #holding = false;
  onDone?: () => void;

  constructor(clock: VirtualClock, service: InProcessService, events: TcpEvents, wallTimeoutMs: number, book: ReplayBook | null) {
    this.#clock = clock;
    this.#service = service;
    this.#protocol = service.protocol;
    this.#events = events;
    this.#wallTimeoutMs = wallTimeoutMs;
    this.#book = book;
    if (!book) this.#connect();
  }

  /** The real in-memory connection to the server (at once, or when a held-back request turns out new). */
  #connect(): InMemorySocket {
    const [client, server] = duplexPair();
    this.#client = client;
    this.#server = server;
    client.on('data', (d: Buffer) => {
      if (this.#recording) this.#answer.push(d);
      this.#inbox.push(d);
      this.#response = Buffer.concat([this.#response, d]);
      this.#wake?.();
      if (!this.#holding) this.#deliver(); // unprompted data: at the clock's present time
    });
    const closed = (): void => {
      if (this.#serverClosed) return;
      this.#serverClosed = true;
      this.#wake?.();
      if (!this.#holding) this.#deliver();
    };
    client.on('end', closed);
    client.on('close', closed);
    client.on('error', closed);
    server.on('error', () => { /* the server destroyed its side; seen as a close on ours */ });
    this.#service.accept(server);
    return client;
  }

  send(bytes: Uint8Array): void {
    if (this.#closedByModem || this.#serverClosed) return;
    const buf = Buffer.from(bytes);
    let client = this.#client;
    let first: Buffer = buf;
    if (!client) {
      // Replay: hold the bytes back while they are the start of a recorded request (the server could not have
      // answered a part of a request it parsed whole before); a whole one recorded in this state is answered.
      const text = buf.toString('latin1');
      const held = this.#held + text;
      const expected = this.#expectedReplies(buf, text);
      const book = this.#book!;
      if (expected.kind === 'settle' && book.hasPrefix(held)) { this.#held = held; return; }
      if (expected.kind === 'http') {
        const rec = book.get(held);
        if (rec && this.#service.replayState!(rec.report) === rec.state) { this.#replay(rec); return; }
        const state = this.#service.replayState!();
        if (state !== null) this.#recording = { request: held, state, seen: this.#service.requestsSeen!() };
      }
      client = this.#connect();
      first = Buffer.from(held, 'latin1');
      this.#held = '';
      this.#firstRequest = expected.kind === 'settle' ? held : null;
      if (expected.kind === 'settle') { client.write(first); return; }
      this.#sendAwaiting(client, first, expected);
      return;
    }
    const text = this.#protocol === 'http' ? buf.toString('latin1') : '';
    const expected = this.#expectedReplies(buf, text);
    if (this.#firstRequest !== null) {
      // Replay: the connection's first request, sent in parts to the real server, is recorded once it is whole.
      const request = this.#firstRequest + (text || buf.toString('latin1'));
      this.#firstRequest = expected.kind === 'settle' ? request : null;
      const state = expected.kind === 'http' ? this.#service.replayState!() : null;
      if (state !== null) this.#recording = { request, state, seen: this.#service.requestsSeen!() };
    }
    if (expected.kind === 'settle' && this.#protocol === 'http') {
      // Part of a request: the server cannot answer before the rest arrives, so there is nothing to wait for (the
      // stream keeps the order, and the request's last part waits for the whole answer).
      client.write(buf);
      return;
    }
    this.#sendAwaiting(client, buf, expected);
  }

  /** Write `bytes` to the server and keep virtual time still until its answer (`expected`) is in, then hand it on. */
  #sendAwaiting(client: Duplex, bytes: Buffer, expected: Expected): void {
    this.#holding = true;
    this.#response = Buffer.alloc(0);
    client.write(bytes);
    this.#clock.hold(this.#awaitAnswer(expected).then(() => {
      this.#holding = false;
      this.#deliver();
    }));
  }

  /** The recorded answer, as #deliver gives the server's: the report, the bytes, the close. */
  #replay(rec: Recorded): void {
    this.#book!.replays++;
    this.#held = '';
    this.#serverClosed = true;
    this.#service.replayed!(rec.report);
    this.#events.onData(new Uint8Array(rec.response), 0);
    this.#announcedClose = true;
    this.#events.onClose(0);
    this.onDone?.();
  }

  close(): void {
    if (this.#closedByModem) return;
    this.#closedByModem = true;
    this.#client?.destroy();
    this.onDone?.();
  }

  #deliver(): void {
    if (this.#closedByModem) return;
    const delayMs = this.#server?.serverDelayMs ?? 0;
    if (this.#inbox.length) {
      const data = Buffer.concat(this.#inbox);
      this.#inbox = [];
      this.#events.onData(new Uint8Array(data), delayMs);
    }
    if (this.#serverClosed && !this.#announcedClose) {
      this.#announcedClose = true;
      this.#record(delayMs);
      this.#events.onClose(delayMs);
      this.onDone?.();
      // The modem's TCP stack completes the close the server began (its FIN answered): without it the server's side
      // never ends, and node:http keeps the connection's parser and streams for ever (one per poll: a leak).
      this.#client?.destroy();
    }
    if (this.#recording && !this.#holding) this.#recording = null;
  }

  /** Keep the answer just given for replay when it is one answer to the one request, in time, state unchanged. */
  #record(delayMs: number): void {
    const r = this.#recording;
    this.#recording = null;
    if (!r || !this.#book || delayMs !== 0) return;
    const s = this.#service;
    if (s.requestsSeen!() !== r.seen + 1 || s.replayState!() !== r.state || !this.#answer.length) return;
    const report = s.lastReport!();
    const state = s.replayState!(report);
    if (state === null) return;
    this.#book.set(r.request, { state, response: Buffer.concat(this.#answer), report });
  }

  /**
   * What the bytes just sent ask of the server: 'settle' (nothing) or a response to wait for. `text`: the bytes as
   * latin1 (HTTP requests are framed as text: the request is sent in many parts, each looked at once).
   */
  #expectedReplies(bytes: Buffer, text: string): Expected {
    if (this.#protocol === 'http') {
      const before = this.#httpRequest.length;
      const r = this.#httpRequest += text;
      if (this.#httpHead < 0) {
        // The first blank line can only end in the new part (the earlier parts had none).
        const head = r.indexOf('\r\n\r\n', Math.max(0, before - 3));
        if (head < 0) return SETTLE;
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(r.slice(0, head));
        this.#httpHead = head;
        this.#httpNeed = head + 4 + (m ? Number(m[1]) : 0);
      }
      if (r.length < this.#httpNeed) return SETTLE;
      // The next bytes (the firmware's extra CR LF) start a new request.
      this.#httpRequest = '';
      this.#httpHead = -1;
      return HTTP_ANSWER;
    }
    this.#request = Buffer.concat([this.#request, bytes]);
    let packets = 0;
    let publishes = 0;
    for (;;) {
      const f = mqttFrame(this.#request);
      if (!f) break;
      const type = this.#request[0] >> 4;
      const qos = (this.#request[0] >> 1) & 3;
      if (type === 1 || type === 8 || type === 10 || type === 12 || (type === 3 && qos > 0)) packets++;
      if (type === 3) publishes++;
      this.#request = this.#request.subarray(f.length);
    }
    const target = publishes && this.#service.publishedCount ? this.#service.publishedCount() + publishes : 0;
    return packets || target ? { kind: 'mqtt', packets, published: target } : SETTLE;
  }

  #answered(expected: Expected): boolean {
    if (this.#serverClosed) return true;
    // `Connection: close` (the firmware always asks for it): the answer ends when the server closes.
    if (expected.kind === 'http') return httpResponseComplete(this.#response) && !/\r\nconnection:\s*close/i.test(this.#response.toString('latin1'));
    if (expected.kind === 'mqtt') {
      if (expected.published && this.#service.publishedCount && this.#service.publishedCount() < expected.published) return false;
      let n = 0;
      let b = this.#response;
      for (let f = mqttFrame(b); f; f = mqttFrame(b)) { n++; b = b.subarray(f.length); }
      return n >= expected.packets;
    }
    return false;
  }

  async #awaitAnswer(expected: Expected): Promise<void> {
    if (expected.kind === 'settle') {
      // Let the server consume the bytes (in-memory work only: a few event-loop turns).
      for (let i = 0; i < 6; i++) await new Promise((r) => setImmediate(r));
      return;
    }
    const deadline = Date.now() + this.#wallTimeoutMs;
    // A PUBLISH gets no reply packet: look at the broker's count after each event-loop turn instead.
    const poll = expected.kind === 'mqtt' && expected.published > 0;
    while (!this.#answered(expected) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        if (poll) { setImmediate(resolve); return; }
        const t = setTimeout(() => { this.#wake = null; resolve(); }, Math.max(1, deadline - Date.now()));
        this.#wake = () => { clearTimeout(t); this.#wake = null; resolve(); };
      });
    }
    // Whatever the server sends right after its answer (a close after the response) belongs to it.
    for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
  }
}

/** Length of the first complete MQTT packet in `b`, or null. */
export function mqttFrame(b: Buffer): { length: number } | null {
  if (b.length < 2) return null;
  let mult = 1;
  let len = 0;
  let i = 1;
  for (;;) {
    if (i >= b.length || i > 4) return i > 4 ? { length: b.length } : null; // a malformed length swallows the rest
    const d = b[i++];
    len += (d & 127) * mult;
    mult *= 128;
    if (!(d & 128)) break;
  }
  return b.length >= i + len ? { length: i + len } : null;
}

/** A complete HTTP response: headers and, when given, Content-Length bytes of body. */
function httpResponseComplete(b: Buffer): boolean {
  const head = b.indexOf('\r\n\r\n');
  if (head < 0) return false;
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(b.subarray(0, head).toString('latin1'));
  return m ? b.length >= head + 4 + Number(m[1]) : false;
}
