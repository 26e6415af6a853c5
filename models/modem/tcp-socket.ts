// One of the SIM800's five TCP connections (`AT+CIPMUX=1`, mux 0..4) and the interface to whatever lies beyond the
// network: the "internet" that resolves a host name and port to a server. The model stays pure: the internet is
// given to it (twin/comms/ wires real servers behind it through in-memory streams).
//
// Data path with manual receive (`AT+CIPRXGET=1`, the mode TinyGSM uses): bytes from the server are held in the
// modem's buffer (`rx`), announced once with `+CIPRXGET: 1,<mux>` when the buffer goes from empty to non-empty, and
// read out with `AT+CIPRXGET=2,<mux>,<len>`.

/** The far end of one TCP connection, as the internet hands it to the modem. */
export interface TcpPeer {
  /** Bytes from the modem, arriving at the server now (the modem has already charged the network latency). */
  send(bytes: Uint8Array): void;
  /** The modem closes the connection. */
  close(): void;
}

/** What the internet tells the modem about one connection. */
export interface TcpEvents {
  /**
   * Bytes from the server, leaving it now. `serverDelayMs` is time the server took beyond the network's latency (a
   * slow server modelled on virtual time).
   */
  onData(bytes: Uint8Array, serverDelayMs?: number): void;
  /** The server closed the connection (after any data it sent). */
  onClose(serverDelayMs?: number): void;
}

/** Resolves a host and port to a server. */
export interface Internet {
  /**
   * Open a connection. Returns the peer, or a reason the connection cannot be made: `dns` (the name does not
   * resolve) or `refused` (nothing listens: RST) or `unreachable` (no answer: the SIM800 times out).
   */
  open(host: string, port: number, events: TcpEvents): TcpPeer | 'dns' | 'refused' | 'unreachable';
}

/** An internet with nothing on it: every name fails to resolve. */
export const NO_INTERNET: Internet = { open: () => 'dns' };

export type SocketState = 'INITIAL' | 'CONNECTING' | 'CONNECTED' | 'REMOTE CLOSING' | 'CLOSING' | 'CLOSED';

export class ModemSocket {
  readonly mux: number;
  state: SocketState = 'INITIAL';
  host = '';
  port = 0;
  peer: TcpPeer | null = null;
  /** Received bytes not yet read out by `AT+CIPRXGET=2`. */
  rx: number[] = [];
  /** Bumped whenever the connection is replaced or closed: events of an older connection are void. */
  generation = 0;
  /** Bytes sent and received on this mux since the modem powered up (for data-use figures). */
  bytesSent = 0;
  bytesReceived = 0;

  constructor(mux: number) { this.mux = mux; }

  /**
   * Close locally: forget the peer and the buffer. Returns the peer that was connected (the caller tells it, after
   * the network's latency: the FIN travels behind the data already sent).
   */
  reset(state: SocketState = 'CLOSED'): TcpPeer | null {
    this.generation++;
    const p = this.peer;
    this.peer = null;
    this.rx = [];
    this.state = state;
    return p;
  }
}
