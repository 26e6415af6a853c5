// `osm accuracy`: its name, summary and help, light enough for `osm --help`; the bench (accuracy-run.ts, with the chip
// and front-end models) is loaded when the command runs.
import { processIo, type Command, type CommandDeps } from '../command.ts';

export const ACCURACY_USAGE = `Usage: osm accuracy [options]

The IEC 62053-21 class-1 accuracy test of the meter on the twin's virtual test bench (phasor level; a test it cannot
model, the DC immunity test, runs at the waveform level), judged per the limits configured in the project
(scenarios/accuracy/limits.ts). The verdict and the yield are the hardware's (the chip's CF pulses); the firmware's
billing error is shown beside it as its own verdict, naming the defect behind it (D14, D47; docs/defects.md). For each point: voltage and current supplied and as
the firmware reads them, expected and read power, the error of the chip's CF pulses and of the firmware's own energy
accumulation, the limit and the verdict.

Options:
  --points seed|full    full (default): the class-1 error table over current x PF 1, 0.5L, 0.8C, starting current,
                        creep, voltage +-10 %, frequency +-2 %, harmonics and DC; seed: the rows of the original OSM
                        accuracy report (Imax, 60 A, 30 A, 5 A at PF 1 and 0.5L, 240 V)
  --set KEY=VALUE       what-if, repeatable: frontend.<section>.<name> (e.g. frontend.ct.ratio=2000,
                        frontend.ct.burdenOhms=30, frontend.divider.rTopOhms=680k), afe.<Register> (hex or decimal,
                        e.g. afe.IgainN=0x1000; CS1/CS2 recomputed unless set), firmware.ENERGY=<kWh at the start>
  --set REF=VALUE       a part by reference designator, repeatable (e.g. --set R12=150k --set C38=47n)
  --schematic FILE      the front end read from a KiCad schematic (osm frontend import): with the built-in board's
                        topology its parts' values become the board profile; any other topology (an added
                        capacitor, a changed chain) is solved as a circuit at every frequency the plant needs
  --netlist FILE        the front end from a netlist in the project's form (osm frontend import --save), solved as
                        a circuit; REF=VALUE settings apply to either
  --calibrate           run the application-note calibration (see osm calibrate) on the unit(s) before the suite
  --unit K --seed S     test unit K of seed S, drawn from the board's tolerances (default: the nominal board)
  --monte-carlo N       yield: draw N units from the tolerances and run the suite on each (with --seed S, default 1);
                        the report names the points that fail most, the worst units and the command that reruns one
  --workers N           worker threads for --monte-carlo (default: all cores)
  --judge J             what the verdict (and the yield) is judged on: chip (default: the hardware, the chip's CF
                        pulses; the firmware's billing error is shown beside it as its own verdict with the
                        defects that cause it, e.g. D14), firmware (its own energy), or both
  --firmware P          firmware whose accumulation is reproduced: field (default) or fixed
  --fix D14,D16         correct these defects of the firmware (D14 billing period, D15 float millis, D16 float32
                        ENERGY, D47 15 W threshold)
  --fidelity F          phasor (default: pin phasors, fast) or waveform (8 kHz samples through the sample-level
                        front end with CT saturation and the chip's ADC with clipping, quantisation and noise floor;
                        about 20 x slower)
  --meter-constant K    imp/kWh the CF pulses are counted against: implied (default: what the firmware's
                        PL_Constant and Ngain give on the nominal board) or a number (the product declares 1000)
  --json                print one JSON object { pass, points: [...] } on stdout (with --monte-carlo: points of the
                        nominal board or --unit, pass for every unit, and a monteCarlo section)
  --report FILE         write a self-contained HTML page with the charts (error versus current per PF)
  --board B             emulated or johnny-five: the ATM90E26 behind a Firmata rig board is the meter; the host
                        programs the unit's registers over the board's serial port and judges the chip's own
                        readings (APenergy, Urms, Irms2, PowerF2, Freq) against the reference. emulated: the bench's
                        phantom load feeds the chip behind the emulated board (the table agrees with osm accuracy);
                        johnny-five: a real board on --port, the operator sets a reference source per point and
                        presses Enter (docs/hil-rig.md)
  --port PATH           serial port of the rig board (--board johnny-five)
  --wiring FILE         wiring map of the rig (default hil-rig/wiring/mega2560.yaml)
  --window S            --board: shortest window of an error point, seconds (default 20; 2min works too)
  --min-pulses N        --board: CF pulses' worth of energy register counts an error point's window needs (default 10)
  --applied FILE        --board johnny-five: the values the source applied per point (YAML/JSON: points: { <point
                        name>: { volts, amps, pf, hz, watts } }) instead of the nominal ones
  --quiet, -q           no progress lines on stderr (by default a line at least every 2 s, terminal or not)
  --help, -h            show this help

Scale-out of --monte-carlo (docs/scale-out.md):
  --queue URL           split the draw into jobs on a Redis (redis://HOST:PORT, redis://:PASSWORD@HOST:PORT) for
                        'osm worker' processes on any number of machines; the yield report is byte for byte the
                        local one, whatever the number of workers and the order they finish in
  --chunk N             units per job (default 8)
  --job-timeout T       a job running longer than T (e.g. 90s, 10min) fails; its finished units stay in the yield,
                        the rest are missing, and the exit code is 3
  --stall-seconds S     a job whose worker died is given to another after about S s (default 30)

Exit codes: 0 every point passed (every unit, with --monte-carlo); 1 a point failed; 2 invalid input.`;

export type AccuracyDeps = CommandDeps;

export const ACCURACY_SUMMARY = 'IEC 62053-21 class-1 accuracy suite on the virtual bench: error table, what-ifs, yield (exit 0 pass, 1 fail, 2 invalid)';

export function createAccuracyCommand(deps: AccuracyDeps = {}): Command {
  return {
    name: 'accuracy',
    summary: ACCURACY_SUMMARY,
    usage: ACCURACY_USAGE,
    run: async (argv) => (await import('./accuracy-run.ts')).runAccuracy(argv, { io: processIo, ...deps }),
  };
}

export default createAccuracyCommand();
