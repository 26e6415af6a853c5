// Loopback listening ports for the in-process servers, for `osm serve` (real time): a stock MQTT client or a
// ThingsBoard gateway can watch the meter's telemetry on `mqttPort`, a stock HTTP client can POST to the top-up
// backend on `backendPort`. The same server objects keep serving the simulated modem through in-memory streams, so
// a top-up posted by curl or a payment queued from the dashboard reaches the twin's next poll.
//
//   const servers = await startCommsServers({ mqttPort: 1883, backendPort: 8080, host: '127.0.0.1', comms: bench.comms });
//   ... servers.mqttPort, servers.backendPort (the ports actually bound; 0 asks for a free one)
//   await servers.close();
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TopupBackend } from './topup-backend.ts';
import { TelemetryBroker } from './telemetry-broker.ts';

export interface CommsServersOptions {
  /** MQTT port (default 1883; 0 = any free port). */
  mqttPort?: number;
  /** Top-up backend HTTP port (default 8080; 0 = any free port). */
  backendPort?: number;
  /** Address to bind (default 127.0.0.1). Off loopback the broker refuses observers without a token. */
  host?: string;
  /** Serve these servers (a bench's `comms`); default: new ones. */
  comms?: { backend: TopupBackend; broker: TelemetryBroker } | null;
}

export interface CommsServers {
  backend: TopupBackend;
  broker: TelemetryBroker;
  host: string;
  mqttPort: number;
  backendPort: number;
  /** Stop listening (the servers keep serving the simulated modem if they belong to a bench). */
  close(): Promise<void>;
}

export class CommsServerError extends Error {}

export async function startCommsServers(o: CommsServersOptions = {}): Promise<CommsServers> {
  const host = o.host ?? '127.0.0.1';
  const own = !o.comms;
  const backend = o.comms?.backend ?? new TopupBackend();
  const broker = o.comms?.broker ?? new TelemetryBroker();
  if (!isLoopback(host)) broker.config.allowObservers = false;
  for (const [name, p] of [['mqtt port', o.mqttPort], ['backend port', o.backendPort]] as const) {
    if (p !== undefined && !(Number.isInteger(p) && p >= 0 && p <= 65535)) throw new CommsServerError(`${name} must be a whole number 0..65535, got ${p}`);
  }
  await broker.start();
  const sockets = new Set<Socket>();
  const mqtt = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    broker.aedes.handle(socket);
  });
  const mqttPort = await listen(mqtt, o.mqttPort ?? 1883, host, 'MQTT');
  // The backend's http.Server serves in-memory connections already; a second listener carries the real sockets.
  const http = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    backend.server.emit('connection', socket);
  });
  let backendPort: number;
  try {
    backendPort = await listen(http, o.backendPort ?? 8080, host, 'backend');
  } catch (err) {
    await new Promise<void>((r) => mqtt.close(() => r()));
    throw err;
  }
  return {
    backend, broker, host, mqttPort, backendPort,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => mqtt.close(() => r())), new Promise<void>((r) => http.close(() => r()))]);
      if (own) {
        await broker.close();
        backend.server.close();
      }
    },
  };
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const why = err.code === 'EADDRINUSE' ? `port ${port} is in use` : err.code === 'EACCES' ? `no permission for port ${port}` : err.message;
      reject(new CommsServerError(`cannot listen for ${what} on ${host}:${port}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');
}
