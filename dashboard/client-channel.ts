// One browser connection as the hub sees it: what it watches, what it has been sent, and the rule that keeps a slow
// client from costing the server memory or the simulation time.
//
// The rule: a message is handed to the socket only while the socket's own queue (`ws.bufferedAmount`) is at most
// `highWaterBytes`. Past that the client is "behind": nothing more is queued for it (waveforms, state, trends are all
// superseded by the next tick anyway), and it is counted. When its queue has drained below `lowWaterBytes` it gets a
// fresh snapshot and carries on; if it stays behind for `dropAfterMs` of wall time, or its queue passes
// `dropBytes`, its connection is cut (a close frame would only queue behind the data it does not read). So the server holds at most highWaterBytes plus one message for
// any client, whatever the client does, and sending never waits for a client.
import type { WebSocket } from 'ws';

export interface ChannelLimits {
  highWaterBytes: number;
  lowWaterBytes: number;
  dropAfterMs: number;
  dropBytes: number;
}

export const DEFAULT_LIMITS: ChannelLimits = {
  highWaterBytes: 256 * 1024,
  lowWaterBytes: 32 * 1024,
  dropAfterMs: 30_000,
  dropBytes: 8 * 1024 * 1024,
};

/** Control messages that act on a meter: at most this many at once, refilled at ACTIONS_PER_SECOND. */
export const ACTIONS_BURST = 100;
export const ACTIONS_PER_SECOND = 20;

export class ClientChannel {
  readonly ws: WebSocket;
  readonly limits: ChannelLimits;
  /** The meter this client watches. */
  meterId: string;
  /** What the page shows: one meter's live view, or the fleet grid (osm serve --fleet). */
  view: 'meter' | 'fleet' = 'meter';
  /** The fleet message it was sent last (another is sent only when something changed). */
  lastFleet = '';
  behind = false;
  #behindSince = 0;
  /** Messages not queued because the client was behind. */
  skipped = 0;
  /** Messages queued. */
  sent = 0;
  /** Largest socket queue seen when queuing a message (bytes). */
  peakBuffered = 0;
  dropped = false;
  // what this client has
  lastEpoch = -1;
  lastLcdVersion = -1;
  lastTrendSeq = 0;
  lastWaveSeq = -1;
  // control messages that act on a meter: a token bucket (a person clicks a few times a second; a script may burst)
  #tokens = ACTIONS_BURST;
  #tokensAt = -1;

  constructor(ws: WebSocket, meterId: string, limits: ChannelLimits = DEFAULT_LIMITS) {
    this.ws = ws;
    this.meterId = meterId;
    this.limits = limits;
  }

  get open(): boolean { return this.ws.readyState === this.ws.OPEN && !this.dropped; }
  get bufferedAmount(): number { return this.ws.bufferedAmount; }

  /** Queue one message unless the client is behind; false when it was not queued. */
  send(data: string | Buffer, nowMs: number): boolean {
    if (!this.open) return false;
    const buffered = this.ws.bufferedAmount;
    if (this.behind || buffered > this.limits.highWaterBytes) {
      if (!this.behind) { this.behind = true; this.#behindSince = nowMs; }
      this.skipped++;
      return false;
    }
    this.peakBuffered = Math.max(this.peakBuffered, buffered);
    this.ws.send(data);
    this.sent++;
    return true;
  }

  /**
   * At each tick: a client that is behind either catches up (true: send it a snapshot now), waits, or is dropped.
   */
  check(nowMs: number): 'ok' | 'resync' | 'waiting' | 'dropped' {
    if (!this.open) return 'dropped';
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.limits.dropBytes || (this.behind && nowMs - this.#behindSince > this.limits.dropAfterMs)) {
      this.drop();
      return 'dropped';
    }
    if (!this.behind) return 'ok';
    if (buffered <= this.limits.lowWaterBytes) { this.behind = false; return 'resync'; }
    return 'waiting';
  }

  /** Take one action from the client's budget; false when it is spent (the message is refused). */
  allowAction(nowMs: number): boolean {
    if (this.#tokensAt >= 0) this.#tokens = Math.min(ACTIONS_BURST, this.#tokens + ((nowMs - this.#tokensAt) / 1000) * ACTIONS_PER_SECOND);
    this.#tokensAt = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    // close() would queue a close frame behind everything buffered; a client that does not read never gets it
    this.ws.terminate();
  }
}
