// `osm demo` (the terminal demo; `npm start` runs the browser dashboard, `osm serve`): its name, summary and help, light enough for `osm --help`; the twin and the
// screen (demo-run.ts) load when the command runs.
import { processIo, type CliIo, type Command } from '../command.ts';

export const DEMO_USAGE = `Usage: osm demo [options]        (the browser dashboard is osm serve, what npm start runs)

A live workshop demo: the field firmware in STS mode boots (about 23 s, as the real meter; keys typed before are
lost), then meters a load. The screen shows the LCD, the relay, the LEDs and buzzer, the grid and load, and the
firmware's own readings and credit, redrawn every simulated second. When the firmware is stuck in its blocking web
poll (the modem loop, minutes with no network), the screen says so: its readings and relay wait until it returns
(the keypad is read in the timer interrupt, so tokens still go in). The meter's clock starts at 08:00; at 23:00 (15
simulated hours in) the firmware posts to ThingsBoard, which it cannot reach here, and as shipped retries for ever
(defect D22): from then on it measures nothing and never switches the relay (it stays closed at credit 0 or with the
cover open), and the screen says so ('--profile fixed' gives up and carries on). The header says the mode the firmware really runs in ('--profile shipped' boots into 'No
Configuration', defect D1).

Keys (typed on the terminal, each acts at once):
  0-9 A B C D * #   the meter's keypad; a token is typed as * then its 20 digits (0-9, A-C) then #, e.g.
                    *12345678901234567890# (make one with 'osm sts generate')
                    (an A typed with no * first opens the firmware's parameter pages, which stay until A is pressed
                    past page 7; the screen says so and how to return)
  c                 open / close the terminal cover (tamper); the keypad's C is upper-case C
  l                 next load: none, 100 W lamp, 2 kW kettle, 1.1 kW fridge (PF 0.7), 60 A heater
  s                 toggle a 120 V sag
  + / -             faster / slower: 1x, 10x, 60x, 600x, max (the header shows the speed)
  q or Ctrl-C       quit

Keys from a pipe or a file (a workshop script: printf '*<20 digits>#q' | osm demo) are the same keys, acted on in
the order they come: the keypad keys wait until the firmware has booted (a real meter does not read its keypad
before its setup is complete) and are then typed one after another (120 ms held, 180 ms apart); c, l, s, +, - and
q act once the keys before them are typed, so a q at the end quits after the token went in. An input that ends without q
leaves the demo running until Ctrl-C or --duration, as a demo started with no input does.

To show in a workshop (the field firmware):
  a token           make one with 'osm sts generate --amount 500'; once booted, type * then its 20 digits then #
  tamper            c: the buzzer beeps at once; the relay opens at the firmware's next credit check, when its modem
                    loop returns (up to about 5 min), and closes the same way after c again
  credit running    --credit 201, then l twice (the 60 A heater): the credit falls about 14 an hour and the relay
  out               opens about 14 h 40 min in (about 90 s at --speed 600), before the 23:00 post freezes the loop

Options:
  --speed F         virtual time at F times wall time (default 1; 'max' runs flat out as fast as the machine can)
  --credit N        credit in the EEPROM at power-up (default 250: just above the 200 needed to close the relay)
  --profile P       firmware profile: shipped, field (default) or fixed
  --seed N          random seed (default 1)
  --duration D      stop after D of simulated time: seconds, or with a unit (90, 10min, 15h; default: run until
                    q / Ctrl-C)
  --help, -h        show this help`;

export function createDemoCommand(io: CliIo = processIo, input: NodeJS.ReadStream = process.stdin): Command {
  return {
    name: 'demo',
    summary: 'live workshop demo in the terminal: LCD, relay, LEDs, readings, keypad',
    usage: DEMO_USAGE,
    run: async (argv) => (await import('./demo-run.ts')).runDemoCommand(argv, io, input),
  };
}

export default createDemoCommand();
