// `osm demo` (what `npm start` runs): the meter live in the terminal for workshops. The twin boots, then its LCD,
// relay, LEDs, buzzer, readings and credit are redrawn every simulated second. On a terminal, keys drive the meter:
// 0-9 A-D * # are the keypad, c opens/closes the terminal cover, l cycles the load, s sags the grid, q quits.
import { performance } from 'node:perf_hooks';
import { createBench, type Bench } from '../../twin/kernel/bench.ts';
import { formatTime } from '../../twin/kernel/clock.ts';
import { resolveFirmware, PROFILE_NAMES, type ProfileName } from '../../twin/profiles/profile.ts';
import type { LoadSpec } from '../../twin/kernel/stimuli.ts';
import { KEY_NAMES, type KeyName } from '../../twin/meter.ts';
import { intOption, parseArgs } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';

const USAGE = `Usage: osm demo [options]        (npm start runs this with the defaults)

A live workshop demo: the field firmware in STS mode boots (about 20 s, as the real meter), then meters a load.
The screen shows the LCD, the relay, the LEDs and buzzer, the grid and load, and the firmware's own readings and
credit, redrawn every simulated second.

Keys (on a terminal):
  0-9 A B C D * #   the meter's keypad (e.g. * then a 20-digit token then #)
  c                 open / close the terminal cover (tamper); the keypad's C is upper-case C
  l                 next load: none, 100 W lamp, 2 kW kettle, 1.1 kW fridge (PF 0.7), 60 A heater
  s                 toggle a 120 V sag
  q or Ctrl-C       quit

Options:
  --speed F         virtual time at F times wall time (default 1; 'max' runs flat out)
  --credit N        credit in the EEPROM at power-up (default 250: just above the 200 needed to close the relay)
  --profile P       firmware profile: shipped, field (default) or fixed
  --seed N          random seed (default 1)
  --duration D      stop after D simulated seconds (default: run until q / Ctrl-C)
  --help, -h        show this help`;

const OPTIONS = {
  speed: { type: 'string' },
  credit: { type: 'string' },
  profile: { type: 'string' },
  seed: { type: 'string' },
  duration: { type: 'string' },
} as const;

const LOADS: { label: string; spec: LoadSpec | null }[] = [
  { label: 'no load', spec: null },
  { label: '100 W lamp', spec: { id: 'demo', kind: 'resistive', watts: 100 } },
  { label: '2 kW kettle', spec: { id: 'demo', kind: 'resistive', watts: 2000 } },
  { label: '1.1 kW fridge (PF 0.7)', spec: { id: 'demo', kind: 'motor', watts: 1100, pf: 0.7 } },
  { label: '60 A heater', spec: { id: 'demo', kind: 'resistive', amps: 60 } },
];

interface DemoArgs { speed: 'max' | number; credit: number; profile: ProfileName; seed: number; durationS?: number }

function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const { values, positionals } = parseArgs(argv, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  let speed: 'max' | number = 1;
  if (values.speed !== undefined) {
    const t = values.speed as string;
    if (t === 'max') speed = 'max';
    else {
      const v = Number(t);
      if (!/^\d*\.?\d+$/.test(t) || !(v > 0)) throw new UsageError(`--speed: expected max or a factor > 0, got '${t}'`);
      if (v < 0.01) throw new UsageError(`--speed: ${t} is too slow (at least 0.01: a simulated second in 100 s)`);
      speed = v;
    }
  }
  const profile = (values.profile ?? 'field') as ProfileName;
  if (!PROFILE_NAMES.includes(profile)) throw new UsageError(`--profile: expected one of ${PROFILE_NAMES.join(', ')}, got '${profile}'`);
  return {
    speed,
    credit: values.credit === undefined ? 250 : intOption('credit', values.credit as string, 0, 4294967295),
    profile,
    seed: values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967295),
    ...(values.duration !== undefined ? { durationS: intOption('duration', values.duration as string, 1, 365 * 86400) } : {}),
  };
}

export function createDemoCommand(io: CliIo = processIo, input: NodeJS.ReadStream = process.stdin): Command {
  return {
    name: 'demo',
    summary: 'live workshop demo in the terminal: LCD, relay, LEDs, readings, keypad (what npm start runs)',
    usage: USAGE,
    async run(argv) {
      const args = parseDemoArgs(argv);
      const bench = createBench({
        meter: { build: resolveFirmware({ profile: args.profile, mode: args.profile === 'shipped' ? undefined : 'sts' }), credit: args.credit, eeprom: 'virgin', clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 } },
        plant: { grid: { vrms: 240, hz: 50 }, loads: [] },
        seed: args.seed,
        speed: args.speed,
      });
      return runDemo(bench, args, io, input);
    },
  };
}

async function runDemo(bench: Bench, args: DemoArgs, io: CliIo, input: NodeJS.ReadStream): Promise<number> {
  const tty = io.stdout.isTTY === true;
  const log: string[] = [];
  bench.trace.subscribe((ev) => {
    if (ev.kind === 'serial' && (ev.data as { port?: string }).port === 'debug') {
      log.push(String((ev.data as { line?: string }).line ?? ''));
      if (log.length > 4) log.shift();
    }
  });
  let loadIdx = 0;
  let sag = false;
  let quit = false;
  let cover = false;
  const interactive = tty && input.isTTY === true && typeof input.setRawMode === 'function';
  const onKey = (buf: Buffer): void => {
    for (const ch of buf.toString('utf8')) {
      if (ch === '\u0003' || ch === 'q') { quit = true; return; }
      if (ch === 'c') {
        cover = !cover;
        bench.tamper(cover);
      } else if (ch === 'l') {
        loadIdx = (loadIdx + 1) % LOADS.length;
        const l = LOADS[loadIdx].spec;
        if (l) bench.setLoad(l); else bench.removeLoad('demo');
      } else if (ch === 's') {
        sag = !sag;
        bench.setGrid({ vrms: sag ? 120 : 240 });
      } else {
        // keypad: digits, * and #, and A B C D (lower case a b d too; lower-case c is the cover)
        const key = ch.toUpperCase();
        if ((KEY_NAMES as readonly string[]).includes(key)) bench.queueKeys([key as KeyName]);
      }
    }
  };
  if (interactive) {
    input.setRawMode(true);
    input.resume();
    input.on('data', onKey);
  }
  const onSigint = (): void => { quit = true; };
  process.on('SIGINT', onSigint);
  // Start with the kettle on, so the readings and the credit move from the first screen.
  loadIdx = 2;
  bench.setLoad(LOADS[2].spec!);
  try {
    await bench.start();
    let lastDraw = -Infinity;
    const end = args.durationS !== undefined ? args.durationS * 1e6 : Infinity;
    while (!quit && bench.now() < end) {
      await bench.runFor(Math.min(1_000_000, end - bench.now()));
      const w = performance.now();
      if (!tty || w - lastDraw >= 100 || bench.now() >= end) {
        lastDraw = w;
        io.stdout.write(tty ? render(bench, args, LOADS[loadIdx].label, log, interactive) : statusLine(bench));
      }
      if (args.speed === 'max') await new Promise((r) => setImmediate(r));
    }
  } finally {
    process.off('SIGINT', onSigint);
    if (interactive) { input.off('data', onKey); input.setRawMode(false); input.pause(); }
    await bench.close();
  }
  if (tty) io.stdout.write('\n');
  return EXIT.ok;
}

function num(v: unknown, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-';
}

function lcdRows(bench: Bench): [string, string] {
  const l0 = bench.observe('lcd.line0');
  const l1 = bench.observe('lcd.line1');
  return [String(l0 ?? '').padEnd(16).slice(0, 16), String(l1 ?? '').padEnd(16).slice(0, 16)];
}

function statusLine(bench: Bench): string {
  const [l0, l1] = lcdRows(bench);
  return `${formatTime(bench.now()).padStart(12)} | ${l0} | ${l1} | relay ${bench.observe('relay')} | red ${bench.observe('led.red')} green ${bench.observe('led.green')} | credit ${num(bench.observe('credit'), 2)}\n`;
}

function lamp(state: unknown, color: string): string {
  if (state === 'on') return `\x1b[${color}m●\x1b[0m`;
  if (state === 'blinking') return `\x1b[${color}m◐\x1b[0m`;
  return '○';
}

function render(bench: Bench, args: DemoArgs, load: string, log: string[], interactive: boolean): string {
  const [l0, l1] = lcdRows(bench);
  const t = bench.plant.truth();
  const relay = bench.observe('relay');
  const lines = [
    `\x1b[H\x1b[2J OpenSmartMeter Twin: ${args.profile} firmware, STS mode    t = ${formatTime(bench.now())}  (speed ${args.speed === 'max' ? 'max' : `x${args.speed}`})`,
    '',
    '   ┌────────────────┐',
    `   │\x1b[30;42m${l0}\x1b[0m│   relay  ${relay === 'closed' ? '\x1b[32mCLOSED\x1b[0m' : '\x1b[31mOPEN\x1b[0m'}`,
    `   │\x1b[30;42m${l1}\x1b[0m│   red ${lamp(bench.observe('led.red'), '31')}  green ${lamp(bench.observe('led.green'), '32')}  buzzer ${bench.observe('buzzer') === 'on' ? '♪' : '-'}`,
    '   └────────────────┘',
    '',
    ` plant     ${num(t.vrms, 1)} V  ${num(t.freqHz, 2)} Hz   ${load}: ${num(t.irms, 2)} A  ${num(t.watts, 0)} W  PF ${num(t.pf, 2)}`,
    ` firmware  V ${num(bench.observe('voltage'), 2)}  I ${num(bench.observe('current'), 2)} A  P ${num(bench.observe('power'), 1)} W  PF ${num(bench.observe('pf'), 2)}  f ${num(bench.observe('freq'), 2)} Hz`,
    ` credit    ${num(bench.observe('credit'), 2)}   energy ${num(bench.observe('energy'), 4)} kWh`,
    '',
    ' debug log (Serial2):',
    ...log.map((l) => `   ${l.slice(0, 100)}`),
    '',
    interactive ? ' keys: 0-9 A-D * # keypad · c cover · l load · s sag · q quit' : ' (not a terminal: keys disabled; Ctrl-C to stop)',
  ];
  return lines.join('\n') + '\n';
}

export default createDemoCommand();
