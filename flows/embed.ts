// Node-RED 4.1 embedded in the project's HTTP server (`osm serve`): the editor and its admin API under /red, the
// flows' HTTP nodes under /api, the osm-* nodes of flows/nodes, the example flows of flows/ loaded at the first
// start (and offered in the editor's Import > Local library), the user directory where the caller says (under the
// project's data folder), palette installs, telemetry and update checks off.
//
//   const red = await embedNodeRed(httpServer, { userDir: '.osm/node-red' });
//   server.mount('/red', red.adminHandler); server.mount('/api', red.nodeHandler);
//   ...; await red.stop();
//
// Node-RED is one runtime per process and cannot be started again once stopped: embedNodeRed refuses a second call.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFlowsBuilt } from './build.ts';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** An Express-style handler, mounted under a prefix (it sees `req.url` below the prefix). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export interface EmbedOptions {
  /** Node-RED's user directory (flows, credentials, library); created when missing. */
  userDir: string;
  /** Folder of example flows (`*.json`, each an export of the editor) loaded at the first start. Default flows/. */
  flowsDir?: string;
  /** Replace the user directory's flows by those of flowsDir at every start (default: only when it has none). */
  resetFlows?: boolean;
  /** Where the caller mounts the handlers (default /red and /api); Node-RED needs them to build its URLs. */
  adminRoot?: string;
  nodeRoot?: string;
  /** Node-RED's console log level (default warn). */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'off';
  /** More Node-RED settings (merged last). */
  settings?: Record<string, unknown>;
}

/** The parts of the `node-red` module used here. */
export interface RedRuntime {
  init(server: Server | null, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: RequestHandler;
  httpNode: RequestHandler;
  events: { on(ev: string, fn: (...a: any[]) => void): void; once(ev: string, fn: (...a: any[]) => void): void; removeListener(ev: string, fn: (...a: any[]) => void): void };
  hooks: { add(name: string, fn: (ev: any) => void): void; remove(name: string): void };
  nodes: { getNode(id: string): any; getType(type: string): unknown };
  log: { addHandler(h: unknown): void };
  settings: Record<string, unknown>;
}

export interface EmbeddedNodeRed {
  adminHandler: RequestHandler;
  nodeHandler: RequestHandler;
  /** The runtime (events, hooks, nodes) for callers that watch flows. */
  red: RedRuntime;
  settings: Record<string, unknown>;
  stop(): Promise<void>;
}

let embedded = false;

/** The example flows of a folder: every `*.json` holding an array of nodes, in name order. */
export function exampleFlows(flowsDir: string): { file: string; nodes: Record<string, unknown>[] }[] {
  if (!existsSync(flowsDir)) return [];
  return readdirSync(flowsDir).filter((f) => f.endsWith('.json') && f !== 'package.json').sort().map((f) => {
    const nodes = JSON.parse(readFileSync(join(flowsDir, f), 'utf8')) as unknown;
    if (!Array.isArray(nodes)) throw new Error(`${join(flowsDir, f)}: expected a flow export (an array of nodes)`);
    return { file: f, nodes: nodes as Record<string, unknown>[] };
  });
}

/** True when Node-RED's module scan finds this package (node_modules/<name> beside node-red is this folder). */
function nodesVisibleAsModule(): boolean {
  try {
    const name = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
    const besideRed = join(dirname(dirname(require.resolve('node-red/package.json'))), name);
    return existsSync(besideRed) && realpathSync(besideRed) === realpathSync(ROOT);
  } catch {
    return false;
  }
}

/**
 * Node-RED's warnings about two settings chosen on purpose here, said at every start: projects are off (flows are the
 * project's files, not git projects) and credentials are stored unencrypted (a loopback tool's flows hold no secret
 * worth a key the user would have to keep).
 */
const DELIBERATE = [/^Projects disabled : editorTheme\.projects\.enabled=false$/, /^Using unencrypted credentials$/];
const LEVEL_NAMES: Record<number, string> = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace' };

/** Node-RED's console log, on stderr, one line per message, without the warnings about deliberate settings. */
function consoleLog(): (m: { level: number; msg?: unknown; type?: string; id?: string; name?: string }) => void {
  return (m) => {
    const text = m.msg instanceof Error ? m.msg.message : typeof m.msg === 'string' ? m.msg : JSON.stringify(m.msg);
    if (DELIBERATE.some((re) => re.test(text))) return;
    const who = m.type ? `[${m.type}:${m.name ?? m.id ?? ''}] ` : '';
    process.stderr.write(`Node-RED [${LEVEL_NAMES[m.level] ?? m.level}] ${who}${text}\n`);
  };
}

/** Node-RED settings for the embedded runtime and for `osm flow run` (same nodes, same switches). */
export function nodeRedSettings(o: { userDir: string; adminRoot?: string | false; nodeRoot?: string | false; logLevel?: string; logHandler?: unknown }): Record<string, unknown> {
  return {
    userDir: o.userDir,
    flowFile: 'flows.json',
    // The osm-* nodes: found by Node-RED's own scan when this package sits in the node_modules beside node-red (a
    // self link, or an install), otherwise loaded from the package's folder.
    ...(nodesVisibleAsModule() ? {} : { nodesDir: [join(ROOT, 'flows', 'nodes')] }),
    httpAdminRoot: o.adminRoot ?? '/red',
    httpNodeRoot: o.nodeRoot ?? '/api',
    disableEditor: o.adminRoot === false,
    uiHost: '127.0.0.1',
    credentialSecret: false,
    editorTheme: { projects: { enabled: false }, tours: false }, // palette installs: externalModules below
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    logging: {
      console: { level: o.logLevel ?? 'warn', metrics: false, audit: false, handler: consoleLog },
      ...(o.logHandler ? { osm: { level: 'warn', metrics: false, audit: false, handler: o.logHandler } } : {}),
    },
  };
}

/** Start Node-RED on `server` (its editor socket attaches there) and give the handlers to mount. */
export async function embedNodeRed(server: Server, options: EmbedOptions): Promise<EmbeddedNodeRed> {
  if (embedded) throw new Error('Node-RED is already embedded in this process (it is one runtime per process)');
  embedded = true;
  await ensureFlowsBuilt();
  const userDir = resolve(options.userDir);
  mkdirSync(userDir, { recursive: true });
  const flowsDir = resolve(options.flowsDir ?? join(ROOT, 'flows'));
  const examples = exampleFlows(flowsDir);
  const flowFile = join(userDir, 'flows.json');
  if (options.resetFlows || !existsSync(flowFile)) {
    writeFileSync(flowFile, JSON.stringify(examples.flatMap((e) => e.nodes), null, 2));
  }
  // Import > Local library > OpenSmartMeter: the examples, importable one by one.
  const lib = join(userDir, 'lib', 'flows', 'OpenSmartMeter');
  mkdirSync(lib, { recursive: true });
  for (const e of examples) copyFileSync(join(flowsDir, e.file), join(lib, e.file));

  const adminRoot = options.adminRoot ?? '/red';
  const nodeRoot = options.nodeRoot ?? '/api';
  const settings = { ...nodeRedSettings({ userDir, adminRoot, nodeRoot, logLevel: options.logLevel ?? 'warn' }), ...(options.settings ?? {}) };
  const RED = require('node-red') as RedRuntime;
  const started = new Promise<void>((resolveStarted, reject) => {
    const t = setTimeout(() => reject(new Error('Node-RED did not start its flows within 60 s')), 60_000);
    RED.events.once('flows:started', () => { clearTimeout(t); resolveStarted(); });
  });
  RED.init(server, settings);
  await RED.start();
  await started;
  let stopped = false;
  return {
    adminHandler: RED.httpAdmin,
    nodeHandler: RED.httpNode,
    red: RED,
    settings,
    async stop() {
      if (stopped) return;
      stopped = true;
      await RED.stop();
    },
  };
}
