// `osm rig check`: the rig for the ORIGINAL firmware (hil-rig/rig-original) checked before a run.
import { parseArgs, intOption } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { RigError } from '../../hil-rig/rig/connection.ts';
import { createOriginalRigBench, parseRigTarget, TargetOptionError } from '../../hil-rig/rig-original/original-bench.ts';
import { checkOriginalRig } from '../../hil-rig/rig-original/rig-check.ts';
import { resolveFirmware } from '../../twin/profiles/profile.ts';

export const RIG_USAGE = `Usage: osm rig check --port PATH --debug-port PATH --afe-port PATH [options]
       osm rig check --target rig-emulated [options]

The rig for the ORIGINAL firmware on a real meter board (docs/hil-rig.md): a Mega 2560 with StandardFirmataPlus
whose outputs press the keys through CD4066 switches, set the cover divider and switch the meter's supply, and whose
inputs read the relay coils, the LEDs and the buzzer; the meter's debug port on a USB serial adapter; the AFE
responder (a second Mega 2560) on the meter's USART3. 'osm rig check' checks it before a run:
  wiring      the map against the rig board's own capability report
  outputs     every output toggled HIGH and LOW, each level read back from the board (meter unpowered)
  inputs      every input read (LOW from an unpowered meter)
  meter boot  the supply switched on for a few seconds: the debug port prints the boot line, the buzzer input rises
  AFE         the responder's round trip over its USB port (pings: median and worst)
Then run scenarios with 'osm run <scenario> --target rig --port ... --debug-port ... --afe-port ...'.

Options:
  --target T        rig (default) or rig-emulated (the same checks against the emulated rig and a twin standing in
                    for the meter; needs gcc-avr, avr-libc and arduino-core-avr for the responder image)
  --port PATH       the rig board's serial port
  --debug-port PATH the meter's debug port (USB serial adapter on USART2, 115200 baud)
  --afe-port PATH   the AFE responder's USB port
  --wiring FILE     the rig's wiring map (default hil-rig/wiring/original-mega2560.yaml)
  --pings N         responder round trips to measure (default 20)
  --json            machine-readable output

Exit codes: 0 every check passed; 1 a check failed; 2 bad input, no board, a port that does not open, bad wiring.`;

const OPTIONS = {
  target: { type: 'string' }, port: { type: 'string' }, 'debug-port': { type: 'string' }, 'afe-port': { type: 'string' },
  wiring: { type: 'string' }, pings: { type: 'string' }, json: { type: 'boolean' },
} as const;

export function createRigCommand(io: CliIo = processIo): Command {
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    const sub = positionals[0];
    if (!sub) throw new UsageError('missing the subcommand: check');
    if (sub !== 'check') throw new UsageError(`unknown subcommand '${sub}' (check)`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const pings = values.pings === undefined ? 20 : intOption('pings', values.pings as string, 1, 10000);
    const target = (values.target as string | undefined) ?? 'rig';
    if (target === 'twin') throw new UsageError('--target: rig check needs rig or rig-emulated');
    if (target === 'rig' && !values.port && !values['debug-port'] && !values['afe-port']) {
      throw new UsageError('rig check needs --port, --debug-port and --afe-port (the rig board, the meter\'s debug port, the AFE responder), or --target rig-emulated to check without hardware');
    }
    const json = values.json === true;
    try {
      const choice = parseRigTarget({ target, port: values.port as string | undefined, debugPort: values['debug-port'] as string | undefined, afePort: values['afe-port'] as string | undefined, wiring: values.wiring as string | undefined })!;
      // the meter's own firmware is whatever is on it; the emulated stand-in runs the field build in STS mode
      const bench = await createOriginalRigBench({ meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 500 }, plant: { grid: { vrms: 230, hz: 50 } } }, choice);
      try {
        if (!json) io.stdout.write(`osm rig check: ${bench.link.description}${bench.world ? ', a twin standing in for the meter' : ''}\n`);
        const report = await checkOriginalRig(bench, { pings, onLine: json ? undefined : (l) => io.stdout.write(`  ${l.ok ? '✓' : '✘'} ${l.item}: ${l.result}\n`) });
        if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? EXIT.ok : EXIT.failed;
      } finally {
        await bench.close();
      }
    } catch (e) {
      if (e instanceof RigError || e instanceof TargetOptionError || (e as Error).name === 'WiringError') throw new UsageError(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }
  return { name: 'rig', summary: 'the rig for the original firmware on a real meter: check it (wiring, outputs, inputs, a boot, the AFE responder)', usage: RIG_USAGE, run };
}

export default createRigCommand();
