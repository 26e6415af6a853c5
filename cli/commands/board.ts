// `osm board check|wiring|emulate`: the HIL rig's own commands (hil-rig/).
import { parseArgs, intOption } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { DEFAULT_WIRING, loadWiring, wiringJson, WiringError, PIN_SIGNALS } from '../../hil-rig/wiring.ts';
import { BoardOptionError, openRig, parseBoardChoice } from '../../hil-rig/rig-bench.ts';
import { RigError } from '../../hil-rig/rig/connection.ts';
import { checkBoard } from '../../hil-rig/board-check.ts';
import { emulatedMeterParts } from '../../hil-rig/emulated-meter-parts.ts';
import { PtyEmulatorError, startPtyEmulator } from '../../hil-rig/pty-emulator.ts';

export const BOARD_USAGE = `Usage: osm board <check|wiring|emulate> [options]

The hardware-in-the-loop rig: a board running Firmata (StandardFirmataPlus 2.5) with the meter's parts wired to it.

  osm board wiring [--wiring FILE] [--json]
      Resolve and check a wiring map against its board's capability report; print the signal / meter pin / board pin
      / mode table (or JSON).
  osm board check [--board emulated|johnny-five] [--port PATH] [--wiring FILE] [--parts LIST] [--frames N] [--json]
      Connect, check the wiring against the board's own capability report, toggle each output, write on the LCD,
      read each input (cover, keypad rows, RTC, EEPROM), and measure the AFE round trip over the link (N register
      reads, default 100: median and 99th percentile against the firmware's 10 ms window). Default --board emulated.
  osm board emulate --link PATH [--wiring FILE] [--load W]
      Run the emulated board behind a pseudo-terminal at PATH (needs Debian socat), so 'osm board check --board
      johnny-five --port PATH' or any Firmata host reaches it through a real serial port. Its ATM90E26 sees 230 V
      with a resistive load of W watts (default 100). Ctrl-C stops it.

Options:
  --wiring FILE   wiring map (default hil-rig/wiring/mega2560.yaml; also hil-rig/wiring/bluepill.yaml)
  --parts LIST    parts on the rig, comma-separated: afe,lcd,relay,leds,buzzer,keypad,cover,rtc,eeprom (default all)
  --json          machine-readable output

Exit codes: 0 done (check: everything answered); 1 check found a problem; 2 bad input or no board / bad wiring.`;

const OPTIONS = {
  wiring: { type: 'string' }, json: { type: 'boolean' }, board: { type: 'string' }, port: { type: 'string' },
  parts: { type: 'string' }, frames: { type: 'string' }, link: { type: 'string' }, load: { type: 'string' },
} as const;

export function createBoardCommand(io: CliIo = processIo): Command {
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    const sub = positionals[0];
    if (!sub) throw new UsageError('missing the subcommand: check, wiring or emulate');
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const wiringFile = (values.wiring as string | undefined) ?? DEFAULT_WIRING;
    try {
      if (sub === 'wiring') return wiring(wiringFile, values.json === true);
      if (sub === 'check') {
        const frames = values.frames === undefined ? 100 : intOption('frames', values.frames as string, 1, 100000);
        return await check({ board: (values.board as string | undefined) ?? 'emulated', port: values.port as string | undefined, wiring: wiringFile, parts: values.parts as string | undefined }, frames, values.json === true);
      }
      if (sub === 'emulate') {
        if (!values.link) throw new UsageError('emulate needs --link PATH (where the pseudo-terminal appears)');
        const load = values.load === undefined ? 100 : Number(values.load);
        if (!(load >= 0 && load <= 20000)) throw new UsageError(`--load: expected watts 0..20000, got '${String(values.load)}'`);
        return await emulate(values.link as string, wiringFile, load);
      }
    } catch (e) {
      if (e instanceof WiringError || e instanceof RigError || e instanceof BoardOptionError || e instanceof PtyEmulatorError) throw new UsageError(e.message);
      throw e;
    }
    throw new UsageError(`unknown subcommand '${sub}' (check, wiring, emulate)`);
  }

  function wiring(file: string, json: boolean): number {
    const m = loadWiring(file);
    if (json) { io.stdout.write(`${JSON.stringify(wiringJson(m), null, 2)}\n`); return EXIT.ok; }
    const rows = Object.values(m.pins).map((p) => [p.signal, p.meterPin, p.part, String(p.pin), p.mode]);
    if (m.afe) rows.push(['afe', 'PB10/PB11', 'afe', `${m.afe.tx}/${m.afe.rx}`, `${m.afe.portName} ${m.afe.baud} baud`]);
    if (m.i2c) rows.push(['i2c', 'PB7/PB6', 'rtc, eeprom', `${m.i2c.sda}/${m.i2c.scl}`, 'I2C (SDA/SCL)']);
    const head = ['signal', 'meter pin', 'part', 'board pin', 'mode'];
    const wd = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(wd[i])).join('  ').trimEnd();
    io.stdout.write(`${m.title} (${m.file}), host link ${m.hostBaud} baud\n${fmt(head)}\n${fmt(wd.map((n) => '-'.repeat(n)))}\n${rows.map(fmt).join('\n')}\n`);
    void PIN_SIGNALS;
    return EXIT.ok;
  }

  async function check(v: { board: string; port?: string; wiring: string; parts?: string }, frames: number, json: boolean): Promise<number> {
    if (v.board === 'twin') throw new UsageError('check needs a rig board: --board emulated or johnny-five');
    const choice = parseBoardChoice(v)!;
    const rig = await openRig(choice);
    try {
      const parts = rig.emulator ? emulatedMeterParts(rig.emulator, rig.wiring, rig.time) : null;
      if (!json) io.stdout.write(`osm board check: ${rig.description}\n`);
      const report = await checkBoard(rig, { frames, parts, onLine: json ? undefined : (l) => io.stdout.write(`  ${l.ok ? '✓' : '✘'} ${l.item}: ${l.result}\n`) });
      if (json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.lines.every((l) => l.ok) ? EXIT.ok : EXIT.failed;
    } finally {
      await rig.close();
    }
  }

  async function emulate(link: string, file: string, loadWatts: number): Promise<number> {
    const emu = await startPtyEmulator(link, file, { loadWatts });
    io.stderr.write(`osm board emulate: ${emu.board.spec.title} on ${link} (${emu.wiring.hostBaud} baud; the AFE sees 230 V, ${loadWatts} W; Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await emu.stop();
    return EXIT.ok;
  }

  return { name: 'board', summary: 'the HIL rig: check a board, show a wiring map, run the emulated board on a pty', usage: BOARD_USAGE, run };
}

export default createBoardCommand();
