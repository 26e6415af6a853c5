// Two connected in-memory streams: what one side writes, the other reads; ending one side ends the other's
// readable. The modem's TCP connections reach the in-process servers through these (server.emit('connection') for
// node:http, aedes.handle for MQTT), so no socket is opened and nothing depends on the host's network.
import { Duplex } from 'node:stream';

/** The server side of an in-memory connection carries these so the servers can tell it from a real socket. */
export const IN_MEMORY = Symbol('osm.in-memory-connection');

export interface InMemorySocket extends Duplex {
  [IN_MEMORY]: true;
  remoteAddress: string;
  remotePort: number;
  /** Extra time (ms of virtual time) the server wants its next answer to take (a slow backend), set by the server. */
  serverDelayMs: number;
  setTimeout(ms: number, cb?: () => void): this;
  setNoDelay(noDelay?: boolean): this;
  setKeepAlive(enable?: boolean, delay?: number): this;
}

function side(): InMemorySocket {
  let other: InMemorySocket | null = null;
  const d = new Duplex({
    read() { /* data is pushed by the other side */ },
    write(chunk: Buffer, _enc, cb) { if (other && !other.destroyed) other.push(chunk); cb(); },
    final(cb) { if (other && !other.destroyed) other.push(null); cb(); },
    destroy(err, cb) { if (other && !other.destroyed && !other.readableEnded) other.push(null); cb(err); },
  }) as InMemorySocket;
  d[IN_MEMORY] = true;
  d.remoteAddress = '10.174.28.61';
  d.remotePort = 0;
  d.serverDelayMs = 0;
  d.setTimeout = function (this: InMemorySocket) { return this; };
  d.setNoDelay = function (this: InMemorySocket) { return this; };
  d.setKeepAlive = function (this: InMemorySocket) { return this; };
  (d as unknown as { link(o: InMemorySocket): void }).link = (o: InMemorySocket) => { other = o; };
  return d;
}

/** A connected pair: `[client, server]`. */
export function duplexPair(): [InMemorySocket, InMemorySocket] {
  const a = side();
  const b = side();
  (a as unknown as { link(o: InMemorySocket): void }).link(b);
  (b as unknown as { link(o: InMemorySocket): void }).link(a);
  return [a, b];
}

export function isInMemory(s: unknown): s is InMemorySocket {
  return typeof s === 'object' && s !== null && (s as Partial<InMemorySocket>)[IN_MEMORY] === true;
}
