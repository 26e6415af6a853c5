// `osm flow run <flow.json>`: run a Node-RED flow of osm-* nodes headless on virtual time (flows/flow-runner.ts).
// `osm flow check <flow.json>`: only check it (the file and every osm-* node's configuration).
import { InterruptedError, watchInterrupts } from '../../io/interrupt.ts';
import type { Verdict } from '../../flows/lib/verdict.ts';
import type { FlowRunResult, NodeProblem } from '../../flows/flow-runner.ts';
import { intOption, parseSubcommand } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { plural } from '../../io/plural.ts';

export const FLOW_USAGE = `Usage: osm flow <run|check> <flow.json> [options]

Run a Node-RED flow of OpenSmartMeter nodes (osm-meter, osm-grid, osm-expect, osm-report, ...) without the editor:
the flow's meters run on virtual time, as fast as the computer allows (on the twin or the emulated board; a meter
whose target is a real board runs in real time).

osm flow run <flow.json>     start the flow, fire its inject nodes, wait until it is idle, report its verdicts
osm flow check <flow.json>   check the file and every osm-* node's configuration, run nothing

Options:
  --timeout S   wall-clock limit of a run in seconds (default 1800)
  --json        print the result as JSON on stdout
  --quiet, -q   print only failures and the summary
  --help, -h    show this help

How a run starts and ends: inject nodes set to fire once at start do so; every other inject node without a repeat
is fired once, in the order of the file (as if clicked in the editor). The run ends when no osm-* node is working
and no message has moved for a moment. Reports (osm-report) are written relative to the current folder.

Exit codes: 0 every verdict passed (osm-expect, osm-scenario, osm-accuracy); 1 a verdict failed, a node raised an
error, or the flow reached no verdict; 2 the flow file or a node's configuration is invalid (one line naming the
node's id, type and the reason); 3 internal error.`;

const OPTIONS = {
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const ALLOWED = { run: ['timeout', 'json', 'quiet'], check: ['json'] } as const;

export function createFlowCommand(io: CliIo = processIo): Command {
  async function run(argv: string[]): Promise<number> {
    const { sub, values, rest } = parseSubcommand('flow', argv, OPTIONS, ALLOWED);
    if (rest.length === 0) throw new UsageError(`missing the flow file (osm flow ${sub} <flow.json>)`);
    if (rest.length > 1) throw new UsageError(`one flow at a time, got ${rest.length}: ${rest.join(' ')}`);
    const file = rest[0]!;
    const json = values.json === true;
    const { FlowInputError, loadFlowFile, runFlowFile } = await import('../../flows/flow-runner.ts');
    try {
      if (sub === 'check') {
        const nodes = loadFlowFile(file);
        const osm = nodes.filter((n) => n.type.startsWith('osm-')).length;
        io.stdout.write(json ? `${JSON.stringify({ file, status: 'valid', nodes: nodes.length, osmNodes: osm })}\n` : `${file}: valid (${plural(nodes.length, 'node')}, ${plural(osm, 'OpenSmartMeter node')})\n`);
        return EXIT.ok;
      }
      const timeoutS = values.timeout === undefined ? 1800 : intOption('timeout', String(values.timeout), 1, 86400);
      const quiet = values.quiet === true;
      const live = !json;
      // Ctrl-C or SIGTERM: Node-RED is stopped, its temporary folder removed, one line says so (exit 130 / 143).
      const interrupts = watchInterrupts();
      const result = await runFlowFile(file, {
        signal: interrupts.abortSignal,
        timeoutMs: timeoutS * 1000,
        ...(live ? {
          onVerdict: (v: Verdict) => { if (!quiet || v.status !== 'passed') io.stdout.write(`${verdictLine(v)}\n`); },
          onError: (p: NodeProblem) => io.stdout.write(`  ✘ error  ${problemLine(p)}\n`),
        } : {}),
      }).catch((err: unknown) => {
        if (err instanceof InterruptedError) throw new InterruptedError(err.signal, 'Node-RED stopped, its temporary folder removed');
        throw err;
      }).finally(() => interrupts.dispose());
      io.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : summary(result));
      return result.exitCode === 0 ? EXIT.ok : EXIT.failed;
    } catch (err) {
      if (err instanceof FlowInputError) {
        if (json) io.stdout.write(`${JSON.stringify({ file, status: 'invalid', exitCode: EXIT.invalid, error: err.message })}\n`);
        io.stderr.write(`${err.message}\n`);
        return EXIT.invalid;
      }
      throw err;
    }
  }
  return { name: 'flow', summary: 'run a Node-RED flow of osm-* nodes headless on virtual time (exit 0 held, 1 failed, 2 invalid)', usage: FLOW_USAGE, run };
}

function verdictLine(v: Verdict): string {
  const mark = v.status === 'passed' ? '✓' : '✘';
  return `  ${mark} ${v.status.padEnd(6)} ${v.suite} › ${v.name}: ${v.message}`;
}

function problemLine(p: NodeProblem): string {
  return `node ${p.id} (${p.type}${p.name ? ` "${p.name}"` : ''}): ${p.message}`;
}

function summary(r: FlowRunResult): string {
  const passed = r.verdicts.filter((v) => v.status === 'passed').length;
  const failed = r.verdicts.length - passed;
  const lines = [`${r.file}: ${r.status.toUpperCase()}: ${passed} passed, ${failed} failed, ${plural(r.errors.length, 'node error')}`];
  if (r.note) lines.push(`  ${r.note}`);
  return `${lines.join('\n')}\n`;
}

export const flowCommand = createFlowCommand();
export default flowCommand;
