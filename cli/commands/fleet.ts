// `osm fleet`: N meters, each its own twin, with households, modes, credit and top-up habits, their telemetry relayed
// to an MQTT broker (the embedded one, or --broker URL) under each meter's access token; a fleet report as text,
// JSON and HTML. With --queue the meters are split into jobs for `osm worker`s.
import { InputFileError, readInputFile } from '../../io/input-file.ts';
import { parseArgs, intOption } from '../args.ts';
import { InputError, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { QUEUE_HELP } from '../queue/queue-help.ts';
import { QUEUE_OPTION_SPECS, chunkRanges, parseQueueArgs } from '../queue/queue-options.ts';
import { checkDistinctOutputs, checkOutputPath, isStandardOutput, writeOutputFile } from '../../io/output-file.ts';
import { Progress } from '../progress.ts';
import type { QueueProgress } from '../queue/submit.ts';
import { plural } from '../../io/plural.ts';

export const FLEET_USAGE = `Usage: osm fleet --meters N [options]

Simulate a fleet of meters: each its own twin (phasor plant, field firmware) with its own seed, a board drawn from
the part tolerances, a household from the load-profile library (lights-phone, tv-fan, fridge-home, small-shop:
daily shapes, appliances switching at seeded times, weekday and seasonal variation), a boot mode, an initial
credit and a top-up habit (payments through the top-up backend, collected by its firmware over the modem). Each
meter is built with its own meter id (MT101, MT102, ...) and ThingsBoard access token, and the meters share one
top-up backend and one broker, as a rollout shares the operator's servers: the embedded broker (on 127.0.0.1, port
printed; the meters' modems publish into it under their tokens, and it forwards each meter's messages to
fleet/<token>/telemetry for any MQTT client to follow), or --broker URL (e.g. a ThingsBoard), to which each
meter's telemetry is relayed under its own token.
The meters run in chunks of --chunk meters (default 50) on worker threads, one per core (--workers), each chunk's
meters advancing together on simulated time and sharing a backend and a broker of their own in their thread, which
relays each meter's telemetry under its token to the one broker (embedded or --broker). A fleet of one chunk, or
--workers 1, runs in this process, its meters' modems publishing straight into the embedded broker and polling the
embedded backend. The report is the same whatever --workers and --chunk. Progress lines show the meters done, the
CPU used and the CPU per simulated meter-day; a last line gives the cost per meter-day, the meters one core keeps
at real time at that rate and the memory taken. Prints the fleet report; --json and --report write it. Ctrl-C
(exit 130; SIGTERM 143) stops the fleet, says how many meters were done, and writes no report.
To watch a fleet live, in the dashboard's grid of meters: osm serve --fleet N.

Options:
  --meters N            number of meters (1..1000000)
  --hours H | --days D  simulated time (default 1 day)
  --start T             the meters' clock at the start (default 2026-03-02T00:00:00, a Monday)
  --seed S              fleet seed (default 1): the same seed gives the same fleet and report
  --modes LIST          boot modes given to meters in turn: sts, opaygo-energy, opaygo-time (default sts)
  --credit MIN..MAX     initial credit per meter, drawn (default 50..500)
  --topup-every H       a household pays about every H hours (+-50 %, default 24)
  --topup-amount MIN..MAX  amount of a payment (default 100..1000)
  --tokens FILE         access tokens, one per meter (first column of a CSV; a header line 'token' is skipped);
                        default: generated from the seed
  --broker URL          relay telemetry to this broker (mqtt://host:port, e.g. a ThingsBoard), not the embedded one
  --mqtt-port P         port of the embedded broker (default 0: a free one)
  --workers N           worker threads (default: one per core, at most one per chunk); 1: all in this process
  --chunk N             meters per chunk of a local run (default 50); with --queue, meters per job (default 100)
  --json FILE           write the fleet report as JSON (- for stdout)
  --report FILE         write the fleet report as a self-contained HTML page with charts
  --quiet, -q           no progress lines
  --help, -h            show this help

${QUEUE_HELP}
  With --queue the workers relay telemetry themselves: give --broker with an address they can reach.

Exit codes: 0 done; 2 invalid input; 3 a queued job failed (its meters are missing from the report).`;

const OPTIONS = {
  meters: { type: 'string' }, hours: { type: 'string' }, days: { type: 'string' }, start: { type: 'string' },
  seed: { type: 'string' }, modes: { type: 'string' }, credit: { type: 'string' }, 'topup-every': { type: 'string' },
  'topup-amount': { type: 'string' }, tokens: { type: 'string' }, broker: { type: 'string' }, 'mqtt-port': { type: 'string' },
  json: { type: 'string' }, report: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, workers: { type: 'string' },
  ...QUEUE_OPTION_SPECS,
} as const;

function range(option: string, text: string): [number, number] {
  const m = /^(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?)$/.exec(text);
  if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--${option}: expected MIN..MAX (e.g. 50..500), got '${text}'`);
  return [Number(m[1]), Number(m[2])];
}

/** Tokens from a file: the first column of each line; blank lines and a header 'token' skipped. */
export function readTokens(file: string): string[] {
  let text: string;
  try { text = readInputFile(file, 64 << 20).toString('utf8'); } catch (err) {
    if (err instanceof InputFileError) throw new InputError(`--tokens: ${err.message}`);
    throw err;
  }
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.split(',')[0].trim().replace(/^"|"$/g, '');
    if (t === '' || (i === 0 && /^token$/i.test(t))) return;
    if (!/^[\x21-\x7e]{1,128}$/.test(t)) throw new InputError(`--tokens: ${file}:${i + 1}: '${t.slice(0, 40)}' is not an access token (printable, no spaces)`);
    out.push(t);
  });
  return out;
}

/** A number of hours or days as an option gives it (`--hours 1.5`), above 0. */
function positiveNumber(name: string, text: string, unit: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !(x > 0)) throw new UsageError(`--${name}: expected a number of ${unit} above 0, got '${text}'`);
  return x;
}

export function createFleetCommand(deps: { io?: CliIo } = {}): Command {
  const io = deps.io ?? processIo;
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.meters === undefined) throw new UsageError('--meters N is needed');
    const meters = intOption('meters', String(values.meters), 1, 1_000_000);
    if (values.hours !== undefined && values.days !== undefined) throw new UsageError('give --hours or --days, not both');
    const hours = values.hours !== undefined ? positiveNumber('hours', String(values.hours), 'hours')
      : values.days !== undefined ? positiveNumber('days', String(values.days), 'days') * 24 : 24;
    if (!(hours > 0) || hours > 24 * 366) throw new UsageError('--hours/--days: from a minute to a year');
    const start = String(values.start ?? '2026-03-02T00:00:00');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}Z`))) throw new UsageError(`--start: expected YYYY-MM-DDTHH:MM:SS, got '${start}'`);
    const seed = values.seed === undefined ? 1 : intOption('seed', String(values.seed), 0, 4294967295);
    const { FLEET_MODES } = await import('../../scenarios/fleet/fleet.ts');
    const modes = String(values.modes ?? 'sts').split(',').map((s) => s.trim());
    for (const m of modes) if (!(FLEET_MODES as readonly string[]).includes(m)) throw new UsageError(`--modes: '${m}' is not one of ${FLEET_MODES.join(', ')}`);
    const credit = range('credit', String(values.credit ?? '50..500'));
    const amount = range('topup-amount', String(values['topup-amount'] ?? '100..1000'));
    const every = values['topup-every'] === undefined ? 24 : positiveNumber('topup-every', String(values['topup-every']), 'hours');
    // --chunk is also the local runs' (meters per thread job); the other queue options need --queue
    const queue = parseQueueArgs(values.queue === undefined ? { ...values, chunk: undefined } : values);
    const chunk = values.chunk === undefined ? undefined : intOption('chunk', String(values.chunk), 1, 1_000_000);
    if (queue && values.workers !== undefined) throw new UsageError('--workers does not apply with --queue (the workers are the osm worker processes)');
    const { FLEET_CHUNK_DEFAULT, fleetWorkers } = await import('../fleet-local.ts');
    const localChunk = chunk ?? FLEET_CHUNK_DEFAULT;
    const workers = queue ? 1 : fleetWorkers(meters, localChunk, values.workers === undefined ? undefined : intOption('workers', String(values.workers), 1, 256));
    const jsonOut = values.json !== undefined ? checkOutputPath(String(values.json), '--json') : undefined;
    const htmlOut = values.report !== undefined ? checkOutputPath(String(values.report), '--report') : undefined;
    if (isStandardOutput(jsonOut) && isStandardOutput(htmlOut)) throw new UsageError('--json and --report cannot both write to standard output');
    checkDistinctOutputs([jsonOut, htmlOut], values.tokens !== undefined ? [{ path: String(values.tokens), what: 'the --tokens file' }] : []);
    let tokens: string[] | undefined;
    if (values.tokens !== undefined) {
      tokens = readTokens(String(values.tokens));
      if (tokens.length < meters) throw new InputError(`--tokens: ${values.tokens} has ${plural(tokens.length, 'token')} for ${plural(meters, 'meter')}`);
    }
    if (values.broker !== undefined && values['mqtt-port'] !== undefined) throw new UsageError('--mqtt-port is the embedded broker\'s; with --broker there is none');
    if (queue && values.broker === undefined) throw new UsageError('--queue: the workers relay telemetry themselves; give --broker mqtt://HOST:PORT that they can reach');
    const { generatedToken } = await import('../../scenarios/fleet/fleet.ts');
    const spec = {
      meters, seed, durationUs: Math.round(hours * 3600e6), start, modes: modes as typeof FLEET_MODES[number][],
      credit, topUp: { everyHours: every, amount }, tokens: tokens ?? Array.from({ length: meters }, (_, i) => generatedToken(seed, i)),
    };
    const quiet = values.quiet === true;
    if (queue) await (await import('../queue/redis-connect.ts')).checkRedis(queue.target, '--queue');
    const progress = new Progress(io, { quiet });

    // The broker: external, or the embedded one that knows every meter's token.
    let brokerUrl: string;
    let closeBroker = async (): Promise<void> => {};
    let embedded: import('../../scenarios/fleet/fleet.ts').FleetServers | undefined;
    if (values.broker !== undefined) {
      brokerUrl = String(values.broker);
      if (!/^(mqtt|tcp):\/\/[^/]+$/.test(brokerUrl)) throw new UsageError(`--broker: expected mqtt://HOST:PORT, got '${brokerUrl}'`);
    } else {
      const { startFleetBroker } = await import('../../scenarios/fleet/fleet-broker.ts');
      const mqttPort = values['mqtt-port'] === undefined ? 0 : intOption('mqtt-port', String(values['mqtt-port']), 0, 65535);
      const fb = await startFleetBroker(spec.tokens, mqttPort);
      brokerUrl = fb.url;
      embedded = fb;
      closeBroker = () => fb.close();
      if (!quiet) {
        io.stderr.write(`osm fleet: embedded broker on ${brokerUrl} (each meter's telemetry also on fleet/<token>/telemetry: mosquitto_sub -h 127.0.0.1 -p ${fb.port} -t 'fleet/+/telemetry' -v)\n`);
        if (workers === 1) io.stderr.write(`osm fleet: shared top-up backend on ${fb.backendUrl} (meters MT101..MT${100 + meters})\n`);
        else io.stderr.write(`osm fleet: ${meters} meters in chunks of ${localChunk} on ${workers} worker threads (each chunk's meters share a top-up backend in their thread)\n`);
      }
    }
    const { fleetReport, fleetJson, fleetHtml, fleetText } = await import('../../scenarios/fleet/fleet-report.ts');
    type Outcome = import('../../scenarios/fleet/fleet.ts').MeterOutcome;
    let outcomes: Outcome[] = [];
    let failedJobs = 0;
    let costLine: string | undefined;
    // Ctrl-C on a fleet run here: the threads are ended and the meters done so far said (a queue has its own watch).
    const { watchInterrupts, InterruptedError, SIGNAL_EXIT } = await import('../../io/interrupt.ts');
    const stops = queue ? undefined : watchInterrupts();
    let metersDone = 0;
    try {
      try {
        if (queue) {
          const { runOnQueue } = await import('../queue/submit.ts');
          const ranges = chunkRanges(meters, queue.chunk ?? 100);
          // The simulated time each job's meters reached: its worker's last word while it runs, the whole at the end.
          const reached = new Array<number>(ranges.length).fill(0);
          const interrupts = watchInterrupts();
          try {
            const r = await runOnQueue({
              target: queue.target, kind: 'fleet', chunks: ranges.map((x) => ({ spec, ...x, brokerUrl })),
              ...(queue.lockMs !== undefined ? { lockMs: queue.lockMs } : {}),
              ...(queue.timeLimitMs !== undefined ? { timeLimitMs: queue.timeLimitMs } : {}),
              interrupts,
              onChunk: (k) => {
                reached[k] = spec.durationUs;
                metersDone += ranges[k].to - ranges[k].from;
              },
              onProgress: (p) => {
                for (const c of p.running) if (c.t !== undefined) reached[c.chunk] = c.t;
                progress.update(fleetQueueLine(p, ranges, reached, metersDone, hours));
              },
              onNoWorker: (id) => {
                if (!quiet) io.stderr.write(`osm fleet: queue ${id}: no worker has taken a job yet; start some with: osm worker --redis ${queue.target.shown}\n`);
              },
            });
            r.results.forEach((c, i) => outcomes.push(...((c ?? r.failed.find((f) => f.chunk === i)?.partial ?? []) as Outcome[])));
            for (const f of r.failed) io.stderr.write(`osm fleet: job ${f.chunk} (meters ${ranges[f.chunk].from}..${ranges[f.chunk].to - 1}) failed: ${f.reason.split('\n')[0]}\n`);
            failedJobs = r.failed.length;
          } finally { interrupts.dispose(); }
        } else {
          const { runFleetLocal } = await import('../fleet-local.ts');
          const cost = new FleetCost(Math.min(meters, workers * localChunk));
          outcomes = await runFleetLocal(spec, {
            workers, chunk: localChunk, brokerUrl, ...(workers === 1 && embedded ? { servers: embedded } : {}),
            ...(stops ? { signal: stops.abortSignal } : {}),
            onProgress: (p) => {
              metersDone = p.metersDone;
              cost.reached(p.meterUs);
              const at = p.meterUs / meters;
              progress.update(`osm fleet: ${p.metersDone}/${meters} meters done, ${(at / 3600e6).toFixed(2)} h of ${hours} h on average (${p.chunksDone}/${p.chunks} chunks, ${p.workers} ${p.workers === 1 ? 'thread' : 'threads'}); ${cost.text()}`);
            },
          });
          costLine = cost.summary();
        }
      } finally {
        progress.done();
        await closeBroker();
      }
    } catch (err) {
      if (!(err instanceof InterruptedError)) throw err;
      const unwritten = [jsonOut, htmlOut].flatMap((o) => (o && o.kind === 'file' ? [o.path] : []));
      io.stderr.write(`osm fleet: stopped by ${err.signal} after ${metersDone} of ${plural(meters, 'meter')}${queue ? '; its jobs were removed from Redis' : ''}; no report written`
        + `${unwritten.length ? `, ${unwritten.join(' and ')} not written` : ''}\n`);
      return SIGNAL_EXIT[err.signal];
    } finally {
      stops?.dispose();
    }
    if (costLine !== undefined && !quiet) io.stderr.write(`osm fleet: ${costLine}\n`);
    const report = fleetReport(spec, outcomes);
    if (jsonOut) writeOutputFile(jsonOut, fleetJson(report));
    if (htmlOut) writeOutputFile(htmlOut, fleetHtml(report));
    // A report on standard output stays alone there; the text then goes to standard error.
    (isStandardOutput(jsonOut) || isStandardOutput(htmlOut) ? io.stderr : io.stdout).write(fleetText(report));
    return failedJobs > 0 ? 3 : 0;
  }
  return { name: 'fleet', summary: 'a fleet of meters (own twin, household, mode, credit, top-ups) publishing telemetry over MQTT; fleet report', usage: FLEET_USAGE, run };
}

/**
 * The progress line of a fleet on a queue: the meters whose job is done, the simulated time the meters reached on
 * average (a running job's as its worker last said, each simulated hour), the jobs done and the workers connected.
 * `reached[k]`: the simulated µs job k's meters reached.
 */
export function fleetQueueLine(p: Pick<QueueProgress, 'campaign' | 'chunksDone' | 'chunks' | 'workers'>, ranges: ReadonlyArray<{ from: number; to: number }>,
  reached: readonly number[], metersDone: number, hours: number): string {
  let meterUs = 0;
  let meters = 0;
  ranges.forEach((r, k) => { meterUs += (r.to - r.from) * (reached[k] ?? 0); meters += r.to - r.from; });
  const at = meters > 0 ? meterUs / meters / 3600e6 : 0;
  return `osm fleet: queue ${p.campaign}: ${metersDone}/${meters} meters done, ${at.toFixed(2)} h of ${hours} h on average`
    + ` (${p.chunksDone}/${p.chunks} jobs, ${p.workers} ${p.workers === 1 ? 'worker' : 'workers'} connected)`;
}

/**
 * What a local fleet run costs this process, over all its threads: CPU per simulated meter-day (building the meters
 * included: a few ms a meter), the meters one core could keep at real time at that rate, and the resident memory.
 */
export class FleetCost {
  /** Meters alive at once (a chunk per thread). */
  readonly #live: number;
  readonly #cpu0 = process.cpuUsage();
  readonly #rss0 = process.memoryUsage().rss;
  #rssPeak = 0;
  #cpuS = 0;
  #meterUs = 0;

  constructor(liveMeters: number) { this.#live = liveMeters; }

  /** `meterUs`: simulated time summed over the meters so far. */
  reached(meterUs: number): void {
    this.#meterUs = meterUs;
    this.#rssPeak = Math.max(this.#rssPeak, process.memoryUsage().rss);
    const u = process.cpuUsage(this.#cpu0);
    this.#cpuS = (u.user + u.system) / 1e6;
  }

  /** CPU seconds per simulated meter-day; NaN before any progress. */
  get perMeterDayS(): number { return this.#cpuS / (this.#meterUs / 86_400e6); }

  text(): string {
    return `CPU ${this.#cpuS.toFixed(1)} s, ${this.#meterUs > 0 ? this.perMeterDayS.toFixed(2) : '-'} s per meter-day`;
  }

  summary(): string {
    const perDay = this.perMeterDayS;
    return `CPU ${this.#cpuS.toFixed(1)} s for ${(this.#meterUs / 86_400e6).toFixed(3)} meter-days = ${perDay.toFixed(2)} s per meter-day `
      + `(building the meters included; about ${Math.round(86_400 / perDay)} meters per core at real time); peak resident memory ${(this.#rssPeak / 1e6).toFixed(0)} MB `
      + `(${((this.#rssPeak - this.#rss0) / 1e6).toFixed(0)} MB more than at the start) with ${this.#live} meters alive at once`;
  }
}

export default createFleetCommand();
