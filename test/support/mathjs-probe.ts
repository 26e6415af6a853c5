// Test support for scenarios/accuracy/monte-carlo-lean.test.ts, run in a child process: runs one Monte Carlo unit (the job from argv[2]
// as JSON, with `circuit: true` for the built-in board plus a speed-up capacitor, solved as a circuit) and prints
// whether mathjs was loaded, through an ES module import (a resolve hook sees it) or a require (require.cache).
import { register, createRequire } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const seen: string[] = [];
port1.on('message', (url: string) => seen.push(url));
port1.unref();
const hooks = `let port; export function initialize(d) { port = d.port; }
export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('/node_modules/mathjs/')) port.postMessage(r.url); return r; }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

const { runUnit } = await import('../../scenarios/accuracy/monte-carlo.ts');
const { builtInNetlist } = await import('../../models/frontend/circuit/netlist.ts');
const spec = JSON.parse(process.argv[2]) as Parameters<typeof runUnit>[0] & { withCircuit?: boolean };
if (spec.withCircuit) {
  const n = builtInNetlist();
  spec.circuit = { netlist: { ...n, parts: [...n.parts, { ref: 'C99', kind: 'C', value: '4.7n', nets: ['DIV5', 'VP'] }] }, label: 'probe', args: [] };
}
await runUnit(spec, 0);
await new Promise((r) => setTimeout(r, 50));
const cjs = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/mathjs/'));
process.stdout.write(JSON.stringify({ esm: seen.length, cjs: cjs.length }));
