// `osm calibrate`: its name, summary and help, light enough for `osm --help`; the calibration and the bench
// (calibrate-run.ts) load when the command runs.
import { processIo, type Command, type CommandDeps } from '../command.ts';

export const CALIBRATE_USAGE = `Usage: osm calibrate [options]

Calibrate one meter unit on the twin's virtual test bench with the ATM90E26 application-note procedure (Atmel
AN 46102B): PL_Constant for the meter constant, Ngain from the error at Ib PF 1, Nphi from the error at Ib PF 0.5L,
the start-up thresholds and CS1; Ugain at Un and IgainN at Ib to the firmware's scale (Urms = 100 x V, Irms2 = 50 x I),
the offsets at zero current and CS2. Then the accuracy suite runs on the unit before and after.

Options:
  --seed S --unit K     the unit: unit K (default 0) of seed S (default 1), drawn from the board's tolerances, the
                        same unit as 'osm accuracy --seed S --unit K'
  --nominal             calibrate the nominal board instead of a drawn unit
  --set KEY=VALUE       what-if, repeatable, as for osm accuracy (the PL_Constant is computed for this design)
  --points seed|full    the suite run before and after (default full)
  --judge J             verdict of that suite: chip (default: calibration adjusts the chip), firmware, or both
  --firmware P, --fix D, --meter-constant K, --fidelity phasor|waveform
                        as for osm accuracy
  --json                print one JSON object { pass, calibrated, unit, registers: { before, after }, plConstant,
                        measured, steps, warnings, reproduce, suite: { before, after } } (reproduce: the osm accuracy
                        command line)
  --quiet, -q           no progress lines on stderr (by default a line at least every 2 s, terminal or not)
  --help, -h            show this help

Exit codes: 0 the unit is calibrated: it passes the suite, or fails only the DC immunity point, a limit of the
CT's design that calibration cannot change (said on the last line; osm accuracy judges it FAIL); 1 a point
calibration should bring within the limits still fails; 2 invalid input.`;

export type CalibrateDeps = CommandDeps;

export function createCalibrateCommand(deps: CalibrateDeps = {}): Command {
  return {
    name: 'calibrate',
    summary: 'application-note calibration of a drawn unit on the virtual bench; prints the new registers and CS1/CS2',
    usage: CALIBRATE_USAGE,
    run: async (argv) => (await import('./calibrate-run.ts')).runCalibrate(argv, { io: processIo, ...deps }),
  };
}

export default createCalibrateCommand();
