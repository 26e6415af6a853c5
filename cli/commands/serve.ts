// `osm serve` (what `npm start` runs): the project's server on 127.0.0.1:8080: the live workshop dashboard (twin
// meters paced at real time, their waveforms, LCD, keypad, relay, loads, grid events, scenarios) and, when the
// Node-RED part of the project is present, the embedded Node-RED editor at /red. Each meter's modem reaches its own
// top-up backend and ThingsBoard broker, which also listen on loopback ports for stock clients (twin/comms/serve.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { OsmServer, ServerOptionError, checkServerOptions, type RequestHandler } from '../../dashboard/server.ts';
import { listScenarios } from '../../dashboard/scenario-library.ts';
import { parseLocal } from '../../scenarios/loader.ts';
import { PROFILE_NAMES, resolveFirmware, type ProfileName } from '../../twin/profiles/profile.ts';
import { isDefectId, type DefectId } from '../../twin/profiles/defects.ts';
import type { LocalTime } from '../../twin/twin-meter.ts';
import { MAX_SPEED_FACTOR, type SpeedValue } from '../../dashboard/protocol.ts';
import { LiveMeterError, type LiveMeter } from '../../dashboard/live-meter.ts';
import { CommsServerError, startCommsServers, type CommsServers } from '../../twin/comms/serve.ts';
import { parseMqttUrl } from '../../twin/comms/comms.ts';
import { backendUrlText, parseBackendUrl, reachBackend } from '../../twin/comms/external-backend.ts';
import { TOKEN as DEVICE_TOKEN } from '../../twin/firmware/thingsboard.ts';
import { intOption, parseArgs } from '../args.ts';
import { closest } from '../../scenarios/suggest.ts';
import { servedFleet } from '../../dashboard/served-fleet.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { plural } from '../../io/plural.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EMBED_FILE = join(ROOT, 'flows', 'embed.ts');

/** Most meters of `osm serve --fleet`. */
export const MAX_FLEET = 500;

export const SERVE_USAGE = `Usage: osm serve [options]        (npm start runs this with the defaults)

Start the project's server: the live workshop dashboard in the browser, and the embedded Node-RED editor at /red
when the project's Node-RED part is installed. Open the address it prints.

The dashboard runs twin meters live (field firmware, STS mode, some credit, a household load profile), paced at real
time: waveforms, trends, the LCD, keypad (click or type 0-9 A-D * #), LEDs, relay and buzzer, load switches, grid
events, tamper and power cut, speed (1x 10x 60x 600x 3600x max, pause), Reset to a fresh meter, library scenarios
with their verdict, firmware knobs.

Options:
  --host H          address to listen on (default 127.0.0.1); anything but loopback needs --token
  --port N          TCP port (default 8080; 0 lets the system choose)
  --token T         require this token on every request (or set OSM_TOKEN): at least 8 printable characters,
                    no spaces; open the page as /?token=T
  --speed F         virtual time at F times wall time (default 1): a factor > 0 up to ${MAX_SPEED_FACTOR} (the page's
                    buttons: 1, 10, 60, 600, 3600), or max
  --clock T         the meters' RTC time at start, YYYY-MM-DDTHH:MM:SS (default 2026-03-01T08:00:00)
  --meters N        number of meters, each with its own twin and seed (default 1, at most 8)
  --fleet N         a fleet of N meters (1..${MAX_FLEET}) instead: the page opens on a grid of meters coloured by state
                    (relay on, relay off, credit exhausted, tamper, comms down, no power); click one for its live view.
                    Each meter is planned as osm fleet plans it (its seed, a board drawn from the tolerances, a
                    household from the load-profile library, a credit drawn from --credit MIN..MAX, default 50..500,
                    and a payment about once a day through the top-up backend; planned for 30 days), is built with
                    its own meter id (MT101, MT102, ...) and access token, and all of them share one top-up backend
                    and one broker (--backend-port, --mqtt-port). Phasor fidelity unless --fidelity says otherwise.
  --credit N        credit in each meter's EEPROM at start (default 500)
  --profile P       firmware profile: field (default), shipped or fixed
  --fix LIST        defects to correct, comma separated (e.g. D11,D6)
  --fidelity F      waveform (default: 8 kHz samples) or phasor (waveforms synthesised from the phasors)
  --seed N          seed of the first meter (the others take the next ones; default 1)
  --mqtt-port N     the meters' ThingsBoard broker (MQTT) on this port (default 1883; meter k on N+k-1; 0 = free
                    ports): watch with any MQTT client, e.g. mosquitto_sub -p 1883 -t v1/devices/me/telemetry
  --backend-port N  the meters' top-up backend (HTTP, POST /subscribe.php) on this port (default 8081; meter k on
                    N+k-1; 0 = free ports), e.g. curl -d 'api_key=tPmAT5Ab3j7F9&meter=MT100' 127.0.0.1:8081/subscribe.php
                    A default port held by another program (a mosquitto on 1883) moves to a free one, printed at
                    start; a port you give must be free.
  --backend URL     the meters poll this top-up backend of your own instead (http://host:port; it gets the
                    firmware's POST /subscribe.php and answers <amount>/<tariff>/): payments and faults are your
                    server's, the page's Pay and Fault are off, and no backend port is opened. Virtual time waits for
                    each answer (up to 5 s of wall time), so any speed works. It must be listening at start
                    (docs/communications.md)
  --broker URL      send the meters' telemetry to this broker instead (mqtt://host:port: a mosquitto or a real
                    ThingsBoard); its answers come in wall time, so keep the speed near 1x
  --no-network      no network: the meters' modems are mute (the firmware blocks about 5 minutes per loop pass)
  --no-household    start without the household load profile
  --no-node-red     do not start the embedded Node-RED
  --help, -h        show this help

The MQTT and backend ports bind --host too; with --token (required off loopback) a client other than the meter's
device must give the token: MQTT password (any user name that is not a device token), HTTP Authorization: Bearer.

Stop with Ctrl-C. Exit code 2: invalid options, or a port is taken.`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  speed: { type: 'string' },
  clock: { type: 'string' },
  meters: { type: 'string' },
  fleet: { type: 'string' },
  credit: { type: 'string' },
  profile: { type: 'string' },
  fix: { type: 'string' },
  fidelity: { type: 'string' },
  seed: { type: 'string' },
  'no-household': { type: 'boolean' },
  'mqtt-port': { type: 'string' },
  'backend-port': { type: 'string' },
  broker: { type: 'string' },
  backend: { type: 'string' },
  'no-network': { type: 'boolean' },
  'no-node-red': { type: 'boolean' },
} as const;

export interface ServeArgs {
  host: string;
  port: number;
  token?: string;
  speed: SpeedValue;
  clock: LocalTime;
  meters: number;
  credit: number;
  /** `--fleet N`: a fleet of N meters (the grid view), credits drawn from `fleetCredit`. */
  fleet?: number;
  fleetCredit: [number, number];
  profile: ProfileName;
  fix: DefectId[];
  fidelity: 'waveform' | 'phasor';
  seed: number;
  household: boolean;
  nodeRed: boolean;
  /** The modem on a network with servers (false: --no-network). */
  network: boolean;
  mqttPort: number;
  backendPort: number;
  /** The ports were given on the command line (a taken default port moves to a free one; a given one is an error). */
  portsGiven: { mqtt: boolean; backend: boolean };
  /** An external broker (`--broker`). */
  broker?: string;
  /** A top-up backend of the user's own (`--backend`), as given. */
  backend?: string;
}

/**
 * Another name for `--backend URL` (`--topup-url`, `--backend-host`, ...) is pointed at it. A misspelt real option
 * (`--backend-prot`) is left to the parser's "did you mean"; a URL, host or server is not.
 */
function pointAtBackendOption(argv: readonly string[]): void {
  const names = Object.keys(OPTIONS);
  for (const a of argv) {
    if (a === '--') return;
    if (!a.startsWith('--')) continue;
    const name = a.slice(2).split('=')[0]!;
    if (Object.hasOwn(OPTIONS, name) || !/backend|top-?up|subscribe/i.test(name)) continue;
    const asksForAServer = /^(top-?up-?)?backend$|^top-?up$|url|uri|host|server|addr|endpoint/i.test(name);
    if (!asksForAServer && closest(name, names) !== undefined) continue;
    throw new UsageError(`--${name}: give a top-up backend of your own with --backend http://host:port (the firmware posts to /subscribe.php there)`);
  }
}

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  pointAtBackendOption(argv);
  const { values, positionals } = parseArgs(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  let speed: SpeedValue = 1;
  if (values.speed !== undefined) {
    const t = values.speed as string;
    if (t === 'max') speed = 'max';
    else {
      const v = Number(t);
      if (!/^\d*\.?\d+$/.test(t) || !(v > 0) || v > MAX_SPEED_FACTOR) throw new UsageError(`--speed: expected max or a factor > 0 and <= ${MAX_SPEED_FACTOR}, got '${t}'`);
      speed = v;
    }
  }
  let clock: LocalTime = { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 };
  if (values.clock !== undefined) {
    const c = parseLocal(values.clock as string);
    if (!c) throw new UsageError(`--clock: expected YYYY-MM-DDTHH:MM:SS (years 2000..2099), got '${values.clock as string}'`);
    clock = { year: c.year, month: c.month, day: c.day, hour: c.hour, minute: c.minute, second: c.second };
  }
  const profile = (values.profile ?? 'field') as ProfileName;
  if (!PROFILE_NAMES.includes(profile)) throw new UsageError(`--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`);
  const fix: DefectId[] = [];
  if (values.fix !== undefined) {
    for (const d of (values.fix as string).split(',').map((x) => x.trim().toUpperCase()).filter(Boolean)) {
      if (!isDefectId(d)) throw new UsageError(`--fix: '${d}' is not a defect (D1..D48)`);
      fix.push(d);
    }
  }
  resolveFirmware({ profile, fix });
  let fleet: number | undefined;
  let fleetCredit: [number, number] = [50, 500];
  if (values.fleet !== undefined) {
    if (values.meters !== undefined) throw new UsageError('give --meters or --fleet, not both');
    fleet = intOption('fleet', values.fleet as string, 1, MAX_FLEET);
    if (values.credit !== undefined) {
      const m = /^(\d+)(?:\.\.(\d+))?$/.exec(values.credit as string);
      if (!m || (m[2] !== undefined && Number(m[1]) > Number(m[2]))) throw new UsageError(`--credit: expected N or MIN..MAX with --fleet, got '${values.credit as string}'`);
      fleetCredit = [Number(m[1]), Number(m[2] ?? m[1])];
    }
  }
  const fidelity = (values.fidelity ?? (fleet !== undefined ? 'phasor' : 'waveform')) as string;
  if (fidelity !== 'waveform' && fidelity !== 'phasor') throw new UsageError(`--fidelity: expected waveform or phasor, got '${fidelity}'`);
  const tokenArg = values.token as string | undefined;
  const token = tokenArg ?? (env.OSM_TOKEN !== undefined && env.OSM_TOKEN !== '' ? env.OSM_TOKEN : undefined);
  const args: ServeArgs = {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: values.port === undefined ? 8080 : intOption('port', values.port as string, 0, 65535),
    ...(token !== undefined ? { token } : {}),
    speed,
    clock,
    meters: values.meters === undefined ? 1 : intOption('meters', values.meters as string, 1, 8),
    credit: values.credit === undefined || fleet !== undefined ? 500 : intOption('credit', values.credit as string, 0, 4294967295),
    ...(fleet !== undefined ? { fleet } : {}),
    fleetCredit,
    profile,
    fix,
    fidelity,
    seed: values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967288),
    household: values['no-household'] !== true,
    nodeRed: values['no-node-red'] !== true,
    network: values['no-network'] !== true,
    mqttPort: values['mqtt-port'] === undefined ? 1883 : intOption('mqtt-port', values['mqtt-port'] as string, 0, 65535),
    backendPort: values['backend-port'] === undefined ? 8081 : intOption('backend-port', values['backend-port'] as string, 0, 65535),
    portsGiven: { mqtt: values['mqtt-port'] !== undefined, backend: values['backend-port'] !== undefined },
  };
  if (values.broker !== undefined) {
    if (!args.network) throw new UsageError('--broker and --no-network exclude each other');
    try { parseMqttUrl(values.broker as string); } catch (err) { throw new UsageError(`--broker: ${(err as Error).message}`); }
    args.broker = values.broker as string;
  }
  if (values.backend !== undefined) {
    if (!args.network) throw new UsageError('--backend and --no-network exclude each other');
    if (fleet !== undefined) throw new UsageError('--backend and --fleet exclude each other: a fleet\'s planned payments are made on the built-in backend');
    if (values['backend-port'] !== undefined) throw new UsageError('--backend and --backend-port exclude each other: with your own backend no backend port is opened');
    try { parseBackendUrl(values.backend as string); } catch (err) { throw new UsageError(`--backend: ${(err as Error).message}`); }
    args.backend = values.backend as string;
  }
  if (!args.network && (values['mqtt-port'] !== undefined || values['backend-port'] !== undefined)) throw new UsageError('--mqtt-port and --backend-port need the network (drop --no-network)');
  if (args.network) checkPortRanges(args);
  try {
    checkServerOptions({ host: args.host, port: args.port, ...(args.token !== undefined ? { token: args.token } : {}) });
  } catch (err) {
    if (err instanceof ServerOptionError) throw new UsageError(err.message);
    throw err;
  }
  return args;
}

/** Meter k (0-based) listens on base + k; port 0 stays 0 (a free port each). A fleet's meters share one port. */
function portOf(base: number, index: number): number { return base === 0 ? 0 : base + index; }

/** The meters' MQTT and backend ports must fit and must not meet each other or the dashboard's port. */
function checkPortRanges(a: ServeArgs): void {
  const ranges: { name: string; from: number; to: number }[] = [{ name: '--port', from: a.port, to: a.port }];
  const last = a.fleet !== undefined ? 0 : a.meters - 1;
  if (!a.broker) ranges.push({ name: '--mqtt-port', from: a.mqttPort, to: portOf(a.mqttPort, last) });
  if (!a.backend) ranges.push({ name: '--backend-port', from: a.backendPort, to: portOf(a.backendPort, last) });
  for (const r of ranges) if (r.to > 65535) throw new UsageError(`${r.name} ${r.from}: ${a.meters} meters need ports up to ${r.to}, beyond 65535`);
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const x = ranges[i];
      const y = ranges[j];
      if (x.from !== 0 && y.from !== 0 && x.from <= y.to && y.from <= x.to) {
        throw new UsageError(`${x.name} and ${y.name} overlap (${x.from}${x.to !== x.from ? `-${x.to}` : ''} and ${y.from}${y.to !== y.from ? `-${y.to}` : ''}): choose other ports`);
      }
    }
  }
}

/** What flows/embed.ts provides (the Node-RED part of the project). */
export interface NodeRedEmbedding {
  adminHandler: RequestHandler;
  nodeHandler: RequestHandler;
  stop(): unknown;
}
type EmbedFn = (server: Server, options: { userDir: string; flowsDir: string }) => Promise<NodeRedEmbedding> | NodeRedEmbedding;

/** Listen on `port` of `host` and close again at once: rejects as listening there would. */
function tryPort(port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Why the page's server cannot listen, as the user's mistake (exit 2); other errors as they are. */
function listenUsageError(err: unknown, args: { port: number; host: string }): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`port ${args.port} on ${args.host} is in use: stop the other server or choose --port`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new UsageError(`--host ${args.host}: not an address of this machine`);
  if (code === 'EACCES') return new UsageError(`port ${args.port} needs privileges: choose --port 1024 or above`);
  return err;
}

/** Load flows/embed.ts when present; a line for the user says what happened. */
async function embedNodeRed(server: OsmServer, file: string, out: (line: string) => void): Promise<boolean> {
  if (!existsSync(file)) { out('Node-RED: not part of this installation (no flows/embed.ts)'); return false; }
  let fn: EmbedFn | undefined;
  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const cand = mod.default ?? mod.embedNodeRed ?? Object.entries(mod).find(([k, v]) => /^embed/i.test(k) && typeof v === 'function')?.[1];
    if (typeof cand === 'function') fn = cand as EmbedFn;
  } catch (err) {
    out(`Node-RED: unavailable (${(err as Error).message.split('\n')[0]}); the dashboard runs without it`);
    return false;
  }
  if (!fn) { out('Node-RED: unavailable (flows/embed.ts exports no embedding function); the dashboard runs without it'); return false; }
  try {
    const red = await fn(server.httpServer, { userDir: join(ROOT, '.osm', 'node-red'), flowsDir: join(ROOT, 'flows') });
    server.mount('/red', red.adminHandler);
    server.mount('/api', red.nodeHandler);
    server.onClose(() => red.stop());
    return true;
  } catch (err) {
    out(`Node-RED: unavailable (${(err as Error).message.split('\n')[0]}); the dashboard runs without it`);
    return false;
  }
}

export interface ServeDeps {
  io?: CliIo;
  env?: NodeJS.ProcessEnv;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  until?: (server: OsmServer) => Promise<void>;
  embedFile?: string;
}

export function createServeCommand(deps: ServeDeps = {}): Command {
  const io = deps.io ?? processIo;
  const out = (line: string): void => { io.stdout.write(`${line}\n`); };
  return {
    name: 'serve',
    summary: 'the live workshop dashboard in the browser (and the embedded Node-RED) on 127.0.0.1:8080; what npm start runs',
    usage: SERVE_USAGE,
    async run(argv) {
      const args = parseServeArgs(argv, deps.env ?? process.env);
      // the page's port is tried before anything starts: the meters, their servers and Node-RED (whose deployed
      // flows would otherwise start, and could write their reports, before the taken port stopped the server)
      if (args.port !== 0) {
        try { await tryPort(args.port, args.host); } catch (err) { throw listenUsageError(err, args); }
      }
      if (args.backend) {
        const b = parseBackendUrl(args.backend);
        const problem = await reachBackend(b);
        if (problem) throw new UsageError(`--backend: nothing answers at ${backendUrlText(b)} (${problem}): start your backend first`);
      }
      const listeners = new Map<LiveMeter, CommsServers>();
      const fleet = args.fleet !== undefined ? servedFleet({ meters: args.fleet, seed: args.seed, clock: args.clock, credit: args.fleetCredit }) : null;
      // a fleet's shared servers listen once, before the meters are built
      let fleetListeners: CommsServers | null = null;
      if (fleet && args.network) {
        try {
          fleetListeners = await startCommsServers({
            comms: fleet.servers, host: args.host, ...(args.token !== undefined ? { token: args.token } : {}),
            mqttPort: args.broker ? null : args.mqttPort, backendPort: args.backendPort,
            freePortIfTaken: { mqtt: !args.portsGiven.mqtt, backend: !args.portsGiven.backend },
          });
        } catch (err) {
          await fleet.close();
          if (err instanceof CommsServerError) throw new UsageError(`the fleet's servers: ${err.message}`);
          throw err;
        }
        for (const mv of fleetListeners.movedFrom) out(`the fleet's ${mv.what} port ${mv.port} is taken by another program: using ${mv.now} (choose one with --${mv.what === 'MQTT' ? 'mqtt' : 'backend'}-port)`);
      }
      const server = new OsmServer(
        { host: args.host, port: args.port, ...(args.token !== undefined ? { token: args.token } : {}) },
        {
          library: listScenarios(),
          meter: {
            seed: args.seed, credit: args.credit, clock: args.clock, speed: args.speed, fidelity: args.fidelity,
            household: args.household, firmware: { profile: args.profile, fix: args.fix, defects: [] },
            network: args.network ? { ...(args.broker ? { brokerUrl: args.broker } : {}), ...(args.backend ? { backendUrl: args.backend } : {}) } : false,
          },
          log: (line) => io.stderr.write(`${line}\n`),
          ...(fleet ? { meterFor: (i: number) => fleet.meterFor(i), fleetView: true, maxMeters: args.fleet } : {}),
          // each meter's servers listen before anything runs; a taken port refuses the meter (exit 2 at start-up)
          onMeterBuilt: async (m) => {
            if (!m.servers) return;
            if (fleet) {
              if (fleetListeners) m.endpoints = { mqtt: fleetListeners.mqttUrl, backend: fleetListeners.backendUrl };
              return;
            }
            const k = m.config.index;
            try {
              const s = await startCommsServers({
                comms: m.servers, host: args.host, ...(args.token !== undefined ? { token: args.token } : {}),
                mqttPort: args.broker ? null : portOf(args.mqttPort, k), backendPort: args.backend ? null : portOf(args.backendPort, k),
                freePortIfTaken: { mqtt: !args.portsGiven.mqtt, backend: !args.portsGiven.backend },
              });
              for (const mv of s.movedFrom) {
                out(`${m.id}: the ${mv.what} port ${mv.port} is taken by another program: using ${mv.now} (choose one with --${mv.what === 'MQTT' ? 'mqtt' : 'backend'}-port)`);
              }
              listeners.set(m, s);
              m.endpoints = { mqtt: s.mqttUrl, backend: s.backendUrl };
            } catch (err) {
              if (err instanceof CommsServerError) throw new LiveMeterError(`${m.id}: ${err.message}${/in use/.test(err.message) ? ' (another broker or server runs there: choose --mqtt-port / --backend-port, 0 for free ports)' : ''}`);
              throw err;
            }
          },
          onMeterClosed: async (m) => {
            await listeners.get(m)?.close();
            listeners.delete(m);
          },
        },
      );
      try {
        try {
          if (fleet) out(`Fleet: building ${plural(args.fleet!, 'meter')}...`);
          await server.hub.addMeters(fleet ? args.fleet! : args.meters);
        } catch (err) {
          if (err instanceof LiveMeterError) throw new UsageError(err.message);
          throw err;
        }
        const red = args.nodeRed ? await embedNodeRed(server, deps.embedFile ?? EMBED_FILE, out) : (out('Node-RED: off (--no-node-red)'), false);
        try {
          await server.listen();
        } catch (err) {
          throw listenUsageError(err, args);
        }
        const url = server.url() + (args.token !== undefined ? `?token=${encodeURIComponent(args.token)}` : '');
        out(`OpenSmartMeter Twin dashboard: ${url}`);
        if (red) out(`Node-RED editor: ${server.url()}red/`);
        if (!args.network) out('Network: off (--no-network): the meters\' modems are mute');
        if (fleet) {
          const s = fleetListeners;
          if (s) out(`Fleet of ${args.fleet}: ${s.mqttUrl ? `ThingsBoard broker ${s.mqttUrl} (a device token per meter, topic v1/devices/me/telemetry)` : `telemetry to ${args.broker} (external broker)`}; top-up backend ${s.backendUrl} (meters MT101..MT${100 + args.fleet!})`);
        }
        for (const m of fleet ? [] : server.hub.meters) {
          const s = listeners.get(m);
          if (!s) continue;
          const mqtt = s.mqttUrl ? `ThingsBoard broker ${s.mqttUrl} (device token ${DEVICE_TOKEN}, topic v1/devices/me/telemetry)` : `telemetry to ${args.broker} (external broker)`;
          out(`${m.id}: ${mqtt}; ${s.backendUrl ? `top-up backend ${s.backendUrl}` : `polls your top-up backend ${backendUrlText(parseBackendUrl(args.backend!))}`}`);
        }
        if (fleet) out(`${plural(args.fleet!, 'meter')} in a fleet (the page opens on the grid), ${args.profile} firmware, speed ${args.speed === 'max' ? 'max' : `${args.speed}x`}, ${args.fidelity} fidelity. Ctrl-C to stop.`);
        else out(`${args.meters} meter${args.meters > 1 ? 's' : ''}, ${args.profile} firmware, speed ${args.speed === 'max' ? 'max' : `${args.speed}x`}, ${args.fidelity} fidelity. Ctrl-C to stop.`);
        await (deps.until ?? untilSignal)(server);
      } finally {
        await server.close();
        await fleetListeners?.close();
        await fleet?.close();
      }
      return EXIT.ok;
    },
  };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export default createServeCommand();
