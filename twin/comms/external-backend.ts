// A top-up backend of the user's own, reached over a real TCP socket: the meter's polls and success POSTs go to
// `http://host:port` instead of the built-in backend (`osm serve --backend URL`, `osm run --backend URL`).
//
// It sits behind the virtual internet as an in-process service does: the modem's connection arrives as an in-memory
// socket, whose bytes this service copies to a real socket and back. So the virtual internet's holds apply: once a
// request is whole, virtual time stands still until the server has answered and closed (the firmware asks for
// `Connection: close`), and the answer reaches the modem at the virtual time the request did, whatever the wall time
// the server took. The connect itself is held as well, so a server that refuses it closes the meter's connection at
// a reproducible virtual time. A run against a server that answers the same gives the same trace at any speed.
//
// Each exchange is reported to the watchers as the built-in backend reports its own (meter, success POST or not,
// status, body), read from the bytes on the wire. What the server does with a request is its own: payments are
// made on it, and the built-in backend's faults and pending top-ups do not apply.
import { connect as netConnect, type Socket } from 'node:net';
import type { VirtualClock } from '../kernel/clock.ts';
import type { InMemorySocket } from './duplex-pair.ts';
import type { BackendRequest } from './topup-backend.ts';
import type { InProcessService } from './virtual-internet.ts';
import { Watchers } from './watchers.ts';

/** Where the server is: `http://host[:port][/subscribe.php]`. */
export interface BackendUrl { host: string; port: number }

/** `http://host[:port][/subscribe.php]` (port 80 by default). The firmware's path is fixed: none other is taken. */
export function parseBackendUrl(url: string): BackendUrl {
  let u: URL;
  try { u = new URL(url); } catch { throw new RangeError(`backend url '${url}' is not a URL (expected http://host:port)`); }
  if (u.protocol !== 'http:') throw new RangeError(`backend url '${url}': only http:// is supported (the meter's SIM800 speaks plain HTTP)`);
  if (u.hostname === '') throw new RangeError(`backend url '${url}' names no host (expected http://host:port)`);
  if (u.username || u.password || u.search || u.hash) throw new RangeError(`backend url '${url}': give only http://host:port (the firmware sends its own path and form)`);
  if (u.pathname !== '/' && u.pathname !== '/subscribe.php') {
    throw new RangeError(`backend url '${url}': the firmware always posts to /subscribe.php; give http://host:port`);
  }
  const host = u.hostname.startsWith('[') && u.hostname.endsWith(']') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port: u.port ? Number(u.port) : 80 };
}

/** The URL as the tools print it. */
export function backendUrlText(b: BackendUrl): string {
  return `http://${b.host.includes(':') ? `[${b.host}]` : b.host}:${b.port}/subscribe.php`;
}

/** Whether a TCP connection to the backend opens (a check before a run): null when it does, else why not. */
export function reachBackend(b: BackendUrl, timeoutMs = 3000): Promise<string | null> {
  return new Promise((resolve) => {
    const s = netConnect({ host: b.host, port: b.port });
    const t = setTimeout(() => { s.destroy(); resolve(`no connection within ${timeoutMs / 1000} s`); }, timeoutMs);
    s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(null); });
    s.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(t); resolve(err.code === 'ECONNREFUSED' ? 'connection refused' : err.code ?? err.message); });
  });
}

export class ExternalBackend implements InProcessService {
  readonly protocol = 'http' as const;
  readonly url: BackendUrl;
  readonly #clock: VirtualClock;
  readonly #watchers = new Watchers<BackendRequest>();
  readonly #sockets = new Set<Socket>();
  /** Opens the real socket (a test may give its own). */
  readonly #connect: (b: BackendUrl) => Socket;

  constructor(clock: VirtualClock, url: BackendUrl, connect: (b: BackendUrl) => Socket = (b) => netConnect({ host: b.host, port: b.port })) {
    this.#clock = clock;
    this.url = url;
    this.#connect = connect;
  }

  /** Call `fn` with every exchange from now on (or `meter`'s only); returns the function that stops it. */
  watch(fn: (r: BackendRequest) => void, meter?: string): () => void { return this.#watchers.add(fn, meter); }

  accept(modemSide: InMemorySocket): void {
    const socket = this.#connect(this.url);
    this.#sockets.add(socket);
    const request: Buffer[] = [];
    const response: Buffer[] = [];
    let reported = false;
    let settled: () => void = () => {};
    // Virtual time waits for the connect's outcome: a refusal then closes the meter's connection where it opened.
    this.#clock.hold(new Promise<void>((resolve) => { settled = resolve; }));
    socket.once('connect', () => settled());
    modemSide.on('data', (d: Buffer) => { request.push(d); socket.write(d); });
    modemSide.on('end', () => socket.end());
    modemSide.on('error', () => socket.destroy());
    modemSide.on('close', () => socket.destroy());
    socket.on('data', (d: Buffer) => { response.push(d); modemSide.write(d); });
    const done = (): void => {
      settled();
      this.#sockets.delete(socket);
      if (!reported && request.length) {
        reported = true;
        const r = exchangeReport(Buffer.concat(request), Buffer.concat(response));
        if (r) this.#watchers.tell(r, r.meter);
      }
      if (!modemSide.destroyed) modemSide.end();
    };
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
  }

  /** Close every socket still open (end of a run). */
  close(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }
}

/**
 * What the built-in backend would report of an exchange, read from its bytes: the request's method, path and form
 * (`meter`, `stat=sucess`), the response's status and body (a chunked body decoded). Null when the request is not
 * whole HTTP. A connection closed without a response reports status 0 and answer null.
 */
export function exchangeReport(request: Buffer, response: Buffer): BackendRequest | null {
  const req = request.toString('latin1');
  const head = req.indexOf('\r\n\r\n');
  if (head < 0) return null;
  const line = /^([A-Z]+) (\S+) HTTP\/1\.[01]\r\n/.exec(req);
  if (!line) return null;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(req.slice(0, head));
  const form = new URLSearchParams(req.slice(head + 4, head + 4 + (length ? Number(length[1]) : 0)));
  const base = { method: line[1], path: line[2], meter: form.get('meter'), success: form.get('stat') === 'sucess', fault: 'none' as const };
  const res = response.toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(res);
  const resHead = res.indexOf('\r\n\r\n');
  if (!status || resHead < 0) return { ...base, status: 0, answer: null };
  let body = res.slice(resHead + 4);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(res.slice(0, resHead))) body = unchunk(body);
  return { ...base, status: Number(status[1]), answer: Buffer.from(body, 'latin1').toString('utf8') };
}

/** A chunked body's data (what a complete or cut-off chunked body holds). */
function unchunk(body: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', i);
    if (eol < 0) return out;
    const size = parseInt(body.slice(i, eol), 16);
    if (!(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}
