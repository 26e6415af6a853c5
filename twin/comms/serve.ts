// Loopback listening ports for the in-process servers, for `osm serve` (real time): a stock MQTT client or a
// ThingsBoard gateway can watch the meter's telemetry on `mqttPort`, a stock HTTP client can POST to the top-up
// backend on `backendPort`. The same server objects keep serving the simulated modem through in-memory streams, so
// a top-up posted by curl or a payment queued from the dashboard reaches the twin's next poll.
//
//   const servers = await startCommsServers({ mqttPort: 1883, backendPort: 8081, comms: bench.comms });
//   ... servers.mqttPort, servers.backendPort (the ports actually bound; 0 asks for a free one)
//   await servers.close();
//
// Access, as for the dashboard's HTTP server:
// - bound to 127.0.0.1 by default; another address needs a `token`;
// - with a token, every HTTP request to the backend port must carry it (`Authorization: Bearer <token>` or
//   `?token=<token>`; 401 otherwise), and an MQTT client that is not a device (its user name is not a device access
//   token) must give it as its password; devices connect with their access token as ThingsBoard devices do;
// - without a token (loopback only), MQTT clients without a user name may watch (subscribe, not publish);
// - on loopback, an HTTP request whose Host header does not name loopback is refused (421: DNS rebinding).
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { TopupBackend } from './topup-backend.ts';
import { TelemetryBroker } from './telemetry-broker.ts';

export interface CommsServersOptions {
  /** MQTT port (default 1883; 0 = any free port); null: no MQTT listener (the meters use an external broker). */
  mqttPort?: number | null;
  /** Top-up backend HTTP port (default 8081; 0 = any free port); null: no backend listener (the meters poll a backend of the user's own). */
  backendPort?: number | null;
  /** Address to bind (default 127.0.0.1). Anything but loopback needs `token`. */
  host?: string;
  /** Shared secret for non-device clients (see above). */
  token?: string;
  /** Serve these servers (a bench's `comms`, a dashboard meter's); default: new ones, closed with the listeners. */
  comms?: { backend: TopupBackend; broker: TelemetryBroker } | null;
  /** A port taken by another program is replaced by a free one (for default ports a user did not choose); the
   *  servers' `movedFrom` says which. Default false: a taken port is an error. */
  freePortIfTaken?: { mqtt?: boolean; backend?: boolean };
}

export interface CommsServers {
  backend: TopupBackend;
  broker: TelemetryBroker;
  host: string;
  /** The MQTT port bound, or null when there is no MQTT listener. */
  mqttPort: number | null;
  /** The backend port bound, or null when there is no backend listener. */
  backendPort: number | null;
  /** `mqtt://host:port` and `http://host:port/subscribe.php`, for a person to copy. */
  mqttUrl: string | null;
  backendUrl: string | null;
  /** Ports asked for but taken, replaced by free ones (`freePortIfTaken`): what to tell the user. */
  movedFrom: { what: 'MQTT' | 'backend'; port: number; now: number }[];
  /** Stop listening (the servers keep serving the simulated modem if they belong to a bench). */
  close(): Promise<void>;
}

export class CommsServerError extends Error {
  /** True when the port is held by another program (EADDRINUSE). */
  readonly inUse: boolean;
  constructor(message: string, inUse = false) {
    super(message);
    this.inUse = inUse;
  }
}

export function isLoopbackHost(host: string): boolean {
  return host === '::1' || host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function startCommsServers(o: CommsServersOptions = {}): Promise<CommsServers> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token;
  for (const [name, p] of [['mqtt port', o.mqttPort], ['backend port', o.backendPort]] as const) {
    if (p !== undefined && p !== null && !(Number.isInteger(p) && p >= 0 && p <= 65535)) throw new CommsServerError(`${name} must be a whole number 0..65535, got ${p}`);
  }
  if (!isLoopbackHost(host) && token === undefined) throw new CommsServerError(`${host} is not loopback: the MQTT and backend ports need a token there`);
  const own = !o.comms;
  const backend = o.comms?.backend ?? new TopupBackend();
  const broker = o.comms?.broker ?? new TelemetryBroker();
  if (token !== undefined) {
    broker.config.allowObservers = false;
    broker.config.observerPassword = token;
  }
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await Promise.all(closers.splice(0).map((c) => c()));
  };
  let mqttPort: number | null = null;
  const movedFrom: CommsServers['movedFrom'] = [];
  // listen on `port`, or on a free one when it is taken and the caller allows that
  const bind = async (server: Server, port: number, what: string, fallback: boolean | undefined, key: 'MQTT' | 'backend'): Promise<number> => {
    try {
      return await listen(server, port, host, what);
    } catch (err) {
      if (!fallback || port === 0 || !(err instanceof CommsServerError && err.inUse)) throw err;
      const now = await listen(server, 0, host, what);
      movedFrom.push({ what: key, port, now });
      return now;
    }
  };
  try {
    if (o.mqttPort !== null) {
      await broker.start();
      const mqtt = createNetServer((socket) => {
        track(socket);
        socket.on('error', () => socket.destroy());
        broker.aedes.handle(socket);
      });
      mqttPort = await bind(mqtt, o.mqttPort ?? 1883, 'MQTT', o.freePortIfTaken?.mqtt, 'MQTT');
      closers.push(() => new Promise<void>((r) => mqtt.close(() => r())));
    }
    // The backend's http.Server serves in-memory connections already; this one carries the real sockets, checks
    // access, and hands each request to it.
    let backendPort: number | null = null;
    if (o.backendPort !== null) {
      const http = createHttpServer((req, res) => {
        const denied = refusal(req, host, token);
        if (denied) {
          res.writeHead(denied.status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
          res.end(`${denied.reason}\n`);
          return;
        }
        backend.server.emit('request', req, res);
      });
      http.on('connection', track);
      http.on('clientError', (_err, socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        else socket.destroy();
      });
      backendPort = await bind(http, o.backendPort ?? 8081, 'the top-up backend', o.freePortIfTaken?.backend, 'backend');
      closers.push(() => new Promise<void>((r) => { http.closeAllConnections(); http.close(() => r()); }));
    }
    const h = host.includes(':') ? `[${host}]` : host;
    return {
      backend, broker, host, mqttPort, backendPort, movedFrom,
      mqttUrl: mqttPort === null ? null : `mqtt://${h}:${mqttPort}`,
      backendUrl: backendPort === null ? null : `http://${h}:${backendPort}/subscribe.php`,
      async close() {
        await closeAll();
        if (own) {
          await broker.close();
          backend.server.close();
        }
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function refusal(req: IncomingMessage, host: string, token: string | undefined): { status: number; reason: string } | null {
  if (isLoopbackHost(host)) {
    const name = hostName(req.headers.host);
    if (name === null || !isLoopbackHost(name)) return { status: 421, reason: 'this server answers only to a loopback host name' };
  }
  if (token === undefined) return null;
  const given = tokenOf(req);
  if (given === null || !sameSecret(given, token)) return { status: 401, reason: 'missing or wrong token: send Authorization: Bearer <token>' };
  return null;
}

function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m ? m[1].toLowerCase() : null;
}

function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  try {
    return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  } catch {
    return null;
  }
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'EADDRINUSE' ? `port ${port} is in use`
        : err.code === 'EACCES' ? `port ${port} needs privileges (choose 1024 or above)`
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' ? `${host} is not an address of this machine` : err.message;
      reject(new CommsServerError(`cannot listen for ${what} on ${host}:${port}: ${why}`, err.code === 'EADDRINUSE'));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}


