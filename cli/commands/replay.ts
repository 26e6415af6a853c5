// `osm replay <debug.log>`: rebuild the supply and load a meter's debug log implies, run the twin through it, and
// report where the twin's log and credit part from the meter's (scenarios/replay.ts).
import { InterruptedError, watchInterrupts } from '../../io/interrupt.ts';
import { InputFileError } from '../../io/input-file.ts';
import { openLineInput, type LineInput } from '../../io/input-lines.ts';
import { parseDuration } from '../../twin/kernel/clock.ts';
import { BOOT_MODES, PROFILE_NAMES, ProfileError, resolveFirmware, type BootMode, type ProfileName } from '../../twin/profiles/profile.ts';
import { isDefectId } from '../../twin/profiles/defects.ts';
import { parseLocal } from '../../scenarios/loader.ts';
import { formatReplay, replayDebugLog } from '../../scenarios/replay.ts';
import { MAX_LINE_CHARS } from '../../scenarios/field-log.ts';
import { intOption, parseArgs } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { Progress } from '../progress.ts';
import { checkDistinctOutputs, checkOutputPath, isStandardOutput, openOutputStream, type OutputStream } from '../../io/output-file.ts';
import type { Readable } from 'node:stream';
import { statSync } from 'node:fs';

/** `path` names a FIFO (a path that cannot be looked at is left to the open, which says why). */
function isFifo(path: string): boolean {
  try { return statSync(path, { throwIfNoEntry: false })?.isFIFO() === true; } catch { return false; }
}

export const REPLAY_USAGE = `Usage: osm replay <debug.log | -> [options]

Replay a meter's debug-port log (Serial2) on the twin. The log needs a time stamp in front of every line, in seconds
since the capture started, as serial loggers write it: "[   12.345678] MAINS VOLTAGE : 230.00" (osm run
--debug-log writes the twin's own log this way). From the readings block the firmware prints after every main-loop
pass (POWER FACTOR ... CREDIT) the replay rebuilds the supply and the load, and from "Device Powered!" lines the
power cuts; it runs the twin through that timeline and compares every line: the first divergence, then a summary
(lines that agree, credit and energy). Lines the firmware cannot have printed (garbage), lines without a time stamp,
and silences longer than --gap are reported and skipped. The log is read as a stream, so its length does not matter:
"-" reads it from standard input (a pipe, a serial logger's output); the modem's answer is then taken from the lines
before the first readings block and the progress does not know the log's end.

Options:
  --credit N        credit in EEPROM at the start, 0..4294967295 (default: the first CREDIT value rounded up, less
                    the web top-ups the log shows before it; the report says what it took)
  --clock T         RTC time at the start, YYYY-MM-DDTHH:MM:SS (default 2026-01-01T00:00:00)
  --firmware P      profile: shipped, field or fixed (default field)
  --mode M          boot mode: sts, opaygo-energy, opaygo-time, none (default sts)
  --fix D19,D20     defects fixed on top of the profile
  --modem M         auto (default: connected when the log shows the modem answering ATI), connected, mute
  --tolerance T     how far a line's time may be off and still agree (default 500ms)
  --gap T           a silence longer than this is reported as a gap (default 10min)
  --twin-log FILE   write the twin's log over the same time, in the same format (-: on stdout as it is printed, the
                    report then on stderr)
  --seed N          seed of the twin's random sources (default 1)
  --help, -h        show this help

Exit codes: 0 the twin reproduces the log; 1 it diverges (the first divergence is printed); 2 invalid input.`;

const OPTIONS = {
  credit: { type: 'string' }, clock: { type: 'string' }, firmware: { type: 'string' }, mode: { type: 'string' },
  fix: { type: 'string' }, modem: { type: 'string' }, tolerance: { type: 'string' }, gap: { type: 'string' },
  'twin-log': { type: 'string' }, seed: { type: 'string' },
} as const;

function durationOption(name: string, text: string): number {
  const us = parseDuration(text);
  if (us === null || us <= 0) throw new UsageError(`--${name}: expected a duration with a unit (e.g. 500ms, 2s, 10min), got '${text}'`);
  return us / 1e6;
}

export function createReplayCommand(deps: { io?: CliIo; wallMs?: () => number; stdin?: Readable } = {}): Command {
  const io = deps.io ?? processIo;
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one log at a time' : 'missing the log: a file, or - to read it from standard input (osm replay <debug.log | ->)');
    const file = positionals[0];
    const stdin = deps.stdin ?? process.stdin;
    let input: LineInput;
    // The log is read line by line as the replay goes (io/input-lines.ts): a file of any length, a FIFO or `-`.
    // Opening a FIFO waits for a process to open it for writing: say what the silence is waiting for.
    if (file !== '-' && isFifo(file)) {
      io.stderr.write(`osm replay: waiting for a process to write the log into the FIFO ${file} (Ctrl-C to stop)\n`);
    }
    try { input = openLineInput(file, MAX_LINE_CHARS, stdin); } catch (err) {
      if (err instanceof InputFileError) throw new UsageError(err.message);
      throw err;
    }
    const profile = (values.firmware as string | undefined) ?? 'field';
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) throw new UsageError(`--firmware: expected one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`);
    const mode = (values.mode as string | undefined) ?? 'sts';
    if (!(BOOT_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: expected one of ${BOOT_MODES.join(', ')}, got '${mode}'`);
    const fix = values.fix ? (values.fix as string).split(',').map((x) => x.trim().toUpperCase()) : [];
    for (const d of fix) if (!isDefectId(d)) throw new UsageError(`--fix: '${d}' is not a defect (D1..D48)`);
    let build;
    try { build = resolveFirmware({ profile: profile as ProfileName, mode: mode as BootMode, fix: fix as never }); } catch (err) {
      if (err instanceof ProfileError) throw new UsageError(err.message);
      throw err;
    }
    const clockText = (values.clock as string | undefined) ?? '2026-01-01T00:00:00';
    const clock = parseLocal(clockText);
    if (!clock) throw new UsageError(`--clock: expected YYYY-MM-DDTHH:MM:SS (2000..2099), got '${clockText}'`);
    const modem = (values.modem as string | undefined) ?? 'auto';
    if (!['auto', 'connected', 'mute'].includes(modem)) throw new UsageError(`--modem: expected auto, connected or mute, got '${modem}'`);
    const tolerance = values.tolerance ? durationOption('tolerance', values.tolerance as string) : 0.5;
    const gap = values.gap ? durationOption('gap', values.gap as string) : 600;
    const seed = values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967295);
    const twinLog = values['twin-log'] as string | undefined;
    const twinLogOut = twinLog !== undefined ? checkOutputPath(twinLog, '--twin-log') : undefined;
    checkDistinctOutputs([twinLogOut], file === '-' ? [] : [{ path: file, what: 'the debug log' }]);
    const credit = values.credit !== undefined ? intOption('credit', values.credit as string, 0, 4294967295) : null;
    // `-` typed at a terminal, without a pipe: say what the silence is waiting for.
    if (file === '-' && (stdin as { isTTY?: boolean }).isTTY === true) {
      io.stderr.write('osm replay: reading the log from the terminal (paste it, then Ctrl-D; or pipe it: cat debug.log | osm replay -)\n');
    }
    let result;
    // Ctrl-C or SIGTERM: the replay stops within a simulated minute, nothing is written, one line says where.
    const interrupts = watchInterrupts();
    let reachedS = 0;
    // A month of log takes about a minute: a line rewritten on a terminal, a plain line every 10 s in a log.
    const progress = new Progress(io, { intervalMs: 10_000, ...(deps.wallMs ? { wallMs: deps.wallMs } : {}) });
    // The twin's log goes out as it is printed: a file appears whole at the end (or not at all), a stream as it comes.
    let twinOut: OutputStream | null = null;
    let pending: string[] = [];
    // A failed write (a full disk, a closed pipe) stops the replay at its next slice, not inside the simulation.
    let writeError: unknown = null;
    const flush = (): void => {
      if (pending.length === 0 || writeError !== null) return;
      try { twinOut!.write(pending.join('')); } catch (err) { writeError = err; }
      pending = [];
    };
    const checkWrite = (): void => { if (writeError !== null) throw writeError; };
    try {
      if (twinLogOut !== undefined) twinOut = openOutputStream(twinLogOut);
      result = await replayDebugLog({ rereadable: input.rereadable, lines: () => input.lines() }, {
        onSlice: (tS) => { reachedS = tS; interrupts.check(); checkWrite(); },
        meter: { build, credit: credit ?? 0, clock: { year: clock.year, month: clock.month, day: clock.day, hour: clock.hour, minute: clock.minute, second: clock.second } },
        // The field build bills nothing below 15 W (D47); otherwise any load bills before the first top-up.
        ...(credit === null ? { creditFromLog: { billsBeforeTopup: (w: number) => (build.defects.has('D47') ? w >= 15 : w > 0) } } : {}),
        ...(modem === 'auto' ? {} : { network: modem === 'connected' }),
        timeToleranceS: tolerance, gapS: gap, seed,
        ...(twinOut ? { onTwinLine: (line: string) => { if (pending.push(line + '\n') >= 1024) flush(); } } : {}),
        onProgress: (t, end) => progress.update(end === null
          ? `osm replay: ${(t / 3600).toFixed(1)} h of the log replayed`
          : `osm replay: ${(t / 3600).toFixed(1)} h of ${(end / 3600).toFixed(1)} h of the log replayed`),
      });
      if (twinOut) { flush(); checkWrite(); twinOut.commit(); }
      progress.done();
    } catch (err) {
      twinOut?.abort();
      progress.done();
      if (err instanceof RangeError) throw new UsageError(`${file}: ${err.message}`);
      if (err instanceof InputFileError) throw new UsageError(err.message);
      if (err instanceof InterruptedError) {
        throw new InterruptedError(err.signal, `at ${(reachedS / 3600).toFixed(2)} h of the log${twinLog !== undefined ? `; ${twinLog} not written` : ''}`);
      }
      throw err;
    } finally {
      interrupts.dispose();
    }
    const est = result.startCredit;
    const creditNote = est && est.first !== null
      ? `start credit ${est.credit} (from the first CREDIT line, ${est.first.toFixed(2)}${est.topups > 0 ? `, less the web top-ups of ${est.topups.toFixed(2)} before it` : ''}; --credit gives the meter's own)\n`
      : '';
    // With the twin's log on standard output (`--twin-log -`), the report goes to standard error.
    (isStandardOutput(twinLogOut) ? io.stderr : io.stdout).write(formatReplay(result, file) + creditNote);
    return result.firstDivergence ? EXIT.failed : EXIT.ok;
  }
  return { name: 'replay', summary: 'replay a meter\'s debug log on the twin and report where they part (exit 0 same, 1 diverged)', usage: REPLAY_USAGE, run };
}

export const replayCommand = createReplayCommand();
export default replayCommand;
