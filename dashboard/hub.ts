// The dashboard hub: the live meters of a server and the websocket clients watching them. Every `publishMs` of wall
// time it sends each client what changed on its meter (state, LCD, new trend points, the newest waveform window); a
// new client, a client that caught up after being behind, and the clients of a rebuilt meter get a full snapshot.
// Control messages are validated (protocol.ts) and answered one by one with `ack` or `error`.
// The wire format is in docs/ws-protocol.md.
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { DEFECTS } from '../twin/profiles/defects.ts';
import { PROFILE_NAMES, ProfileError } from '../twin/profiles/profile.ts';
import { BenchError } from '../twin/kernel/bench.ts';
import { charOf } from '../models/lcd/hd44780.ts';
import { APPLIANCES, GRID_EVENT_LABELS, HOUSEHOLD_ID, HOUSEHOLD_LABEL } from './catalog.ts';
import { ACTIONS_BURST, ACTIONS_PER_SECOND, ClientChannel, DEFAULT_LIMITS, type ChannelLimits } from './client-channel.ts';
import { FLEET_STATES, LiveMeter, LiveMeterError, TREND_FIELDS, type FleetCell, type FleetState, type LiveMeterConfig } from './live-meter.ts';
import { encodeWaveFrame, MAX_CLIENT_MESSAGE_BYTES, parseControl, PROTOCOL_VERSION, SPEED_CHOICES, type ControlMessage, type Id } from './protocol.ts';
import type { LibraryEntry } from './scenario-library.ts';
import { BACKEND_FAULTS } from '../twin/comms/topup-backend.ts';
import { fleetClock, type FleetClock } from './fleet-clock.ts';

export interface HubConfig {
  /** Wall time between two publications (default 100 ms: 10 updates a second). */
  publishMs: number;
  limits: ChannelLimits;
  /** Most meters a page may add (default 8). */
  maxMeters: number;
  /** Wall clock in ms (default performance.now). */
  wallNow: () => number;
  /** Settings of every meter (id, index and seed are the hub's). */
  meter: Partial<Omit<LiveMeterConfig, 'id' | 'index' | 'library'>>;
  library: readonly LibraryEntry[];
  /** Problems worth a line in the server's log (a failing handler). */
  log: (line: string) => void;
  /**
   * Run the meters live and publish on a timer (default true). False: nothing runs by itself; the owner advances
   * the meters (`LiveMeter.advance`) and calls `publish()` (deterministic tests and benchmarks).
   */
  autoRun: boolean;
  /**
   * Called for every meter after it is built and before it joins (osm serve makes its servers listen here). A
   * throw refuses the meter: at start-up the server does not start; an `add-meter` gets the error.
   */
  onMeterBuilt?: (meter: LiveMeter) => Promise<void>;
  /** Called when a meter is closed (osm serve stops its listeners). */
  onMeterClosed?: (meter: LiveMeter) => Promise<void>;
  /** Settings of meter `index` on top of `meter` (osm serve --fleet: each meter's plan and the shared servers). */
  meterFor?: (index: number) => Partial<Omit<LiveMeterConfig, 'id' | 'index' | 'library'>>;
  /** A fleet: pages open on the grid of meters (`fleet` messages), a click opens one meter's live view. */
  fleetView: boolean;
}

const DEFAULTS: Omit<HubConfig, 'library'> = {
  publishMs: 100,
  limits: DEFAULT_LIMITS,
  maxMeters: 8,
  wallNow: () => performance.now(),
  meter: {},
  log: () => {},
  autoRun: true,
  fleetView: false,
};

export class DashboardHub {
  readonly config: HubConfig;
  readonly meters: LiveMeter[] = [];
  readonly clients = new Set<ClientChannel>();
  readonly wss: WebSocketServer;
  #timer: NodeJS.Timeout | null = null;
  #started = false;
  #closed = false;
  /** Clients cut off for being too slow, since the start. */
  droppedClients = 0;

  constructor(config: Partial<HubConfig> & Pick<HubConfig, 'library'>) {
    this.config = { ...DEFAULTS, ...config };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  }

  /** Build `n` meters (seeds seed, seed+1, ...) and boot them. */
  async addMeters(n: number): Promise<void> {
    for (let k = 0; k < n; k++) await this.addMeter();
  }

  async addMeter(): Promise<LiveMeter> {
    if (this.meters.length >= this.config.maxMeters) throw new LiveMeterError(`at most ${this.config.maxMeters} meters`);
    const index = this.meters.length;
    const baseSeed = this.config.meter.seed ?? 1;
    const meter = new LiveMeter({ ...this.config.meter, id: `meter-${index + 1}`, index, seed: baseSeed + index, ...this.config.meterFor?.(index), library: this.config.library });
    await meter.init();
    if (this.config.onMeterBuilt) {
      try {
        await this.config.onMeterBuilt(meter);
      } catch (err) {
        await meter.close();
        throw err;
      }
    }
    meter.onRebuilt = () => this.#resyncWatchers(meter);
    this.meters.push(meter);
    if (this.#started && this.config.autoRun) meter.start();
    const list = JSON.stringify({ type: 'meters', meters: this.#meterList() });
    const now = this.config.wallNow();
    for (const c of this.clients) c.send(list, now);
    return meter;
  }

  meter(id: string): LiveMeter | undefined { return this.meters.find((m) => m.id === id); }

  /** Start the meters' run loops and the publication timer. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (!this.config.autoRun) return;
    for (const m of this.meters) m.start();
    this.#timer = setInterval(() => this.publish(), this.config.publishMs);
  }

  /** Take over an upgrade request that the server has already authorised. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed) { socket.destroy(); return; }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.#connected(ws));
  }

  /** Connect a websocket (already upgraded) as a client. */
  #connected(ws: WebSocket): void {
    const first = this.meters[0];
    const ch = new ClientChannel(ws, first?.id ?? '', this.config.limits);
    if (this.config.fleetView) ch.view = 'fleet';
    this.clients.add(ch);
    ws.on('message', (data, isBinary) => this.#onMessage(ch, data, isBinary));
    ws.on('close', () => this.clients.delete(ch));
    ws.on('error', () => { this.clients.delete(ch); ws.terminate(); });
    this.#sendSnapshot(ch);
  }

  #meterList(): { id: string; label: string; seed: number }[] {
    return this.meters.map((m) => ({ id: m.id, label: `Meter ${m.config.index + 1}`, seed: m.config.seed }));
  }

  #catalog(): Record<string, unknown> {
    return {
      loads: [{ id: HOUSEHOLD_ID, label: HOUSEHOLD_LABEL }, ...APPLIANCES.map((a) => ({ id: a.id, label: a.label }))],
      gridEvents: GRID_EVENT_LABELS,
      scenarios: this.config.library.map((e) => e.name),
      profiles: PROFILE_NAMES,
      defects: DEFECTS.map((d) => ({ id: d.id, defect: d.defect, symptom: d.symptom })),
      speeds: SPEED_CHOICES,
      trendFields: ['t', ...TREND_FIELDS],
      /** The HD44780's character ROM (A00) as text, code by code: codes 0..15 are the CGRAM characters. */
      rom: Array.from({ length: 256 }, (_, c) => charOf(c)),
      maxMeters: this.config.maxMeters,
      fleet: this.config.fleetView,
      fleetStates: FLEET_STATES,
      backendFaults: BACKEND_FAULTS,
    };
  }

  #sendSnapshot(ch: ClientChannel): void {
    const m = this.meter(ch.meterId);
    const now = this.config.wallNow();
    if (!m) { ch.send(JSON.stringify({ type: 'snapshot', protocol: PROTOCOL_VERSION, meter: null, meters: [], catalog: this.#catalog() }), now); return; }
    const lcd = m.lcdState();
    const trend = m.trendSince(0);
    const ok = ch.send(JSON.stringify({
      type: 'snapshot', protocol: PROTOCOL_VERSION, meter: m.id, meters: this.#meterList(), catalog: this.#catalog(), view: ch.view,
      state: m.state(), lcd: { meter: m.id, epoch: m.epoch, ...lcd }, trends: { meter: m.id, fields: ['t', ...TREND_FIELDS], rows: trend.rows },
    }), now);
    if (!ok) return;
    ch.lastEpoch = m.epoch;
    ch.lastLcdVersion = m.lcdVersion;
    ch.lastTrendSeq = m.trendCount;
    ch.lastWaveSeq = -1;
    ch.lastFleet = '';
  }

  /** The fleet grid: every meter's cell, how many meters are in each state, and the fleet's time (the page's header). */
  fleetGrid(): { cells: FleetCell[]; counts: Record<FleetState, number>; clock: FleetClock | null } {
    const cells = this.meters.map((m) => m.fleetCell());
    const counts = Object.fromEntries(FLEET_STATES.map((s) => [s, 0])) as Record<FleetState, number>;
    for (const c of cells) counts[c.state]++;
    return { cells, counts, clock: fleetClock(this.meters) };
  }

  #resyncWatchers(m: LiveMeter): void {
    for (const c of this.clients) if (c.meterId === m.id) c.lastEpoch = -1;
  }

  /** One publication tick: every client gets what changed on its meter. */
  publish(): void {
    const now = this.config.wallNow();
    const perMeter = new Map<string, { state: string; lcd: string; lcdVersion: number; wave: Buffer | null; waveSeq: number; trendCache: Map<number, string | null> }>();
    const clients = [...this.clients];
    const fleetWatched = clients.some((c) => c.view === 'fleet');
    const fleet = fleetWatched ? JSON.stringify({ type: 'fleet', ...this.fleetGrid() }) : '';
    for (const m of this.meters) {
      m.sampleTrend();
      // a meter nobody watches costs nothing more (a fleet has many)
      if (!clients.some((c) => c.view === 'meter' && c.meterId === m.id)) continue;
      const lcd = m.lcdState();
      const waveSeq = m.waveSeq;
      const watched = [...this.clients].some((c) => c.meterId === m.id && !c.behind && c.lastWaveSeq !== waveSeq);
      perMeter.set(m.id, {
        state: JSON.stringify({ type: 'state', ...m.state() }),
        lcd: JSON.stringify({ type: 'lcd', meter: m.id, epoch: m.epoch, ...lcd }),
        lcdVersion: m.lcdVersion,
        wave: watched ? encodeWaveFrame(m.waveFrame()) : null,
        waveSeq,
        trendCache: new Map(),
      });
    }
    for (const c of [...this.clients]) {
      const status = c.check(now);
      if (status === 'dropped') { this.clients.delete(c); this.droppedClients++; continue; }
      if (status === 'waiting') { c.skipped++; continue; }
      if (c.view === 'fleet') {
        if (status === 'resync') c.lastFleet = '';
        if (c.lastFleet !== fleet && c.send(fleet, now)) c.lastFleet = fleet;
        continue;
      }
      const m = this.meter(c.meterId);
      const p = m && perMeter.get(m.id);
      if (!m || !p) continue;
      if (status === 'resync' || c.lastEpoch !== m.epoch) { this.#sendSnapshot(c); continue; }
      if (!c.send(p.state, now)) continue;
      if (c.lastLcdVersion !== p.lcdVersion) {
        if (!c.send(p.lcd, now)) continue;
        c.lastLcdVersion = p.lcdVersion;
      }
      if (c.lastTrendSeq < m.trendCount) {
        let text = p.trendCache.get(c.lastTrendSeq);
        if (text === undefined) {
          const t = m.trendSince(c.lastTrendSeq);
          text = JSON.stringify({ type: 'trend', meter: m.id, rows: t.rows });
          p.trendCache.set(c.lastTrendSeq, text);
        }
        if (!c.send(text!, now)) continue;
        c.lastTrendSeq = m.trendCount;
      }
      if (p.wave && c.lastWaveSeq !== p.waveSeq) {
        if (!c.send(p.wave, now)) continue;
        c.lastWaveSeq = p.waveSeq;
      }
    }
  }

  #reply(ch: ClientChannel, msg: Record<string, unknown>): void {
    ch.send(JSON.stringify(msg), this.config.wallNow());
  }

  /** Per client, the replies still to send: each waits for the ones before it (the protocol answers in order). */
  readonly #replies = new WeakMap<ClientChannel, Promise<void>>();

  #onMessage(ch: ClientChannel, data: RawData, isBinary: boolean): void {
    const reply = this.#answer(ch, data, isBinary);
    const next = (this.#replies.get(ch) ?? Promise.resolve()).then(() => reply).then((msg) => this.#reply(ch, msg));
    this.#replies.set(ch, next);
  }

  /** The one reply to a control message: `ack` once it was applied, else `error` with the reason. */
  async #answer(ch: ClientChannel, data: RawData, isBinary: boolean): Promise<Record<string, unknown>> {
    if (isBinary) return { type: 'error', error: 'binary messages are not accepted: send JSON text' };
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const v = parseControl(text);
    if (!v.ok) return { type: 'error', ...(v.id !== undefined ? { id: v.id } : {}), error: v.error };
    const msg = v.msg;
    const fail = (error: string): Record<string, unknown> => ({ type: 'error', ...(msg.id !== undefined ? { id: msg.id } : {}), of: msg.type, error });
    if (msg.type !== 'ping' && msg.type !== 'select' && msg.type !== 'view' && !ch.allowAction(this.config.wallNow())) {
      return fail(`too many control messages: at most ${ACTIONS_PER_SECOND} a second (bursts of ${ACTIONS_BURST})`);
    }
    try {
      const extra = (await this.#dispatch(ch, msg)) ?? {};
      return { type: 'ack', ...(msg.id !== undefined ? { id: msg.id } : {}), of: msg.type, ...extra };
    } catch (err) {
      if (err instanceof LiveMeterError || err instanceof ProfileError || err instanceof BenchError || err instanceof RangeError) return fail(err.message);
      this.config.log(`dashboard: ${msg.type} failed: ${(err as Error)?.stack ?? String(err)}`);
      return fail(`internal error: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  async #dispatch(ch: ClientChannel, msg: ControlMessage): Promise<Record<string, unknown> | undefined> {
    if (msg.type === 'ping') return { t: this.meter(ch.meterId)?.now() ?? 0 };
    if (msg.type === 'add-meter') {
      const m = await this.addMeter();
      return { meter: m.id };
    }
    if (msg.type === 'view') {
      ch.view = msg.view;
      if (msg.view === 'fleet') {
        const fleet = JSON.stringify({ type: 'fleet', ...this.fleetGrid() });
        if (ch.send(fleet, this.config.wallNow())) ch.lastFleet = fleet;
      } else this.#sendSnapshot(ch);
      return undefined;
    }
    if ((msg.type === 'speed' || msg.type === 'pause') && msg.meter === undefined && ch.view === 'fleet') {
      // the fleet page's header paces the fleet: every meter, as the fleet's clock beside it shows them
      for (const m of this.meters) {
        if (msg.type === 'speed') m.setSpeed(msg.speed); else m.setPaused(msg.paused);
      }
      return undefined;
    }
    const id = msg.meter ?? ch.meterId;
    const m = this.meter(id);
    if (!m) throw new LiveMeterError(`no meter '${id}' (meters: ${this.meters.map((x) => x.id).join(', ')})`);
    switch (msg.type) {
      case 'select':
        ch.meterId = m.id;
        ch.view = 'meter';
        this.#sendSnapshot(ch);
        return undefined;
      case 'keys': m.pressKeys(msg.keys); return undefined;
      case 'load': m.setLoad(msg.load, msg.on); return undefined;
      case 'grid': m.gridEvent(msg.event); return undefined;
      case 'tamper': m.tamper(msg.open); return undefined;
      case 'power': m.power(msg.on); return undefined;
      case 'speed': m.setSpeed(msg.speed); return undefined;
      case 'pause': m.setPaused(msg.paused); return undefined;
      case 'scenario':
        if (msg.action === 'run') m.runScenario(msg.name); else m.stopScenario();
        return undefined;
      case 'firmware':
        m.setFirmware({ profile: msg.profile as LiveMeter['firmware']['profile'], fix: (msg.fix ?? []) as LiveMeter['firmware']['fix'], defects: (msg.defects ?? []) as LiveMeter['firmware']['defects'] });
        return undefined;
      case 'reset': m.reset(); return undefined;
      case 'network': {
        const { type: _t, id: _i, meter: _m, forMs, ...change } = msg;
        m.network({ ...change, ...(forMs !== undefined ? { forUs: Math.round(forMs * 1000) } : {}) });
        return undefined;
      }
      case 'topup': m.topup(msg.amount); return undefined;
    }
  }

  /** Figures for tests and benchmarks: per client its socket queue, and the meters' bounded buffers. */
  stats(): { clients: { meter: string; bufferedAmount: number; peakBuffered: number; skipped: number; sent: number; behind: boolean }[]; dropped: number } {
    return {
      clients: [...this.clients].map((c) => ({ meter: c.meterId, bufferedAmount: c.bufferedAmount, peakBuffered: c.peakBuffered, skipped: c.skipped, sent: c.sent, behind: c.behind })),
      dropped: this.droppedClients,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.wss.close();
    await Promise.all(this.meters.map(async (m) => {
      await this.config.onMeterClosed?.(m);
      await m.close();
    }));
  }
}

export type { Id };
