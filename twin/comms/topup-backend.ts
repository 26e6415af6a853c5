// The top-up backend the meter polls: a real node:http server speaking the original `subscribe.php` protocol.
//
// POST /subscribe.php, form-encoded:
// - `api_key=<key>&meter=<id>` with the right key: body `<amount>/<tariff>/` (the meter's pending top-up in currency,
//   0 when nothing is pending; `/<tariff>/` with no amount for a meter the database does not know);
// - `api_key=<key>&stat=sucess&meter=<id>`: the same text, then the pending amount is zeroed and `sucess` appended;
// - a wrong or missing api_key (also an unparsable form, or a body over PHP's post_max_size, which PHP discards):
//   an empty body, status 200;
// - a request that is not a POST: an empty body; another path: the host's 404 page.
// Faults, for scenarios: `wrong-key` (the server's key no longer matches: empty bodies), `database-error`
// (`Database Error`), `html-error` (the hosting provider's HTML 500 page), `slow` (the answer comes `slowMs` late),
// `lose-success` (success POSTs never reach the database: the amount stays pending, the connection drops without an
// answer). Each fault lasts for `count` requests it applies to (default: until cleared). A fault is set for every
// meter, or for one meter (the meter a request names): on a backend shared by a fleet, a fault set from one meter's
// page is that meter's alone, as a user expects; it overrides the every-meter fault for that meter until it runs out.
//
// Timing: on an in-memory connection (the simulated modem) a slow answer is modelled on virtual time (the socket's
// `serverDelayMs`); on a real socket (osm serve) it is a real delay.
import { Watchers } from './watchers.ts';
import http from 'node:http';
import { isInMemory, type InMemorySocket } from './duplex-pair.ts';
import type { InProcessService } from './virtual-internet.ts';

import { BACKEND_FAULTS, type BackendFault } from './backend-faults.ts';

export { BACKEND_FAULTS, type BackendFault };

export interface TopupBackendConfig {
  /** The key the firmware sends (`tPmAT5Ab3j7F9`). */
  apiKey: string;
  /** Tariff the database returns for every meter (the reference backend's 70). */
  tariff: number;
  /** Meters the database knows. */
  meters: string[];
  /** PHP `post_max_size`: larger bodies are discarded (the script then sees no fields). Default 8 MiB. */
  maxBodyBytes: number;
  /** Delay of the `slow` fault, ms (default 40 s: beyond the meter's 30 s wait for a header byte). */
  slowMs: number;
}

export const TOPUP_BACKEND_DEFAULTS: TopupBackendConfig = {
  apiKey: 'tPmAT5Ab3j7F9', tariff: 70, meters: ['MT100'], maxBodyBytes: 8 * 1024 * 1024, slowMs: 40_000,
};

/** One request as the backend saw it. */
export interface BackendRequest {
  method: string;
  path: string;
  meter: string | null;
  success: boolean;
  /** The body answered ('' for none); null when the connection was dropped without an answer. */
  answer: string | null;
  status: number;
  fault: BackendFault;
}

const HTML_500 = '<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body>\n' +
  '<h1>Internal Server Error</h1>\n<p>The server encountered an internal error or misconfiguration and was unable to ' +
  'complete your request.</p>\n</body></html>\n';
const HTML_404 = '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on this server.</p>\n</body></html>\n';

export class TopupBackend implements InProcessService {
  readonly protocol = 'http' as const;
  readonly config: TopupBackendConfig;
  readonly server: http.Server;
  /** Pending top-up per meter, in currency (any writer's change is counted, for `replayState`). */
  readonly pending: Map<string, number> = new PendingMap();
  /** The fault of every meter without one of its own. */
  #fault: FaultSetting = NO_FAULT;
  /** Faults set for one meter (a `none` here keeps that meter clear of the every-meter fault). */
  readonly #meterFaults = new Map<string, FaultSetting>();
  /** Counts every change of a fault setting (set, run out), for `replayState`. */
  #faultVersion = 0;
  /** Every request answered (or dropped). */
  onRequest?: (r: BackendRequest) => void;
  /** More observers of requests (a backend shared by several benches and a dashboard); `watch` adds one. */
  readonly #watchers = new Watchers<BackendRequest>();

  constructor(config: Partial<TopupBackendConfig> = {}) {
    this.config = { ...TOPUP_BACKEND_DEFAULTS, ...config, meters: [...(config.meters ?? TOPUP_BACKEND_DEFAULTS.meters)] };
    for (const m of this.config.meters) this.pending.set(m, 0);
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.on('clientError', (_err, socket) => {
      // Malformed HTTP: the answer Apache gives, then the connection closes; the server carries on.
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** The fault every meter gets unless one was set for it (`faultFor`). */
  get fault(): BackendFault { return this.#fault.fault; }

  /** The fault the requests naming `meter` get now (null: a request that names no meter). */
  faultFor(meter: string | null): BackendFault { return this.#settingFor(meter).fault; }

  /**
   * Set a fault for the next `count` requests it applies to (default: until set back to `none`). Without `meter`
   * for every meter (any fault set for one meter is dropped); with it for the requests naming that meter only.
   */
  setFault(fault: BackendFault, count = Infinity, meter?: string): void {
    if (!(BACKEND_FAULTS as readonly string[]).includes(fault)) throw new RangeError(`unknown backend fault '${String(fault)}' (expected one of ${BACKEND_FAULTS.join(', ')})`);
    if (!(count >= 1)) throw new RangeError(`fault count must be at least 1, got ${count}`);
    const setting: FaultSetting = fault === 'none' ? NO_FAULT : { fault, left: count };
    this.#faultVersion++;
    if (meter === undefined) {
      this.#fault = setting;
      this.#meterFaults.clear();
    } else if (fault === 'none' && this.#fault.fault === 'none') this.#meterFaults.delete(meter);
    else this.#meterFaults.set(meter, setting);
  }

  /** Drop the fault set for `meter` alone: its requests get the every-meter fault again (a fleet meter's reset). */
  clearFault(meter: string): void {
    if (this.#meterFaults.delete(meter)) this.#faultVersion++;
  }

  /** A customer pays: `amount` is added to the meter's pending top-up. */
  topup(meter: string, amount: number): void {
    if (!(amount > 0) || !Number.isFinite(amount)) throw new RangeError(`top-up amount must be a positive number, got ${amount}`);
    if (!this.pending.has(meter)) this.config.meters.push(meter);
    this.pending.set(meter, (this.pending.get(meter) ?? 0) + amount);
  }

  accept(socket: InMemorySocket): void { this.server.emit('connection', socket); }

  /**
   * Call `fn` with every request from now on, or with `meter`'s requests only (one bench of many on a shared backend:
   * the cost of a request does not grow with the meters watching); returns the function that stops it.
   */
  watch(fn: (r: BackendRequest) => void, meter?: string): () => void {
    return this.#watchers.add(fn, meter);
  }

  /**
   * What answers depend on besides the requests' bytes (the `backend-replay` shortcut of the virtual internet); null
   * while a fault applies (a fault's answers are never replayed).
   * - With the report of an answered request: what THAT answer depended on, the configuration and the pending
   *   top-up of the meter it named (whether the database knows it, and the amount); null while that meter has a
   *   fault. A request's bytes name its meter, so the same bytes in the same state get the same answer, whatever the
   *   other meters of a shared backend do, their faults included.
   * - Without: a token of the whole state that changes whenever anything an answer depends on may have changed (the
   *   configuration, any fault setting, or any write to `pending` that changed a value), so that an exchange that
   *   changed nothing can be told from one that did (a success POST zeroing a top-up, a fault running out); null
   *   while a fault is set for every meter. Neither costs more with more meters.
   */
  replayState(report?: unknown): string | null {
    const c = this.config;
    const head = `${c.apiKey.length}:${c.apiKey}|${c.tariff}|${c.maxBodyBytes}|${c.slowMs}`;
    if (report === undefined) return this.#fault.fault !== 'none' ? null : `${head}|v${(this.pending as PendingMap).version}|f${this.#faultVersion}`;
    const meter = (report as BackendRequest | null)?.meter ?? null;
    if (this.faultFor(meter) !== 'none') return null;
    return meter === null ? `${head}|-` : `${head}|${this.pending.has(meter) ? `=${this.pending.get(meter)}` : '?'}`;
  }

  /** Requests reported so far. */
  requestsSeen(): number { return this.#requests; }

  /** The last request reported. */
  lastReport(): BackendRequest | null { return this.#last; }

  /** A request answered from the record of an identical one (same bytes, same state): reported as that one was. */
  replayed(report: unknown): void { this.#report({ ...(report as BackendRequest) }); }

  #requests = 0;
  #last: BackendRequest | null = null;

  #report(r: BackendRequest): void {
    this.#requests++;
    this.#last = r;
    this.onRequest?.(r);
    this.#watchers.tell(r, r.meter);
  }

  #settingFor(meter: string | null): FaultSetting {
    return (meter !== null && this.#meterFaults.get(meter)) || this.#fault;
  }

  /** The fault a POST naming `meter` gets (`lose-success` applies to success POSTs only), counted against its setting. */
  #consumeFault(meter: string | null, success: boolean): BackendFault {
    const setting = this.#settingFor(meter);
    const f = setting.fault;
    if (f === 'none' || (f === 'lose-success' && !success)) return 'none';
    if (--setting.left <= 0) {
      // Run out: a meter's own fault gives way to the every-meter one, the every-meter one to none.
      this.#faultVersion++;
      if (setting === this.#fault) this.#fault = NO_FAULT;
      else this.#meterFaults.delete(meter!);
    }
    return f;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.sendDate = false; // no wall time in what the meter receives
    let size = 0;
    const chunks: Buffer[] = [];
    let discarded = false;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > this.config.maxBodyBytes) { discarded = true; chunks.length = 0; return; }
      chunks.push(d);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const method = req.method ?? '';
      if (path !== '/subscribe.php') return this.#answer(req, res, { method, path, meter: null, success: false, fault: 'none' }, 404, HTML_404, 'text/html');
      const form = discarded ? new URLSearchParams() : parseForm(Buffer.concat(chunks).toString('latin1'), req.headers['content-type']);
      const meter = form.get('meter');
      const success = form.get('stat') === 'sucess';
      const base = { method, path, meter, success };
      if (method !== 'POST') return this.#answer(req, res, { ...base, fault: 'none' }, 200, '');
      const fault = this.#consumeFault(meter, success);
      const info = { ...base, fault };
      switch (fault) {
        case 'lose-success': {
          // Lost on the way: the database never sees it, the meter gets no answer.
          this.#report({ ...info, answer: null, status: 0 });
          req.socket.destroy();
          return;
        }
        case 'database-error': return this.#answer(req, res, info, 200, 'Database Error');
        case 'html-error': return this.#answer(req, res, info, 500, HTML_500, 'text/html');
        case 'wrong-key': return this.#answer(req, res, info, 200, '');
        default: break;
      }
      if (form.get('api_key') !== this.config.apiKey) return this.#answer(req, res, info, 200, '');
      const known = meter !== null && this.pending.has(meter);
      const amount = known ? this.pending.get(meter!)! : null;
      let body = `${amount === null ? '' : formatAmount(amount)}/${this.config.tariff}/`;
      if (success && known) {
        this.pending.set(meter!, 0);
        body += 'sucess';
      }
      this.#answer(req, res, info, 200, body, 'text/html', fault === 'slow' ? this.config.slowMs : 0);
    });
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse, info: Omit<BackendRequest, 'answer' | 'status'>, status: number,
    body: string, type = 'text/html', delayMs = 0): void {
    const send = (): void => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': `${type}; charset=UTF-8`, 'Content-Length': Buffer.byteLength(body, 'latin1') });
      res.end(body, 'latin1');
    };
    this.#report({ ...info, answer: body, status });
    if (delayMs > 0) {
      if (isInMemory(req.socket)) { req.socket.serverDelayMs = delayMs; send(); } else setTimeout(send, delayMs).unref();
    } else {
      if (isInMemory(req.socket)) req.socket.serverDelayMs = 0;
      send();
    }
  }
}

/** A fault and how many more requests it applies to. */
interface FaultSetting { readonly fault: BackendFault; left: number }
const NO_FAULT: FaultSetting = Object.freeze({ fault: 'none', left: Infinity }) as FaultSetting;

/** The pending top-ups: a Map that counts the writes that change it (`version`), whoever makes them. */
class PendingMap extends Map<string, number> {
  version = 0;
  override set(key: string, value: number): this {
    if (!super.has(key) || !Object.is(super.get(key), value)) this.version++;
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.version++;
    return had;
  }
  override clear(): void {
    if (this.size > 0) this.version++;
    super.clear();
  }
}

/** PHP's `$_POST` for a form body: only `application/x-www-form-urlencoded` is parsed; odd pieces are skipped. */
function parseForm(body: string, contentType: string | undefined): URLSearchParams {
  if (!contentType || !/^application\/x-www-form-urlencoded/i.test(contentType)) return new URLSearchParams();
  const out = new URLSearchParams();
  for (const piece of body.replace(/\r?\n$/, '').split('&')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    try {
      out.set(decodeURIComponent(piece.slice(0, eq).replace(/\+/g, ' ')), decodeURIComponent(piece.slice(eq + 1).replace(/\+/g, ' ')));
    } catch {
      continue; // a broken %-escape: PHP drops what it cannot decode
    }
  }
  return out;
}

/** The amount as PHP echoes a number from MySQL: integers plain, others with their decimals. */
function formatAmount(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}
