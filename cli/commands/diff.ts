// `osm diff <scenario> --a twin --b emulated`: hil-rig/diff.ts.
import { parseArgs, intOption } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { loadScenario } from '../../scenarios/loader.ts';
import { parseDuration } from '../../twin/kernel/clock.ts';
import { diffScenario, formatDiff, DEFAULT_TOLERANCE_US, ORIGINAL_RIG_TOLERANCE_US, type DiffKind } from '../diff.ts';
import { TargetOptionError } from '../../hil-rig/rig-original/original-bench.ts';
import { BoardOptionError } from '../../hil-rig/rig-bench.ts';
import { RigError } from '../../hil-rig/rig/connection.ts';

export const DIFF_USAGE = `Usage: osm diff <scenario.yaml> --a KIND --b KIND [options]

Run one scenario on two meters and compare them per observable (relay, led.red, led.green, buzzer, lcd screens,
serial lines): the values each took in order, and the timing difference of each change (b minus a), with a verdict
against timing tolerances; and the scenario's step verdicts side by side. Changes one side has after the other's
last, each within the tolerance of the run's end or (both ending on the same value) of the other's last change, are
counted, not judged: the side behind had not made them yet when the run or the stimulus ended them.

KIND: twin (the simulated board), emulated (the firmware twin driving the in-process Firmata board through
johnny-five), johnny-five (a real rig board on --port); rig-emulated (the ORIGINAL firmware's rig path with the hardware emulated and
a twin standing in for the meter), rig (a real meter on a rig: --port, --debug-port, --afe-port). On the emulated
board every observable is a part model, so scenarios that check the LCD or the firmware's readings run there too; a
rig for the original firmware sees neither the LCD nor the modem line, so those are not compared against it.

Options:
  --a KIND, --b KIND  the two meters (default: --a twin --b emulated)
  --tolerance LIST    timing tolerances, e.g. relay=50ms,lcd=1s,serial=200ms (defaults: ${Object.entries(DEFAULT_TOLERANCE_US).map(([k, v]) => `${k} ${v / 1000} ms`).join(', ')})
                      (against rig or rig-emulated, and between twin and a board, every default is at least
                      ${ORIGINAL_RIG_TOLERANCE_US / 1000} ms: the twin stamps a change when the clock reaches the code that made it, which
                      runs up to ~130 ms ahead, and on a board the firmware waits on the link; the report gives the measured Δt)
  --port PATH         the rig board's serial port (johnny-five)
  --wiring FILE       wiring map for the rig (default hil-rig/wiring/mega2560.yaml)
  --parts LIST        parts on the rig (default all)
  --debug-port PATH   (rig) the meter's debug port; --afe-port PATH  (rig) the AFE responder's port
  --seed N            seed of both runs (default 1)
  --json              print the comparison as JSON

Exit codes: 0 same within tolerances; 1 different; 2 bad input.`;

const OPTIONS = {
  a: { type: 'string' }, b: { type: 'string' }, tolerance: { type: 'string' }, port: { type: 'string' },
  wiring: { type: 'string' }, parts: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
  'debug-port': { type: 'string' }, 'afe-port': { type: 'string' },
} as const;

function kind(v: unknown, name: string): DiffKind {
  if (v === 'twin' || v === 'emulated' || v === 'johnny-five' || v === 'rig' || v === 'rig-emulated') return v;
  throw new UsageError(`--${name}: expected twin, emulated, johnny-five, rig-emulated or rig, got '${String(v)}'`);
}

export function parseTolerances(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^\s*([a-z][\w.]*)\s*=\s*(.+?)\s*$/.exec(part);
    const us = m ? parseDuration(m[2]) : null;
    if (!m || us === null) throw new UsageError(`--tolerance: expected name=duration (e.g. relay=50ms), got '${part}'`);
    out[m[1]] = us;
  }
  return out;
}

export function createDiffCommand(io: CliIo = processIo): Command {
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('give one scenario file (osm diff <scenario.yaml> --a twin --b emulated)');
    const a = kind(values.a ?? 'twin', 'a');
    const b = kind(values.b ?? 'emulated', 'b');
    if ((a === 'johnny-five' || b === 'johnny-five') && !values.port) throw new UsageError('johnny-five needs --port PATH');
    const seed = values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967295);
    const tol = parseTolerances(values.tolerance as string | undefined);
    const scenario = await loadScenario(positionals[0]);
    try {
      const r = await diffScenario(scenario, a, b, seed, tol, { port: values.port as string | undefined, wiring: values.wiring as string | undefined, parts: values.parts as string | undefined, debugPort: values['debug-port'] as string | undefined, afePort: values['afe-port'] as string | undefined },
        io.stderr.isTTY ? (m) => io.stderr.write(`\r\x1b[K  ${m}`) : undefined);
      if (io.stderr.isTTY) io.stderr.write('\r\x1b[K');
      io.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : formatDiff(r));
      return r.ok ? EXIT.ok : EXIT.failed;
    } catch (e) {
      if (e instanceof RigError || e instanceof BoardOptionError || e instanceof TargetOptionError) throw new UsageError(e.message);
      throw e;
    }
  }
  return { name: 'diff', summary: 'run a scenario on two meters (twin, emulated board, rig) and compare values and timing', usage: DIFF_USAGE, run };
}

export default createDiffCommand();
