// The project's one HTTP server (`osm serve`): the dashboard page and its websocket, and whatever else is mounted
// under a path prefix before it listens (the embedded Node-RED editor at /red and its HTTP nodes at /api).
//
// Security, for every HTTP request and every websocket upgrade, mounted handlers included:
// - Bound to 127.0.0.1 by default. A host other than loopback needs a token (checked by `checkServerOptions`).
// - With a token, a request must carry it: `Authorization: Bearer <token>`, the `osm_token` cookie, or `?token=`
//   (a page opened with `?token=` gets the cookie, HttpOnly and SameSite=Strict, so its scripts and socket carry it).
// - On loopback, the Host header must name loopback (a DNS-rebinding page cannot reach the server by another name).
// - A websocket upgrade with an Origin header must come from this server's own origin (the page); other sites'
//   pages are refused (403).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DashboardHub, type HubConfig } from './hub.ts';

/** An Express-style handler: Node-RED's admin and node apps are such handlers. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface ServerOptions {
  host: string;
  port: number;
  /** Shared secret; required when `host` is not loopback. */
  token?: string;
}

export class ServerOptionError extends Error {}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuse unsafe or malformed options before anything starts. */
export function checkServerOptions(o: ServerOptions): void {
  if (typeof o.host !== 'string' || o.host.length === 0) throw new ServerOptionError('--host needs an address');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new ServerOptionError(`--port must be 0..65535, got ${o.port}`);
  if (o.token !== undefined && (o.token.length < 8 || !/^[\x21-\x7e]+$/.test(o.token))) {
    throw new ServerOptionError('the token must be at least 8 printable characters without spaces');
  }
  if (!isLoopback(o.host) && o.token === undefined) {
    throw new ServerOptionError(`--host ${o.host} is not loopback: give --token (or set OSM_TOKEN) so that only people with the token can use the meter`);
  }
}

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');
const require = createRequire(import.meta.url);

/** The static files of the page (read at start: no path from a request ever reaches the file system). */
function loadAssets(): Map<string, { body: Buffer; type: string; etag: string }> {
  const files: [string, string, string][] = [
    ['/', join(PUBLIC_DIR, 'index.html'), 'text/html; charset=utf-8'],
    ['/app.js', join(PUBLIC_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
    ['/style.css', join(PUBLIC_DIR, 'style.css'), 'text/css; charset=utf-8'],
    // The tab's icon: without one the browser asks for /favicon.ico and logs a 404 at every page load.
    ['/favicon.svg', join(PUBLIC_DIR, 'favicon.svg'), 'image/svg+xml'],
    ['/vendor/plotly.min.js', require.resolve('plotly.js-dist-min'), 'text/javascript; charset=utf-8'],
  ];
  const out = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const [url, file, type] of files) {
    statSync(file);
    const body = readFileSync(file);
    out.set(url, { body, type, etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` });
  }
  return out;
}

export class OsmServer {
  readonly options: ServerOptions;
  readonly httpServer: Server;
  readonly hub: DashboardHub;
  readonly #mounts: { prefix: string; handler: RequestHandler }[] = [];
  readonly #closers: (() => unknown)[] = [];
  readonly #assets = loadAssets();
  #listening = false;
  #closed = false;

  constructor(options: ServerOptions, hub: Partial<HubConfig> & Pick<HubConfig, 'library'>) {
    checkServerOptions(options);
    this.options = { ...options };
    this.hub = new DashboardHub(hub);
    this.httpServer = createServer((req, res) => this.#onRequest(req, res));
  }

  /**
   * Serve `handler` for every path under `prefix` (e.g. '/red'); call before `listen`. As with Express's
   * `app.use(prefix, handler)`, the handler sees `req.url` below the prefix, and `req.originalUrl` the full path.
   * The server has authorised the request before the handler sees it.
   */
  mount(prefix: string, handler: RequestHandler): void {
    if (this.#listening) throw new Error('mount handlers before the server listens');
    if (!/^\/[A-Za-z0-9._~-]+$/.test(prefix) || prefix === '/ws' || prefix === '/vendor') throw new Error(`cannot mount at '${prefix}'`);
    this.#mounts.push({ prefix, handler });
  }

  /** Run `fn` when the server closes (before the HTTP server stops). */
  onClose(fn: () => unknown): void { this.#closers.push(fn); }

  /** The address actually bound (the port is chosen by the system with port 0). */
  address(): { host: string; port: number } {
    const a = this.httpServer.address() as AddressInfo | null;
    return { host: this.options.host, port: a?.port ?? this.options.port };
  }

  url(): string {
    const { host, port } = this.address();
    const h = host.includes(':') ? `[${host}]` : host;
    return `http://${h}:${port}/`;
  }

  async listen(): Promise<void> {
    // Every upgrade goes through one authorising dispatcher, also those of mounted apps (Node-RED's editor socket):
    // listeners they added to the HTTP server are moved behind it.
    const foreign = this.httpServer.listeners('upgrade') as ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
    this.httpServer.removeAllListeners('upgrade');
    this.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head, foreign));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.httpServer.once('error', onError);
      this.httpServer.listen(this.options.port, this.options.host, () => {
        this.httpServer.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    this.hub.start();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#closers.reverse()) {
      try { await fn(); } catch { /* a mounted app that fails to stop must not keep the server up */ }
    }
    await this.hub.close();
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }

  // ------------------------------------------------------------------------------------------------------------

  /** Null when the request may go on; otherwise the HTTP status and reason to refuse it with. */
  #authorise(req: IncomingMessage): { status: number; reason: string } | null {
    if (isLoopback(this.options.host)) {
      const host = hostName(req.headers.host);
      if (host === null || !isLoopback(host)) return { status: 421, reason: 'this server answers only to a loopback host name' };
    }
    const token = this.options.token;
    if (token === undefined) return null;
    const given = tokenOf(req);
    if (given === null || !sameSecret(given, token)) return { status: 401, reason: 'missing or wrong token: open the address with ?token=<token>' };
    return null;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const denied = this.#authorise(req);
    if (denied) { plain(res, denied.status, denied.reason); return; }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (this.options.token !== undefined && url.searchParams.get('token') !== null) {
      res.setHeader('Set-Cookie', `osm_token=${encodeURIComponent(this.options.token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    for (const m of this.#mounts) {
      if (path === m.prefix || path.startsWith(m.prefix + '/')) {
        // as Express's app.use(prefix, handler): the handler sees the path below the prefix; originalUrl keeps it all
        const r = req as IncomingMessage & { originalUrl?: string; baseUrl?: string };
        r.originalUrl = req.url;
        r.baseUrl = m.prefix;
        const rest = (req.url ?? '/').slice(m.prefix.length);
        req.url = rest.startsWith('/') ? rest : `/${rest}`;
        m.handler(req, res, (err?: unknown) => {
          if (res.headersSent) { res.end(); return; }
          plain(res, err ? 500 : 404, err ? 'error in a mounted handler' : 'not found');
        });
        return;
      }
    }
    const asset = this.#assets.get(path === '/index.html' ? '/' : path);
    if (!asset) { plain(res, 404, 'not found'); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.setHeader('Allow', 'GET, HEAD'); plain(res, 405, 'method not allowed'); return; }
    res.setHeader('Content-Type', asset.type);
    res.setHeader('ETag', asset.etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (path === '/' || path === '/index.html') {
      res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'");
      res.setHeader('Cache-Control', 'no-cache');
    }
    if (req.headers['if-none-match'] === asset.etag) { res.statusCode = 304; res.end(); return; }
    res.statusCode = 200;
    res.setHeader('Content-Length', asset.body.length);
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, foreign: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void)[]): void {
    socket.on('error', () => socket.destroy());
    const denied = this.#authorise(req) ?? this.#checkOrigin(req);
    if (denied) { refuseUpgrade(socket, denied.status, denied.reason); return; }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/ws') { this.hub.handleUpgrade(req, socket, head); return; }
    if (foreign.length > 0 && this.#mounts.some((m) => path.startsWith(m.prefix + '/'))) {
      for (const l of foreign) l.call(this.httpServer, req, socket, head);
      return;
    }
    refuseUpgrade(socket, 404, 'no websocket at this path');
  }

  #checkOrigin(req: IncomingMessage): { status: number; reason: string } | null {
    const origin = req.headers.origin;
    if (origin === undefined) return null; // not a browser: the token (if any) has been checked
    let o: URL;
    try { o = new URL(origin); } catch { return { status: 403, reason: 'bad Origin' }; }
    const host = req.headers.host;
    if ((o.protocol === 'http:' || o.protocol === 'https:') && host !== undefined && o.host === host) return null;
    return { status: 403, reason: `websocket from another origin (${origin.slice(0, 80)}) refused` };
  }
}

function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m ? m[1].toLowerCase() : null;
}

function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === 'osm_token') { try { return decodeURIComponent(v.join('=')); } catch { return null; } }
    }
  }
  try {
    return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  } catch {
    return null;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(`${text}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 421: 'Misdirected Request' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason) + 1}\r\n\r\n${reason}\n`);
}
