// What `osm demo` does when it runs (its name and help are in demo.ts): the meter live in the terminal for workshops.
// The twin boots, then its LCD, relay, LEDs, buzzer, readings and credit are redrawn every simulated second. Keys
// drive the meter (demo-keys.ts): 0-9 A-D * # are the keypad, c opens/closes the terminal cover, l cycles the load, s
// sags the grid, q quits; typed on a terminal they act at once, from a pipe in order once the meter can take them.
import { performance } from 'node:perf_hooks';
import { createBench, type Bench } from '../../twin/kernel/bench.ts';
import { formatTime, parseDuration } from '../../twin/kernel/clock.ts';
import { resolveFirmware, PROFILE_NAMES, type FirmwareConfig, type ProfileName } from '../../twin/profiles/profile.ts';
import type { LoadSpec } from '../../twin/kernel/stimuli.ts';
import type { KeyName } from '../../twin/meter.ts';
import { PipedKeys, SETUP_COMPLETE_LINE, demoKey, nextSpeed, type DemoKey } from './demo-keys.ts';
import { intOption, parseArgs } from '../args.ts';
import { EXIT, UsageError, colorOn, processIo, type CliIo } from '../command.ts';
import { InterruptedError, watchInterrupts } from '../../io/interrupt.ts';
import type { FirmwareState } from '../../twin/firmware/state.ts';
import type { TwinMeter } from '../../twin/twin-meter.ts';


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

interface DemoArgs { speed: 'max' | number; credit: number; profile: ProfileName; seed: number; durationUs?: number }

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
    ...(values.duration !== undefined ? { durationUs: durationOption(values.duration as string) } : {}),
  };
}

/** `--duration`: seconds (`90`, as it always took) or a time with a unit as in scenarios (`10min`, `15h`, `2d`). */
function durationOption(text: string): number {
  const us = /^\d+$/.test(text) ? Number(text) * 1e6 : parseDuration(text);
  if (us === null) throw new UsageError(`--duration: expected seconds or a time with a unit (90, 10min, 15h), got '${text}'`);
  if (us < 1e6 || us > 365 * 86400e6) throw new UsageError(`--duration: ${text} is out of range (1 s to 365 d)`);
  return us;
}

/** `osm demo ARGV`: build the bench and run the screen until q, Ctrl-C or --duration; resolves to the exit code. */
export async function runDemoCommand(argv: string[], io: CliIo = processIo, input: NodeJS.ReadStream = process.stdin): Promise<number> {
  const args = parseDemoArgs(argv);
  return runDemo(createDemoBench(args), args, io, input);
}

/** The RTC's time at the demo's first power-up: a morning, so the firmware's 23:00 post is 15 simulated hours away. */
const DEMO_CLOCK = { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 };

/** The demo's meter: the profile asked for (booting in STS mode unless shipped), its credit, the kettle's grid. */
export function createDemoBench(args: Pick<DemoArgs, 'profile' | 'credit' | 'seed'>, clock = DEMO_CLOCK): Bench {
  return createBench({
    meter: { build: resolveFirmware({ profile: args.profile, mode: args.profile === 'shipped' ? undefined : 'sts' }), credit: args.credit, eeprom: 'virgin', clock },
    plant: { grid: { vrms: 240, hz: 50 }, loads: [] },
    seed: args.seed,
    // The demo paces virtual time itself (see runDemo): the bench runs each step flat out.
    speed: 'max',
  });
}

async function runDemo(bench: Bench, args: DemoArgs, io: CliIo, input: NodeJS.ReadStream): Promise<number> {
  const tty = io.stdout.isTTY === true;
  // NO_COLOR: the screen keeps its layout (cursor home, clear) without its colours.
  const screen = colorOn(io.stdout) ? (text: string): string => text : (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');
  const log: string[] = [];
  // Keys from a pipe wait for the end of the firmware's setup (its keypad is not read before); a power cut starts over.
  let booted = false;
  bench.trace.subscribe((ev) => {
    if (ev.kind === 'serial' && (ev.data as { port?: string }).port === 'debug') {
      const line = String((ev.data as { line?: string }).line ?? '');
      if (line.trim() === SETUP_COMPLETE_LINE) booted = true;
      log.push(line);
      if (log.length > 4) log.shift();
    } else if (ev.kind === 'power' && (ev.data as { on?: boolean }).on === false) {
      booted = false;
    }
  });
  const hints = new KeypadHints();
  const post = new ThingsBoardPostWatch(firmwareConfig(bench)?.defects.has('D22') ?? false);
  let loadIdx = 0;
  // The speed now (+ and - change it; the header shows it), and the wall and virtual times the pacing counts from.
  const live: DemoArgs = { ...args };
  let w0 = performance.now();
  let v0 = 0;
  const setSpeed = (speed: 'max' | number): void => {
    if (speed === live.speed) return;
    live.speed = speed;
    w0 = performance.now();
    v0 = bench.now();
  };
  let sag = false;
  let quit = false;
  let cover = false;
  const press = (key: KeyName): number => {
    hints.typed(key, booted);
    return bench.queueKeys([key]);
  };
  const act = (k: DemoKey): void => {
    switch (k.kind) {
      case 'quit': quit = true; break;
      case 'cover': cover = !cover; bench.tamper(cover); break;
      case 'load': {
        loadIdx = (loadIdx + 1) % LOADS.length;
        const l = LOADS[loadIdx].spec;
        if (l) bench.setLoad(l); else bench.removeLoad('demo');
        break;
      }
      case 'sag': sag = !sag; bench.setGrid({ vrms: sag ? 120 : 240 }); break;
      case 'keypad': press(k.key); break;
      case 'faster': setSpeed(nextSpeed(live.speed, true)); break;
      case 'slower': setSpeed(nextSpeed(live.speed, false)); break;
    }
  };
  // A terminal is read raw and each key acts at once (a person types when the screen says the meter is ready); a
  // pipe or a file is read as it comes and its keys act in order once the meter can take them (demo-keys.ts).
  const terminal = input.isTTY === true && typeof input.setRawMode === 'function';
  const piped = terminal ? null : new PipedKeys();
  let inputEnded = false;
  const onKey = (buf: Buffer | string): void => {
    const text = buf.toString('utf8');
    if (piped) { piped.push(text); return; }
    for (const ch of text) {
      const k = demoKey(ch);
      if (k) act(k);
      if (quit) return;
    }
  };
  // The end of a piped input is not a quit: the keys are over, the meter runs on until q, Ctrl-C or --duration (a
  // demo started with no input, `< /dev/null` or in the background, runs as it always did).
  const onEnd = (): void => { inputEnded = true; };
  if (terminal) input.setRawMode(true);
  input.on('data', onKey);
  input.on('end', onEnd);
  input.resume();
  const keysText = (): string => {
    if (terminal) return ' keys: 0-9 A-D * # keypad (a token: * then 20 digits then #) · c cover · l load · s sag · +/- speed · q quit';
    const waiting = piped!.pending;
    if (waiting > 0) return ` keys from the input: ${waiting} waiting (typed in order once the firmware has booted; q in them quits) · Ctrl-C to stop`;
    return inputEnded ? ' input ended, no q in it: the meter runs on; Ctrl-C to stop' : ' keys from the input (not a terminal): q in them quits · Ctrl-C to stop';
  };
  // SIGINT (Ctrl-C when the keys are not read raw) or SIGTERM: stop at the next frame, say so, exit 130 / 143.
  const interrupts = watchInterrupts(() => { quit = true; });
  // Start with the kettle on, so the readings and the credit move from the first screen.
  loadIdx = 2;
  bench.setLoad(LOADS[2].spec!);
  try {
    await bench.start();
    piped?.drain(bench.now(), booted, press, act);
    let lastDraw = -Infinity;
    const end = args.durationUs ?? Infinity;
    // Pacing: virtual time may run ahead to (wall time since the start) x speed. Steps of one simulated second run
    // back to back while behind that line and the loop sleeps only when ahead of it, so the speed scales as far as
    // the machine can simulate (a fixed timer per frame would cap it at about 40x).
    w0 = performance.now();
    v0 = bench.now();
    let lastYield = w0;
    while (!quit && bench.now() < end) {
      const step = Math.min(1_000_000, end - bench.now());
      const speed = live.speed;
      if (speed !== 'max') {
        const allowed = v0 + (performance.now() - w0) * 1000 * speed;
        const ahead = bench.now() + step - allowed;
        if (ahead > 0) {
          await sleep(Math.min(50, Math.max(1, ahead / 1000 / speed)));
          continue;
        }
      }
      await bench.runFor(step);
      post.update(firmwareState(bench), bench.now() / 1000);
      piped?.drain(bench.now(), booted, press, act);
      const w = performance.now();
      if (!tty || w - lastDraw >= 100 || bench.now() >= end || quit) {
        lastDraw = w;
        io.stdout.write(tty ? screen(render(bench, live, LOADS[loadIdx].label, log, keysText(), hints, post, booted)) : statusLine(bench, hints, post, booted));
      }
      // Let keys and Ctrl-C in while running flat out.
      // A pipe still open is read every step: a script's keys, all there at the start, then reach the queue within
      // a few simulated seconds, long before the boot ends, whatever the speed.
      if (w - lastYield >= 50 || (piped && !inputEnded)) { lastYield = w; await new Promise((r) => setImmediate(r)); }
    }
  } finally {
    interrupts.dispose();
    input.off('data', onKey);
    input.off('end', onEnd);
    if (terminal) input.setRawMode(false);
    input.pause();
    await bench.close();
  }
  if (tty) io.stdout.write('\n');
  if (interrupts.signal) throw new InterruptedError(interrupts.signal, `at t=${formatTime(bench.now())}`);
  return EXIT.ok;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The firmware state of the twin, when the bench's meter is the twin and powered. */
function firmwareState(bench: Bench): Readonly<FirmwareState> | null {
  const fw = (bench.meter as Partial<TwinMeter>).firmware;
  return fw ? fw.state : null;
}

/** The build of the twin's firmware (its profile and defects), when the bench's meter is the twin. */
function firmwareConfig(bench: Bench): FirmwareConfig | null {
  return (bench.meter as Partial<TwinMeter>).config?.firmware ?? null;
}

/** The mode the firmware really runs in, from its `Mode_select`. */
export function modeText(state: Readonly<FirmwareState> | null): string {
  switch (state?.Mode_select) {
    case 0: return 'no mode set: No Configuration (defect D1), metering nothing';
    case 1: return 'STS mode';
    case 2: case 3: return 'OpenPAYGO mode';
    default: return 'unpowered';
  }
}

/** "12s", "1m12s", "2h05m": how long the firmware has been blocked. */
function elapsedText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** "firmware busy in the modem loop since 1m12s" while the main loop is blocked in the web poll, else null. */
export function modemBusyText(state: Readonly<FirmwareState> | null, nowMs: number): string | null {
  if (!state || state.modemBusySinceMs < 0) return null;
  // the keypad and tokens are the timer interrupt's (field and fixed builds), so they go on; the loop's work waits
  return `firmware busy in the modem loop since ${elapsedText(nowMs - state.modemBusySinceMs)}: readings and relay wait until it returns (no network); tokens still go in`;
}

/**
 * The firmware's daily ThingsBoard post (get_time() on the first loop pass in hour 23), as the demo sees it: the demo
 * has no network, so the post cannot reach a broker, and as shipped reconnect() retries for ever (D22): the main loop
 * never returns, so nothing is measured and the relay is never switched again (at credit 0, or with the cover open,
 * it stays closed), while the timer interrupt goes on billing the last power and taking tokens. Without this the
 * screen would show a meter that has silently stopped. The firmware keeps no time for this, so the demo notes when it
 * first sees it.
 */
export class ThingsBoardPostWatch {
  #sinceMs = -1;

  /** `retriesForEver`: the build has D22 (the shipped and field profiles); a build with it fixed gives up. */
  constructor(readonly retriesForEver: boolean) {}

  /** Look at the firmware after a step of the demo, at virtual time `nowMs`. */
  update(state: Readonly<FirmwareState> | null, nowMs: number): void {
    // get_time() sets hours, then posts while thingsboard_check is 0, and sets it to 1 only when the post returns
    const posting = state !== null && state.Mode_select === 1 && state.hours === 23 && state.thingsboard_check === 0;
    if (!posting) this.#sinceMs = -1;
    else if (this.#sinceMs < 0) this.#sinceMs = nowMs;
  }

  text(nowMs: number): string | null {
    if (this.#sinceMs < 0) return null;
    const why = this.retriesForEver
      ? 'with no network it retries for ever (defect D22; --profile fixed gives up): readings and relay are frozen, even at credit 0; tokens still go in'
      : 'readings and relay wait until it gives up (no network); tokens still go in';
    return `firmware busy in its daily ThingsBoard post since ${elapsedText(nowMs - this.#sinceMs)}: ${why}`;
  }
}

/** Why the firmware's main loop does not answer now, if it is blocked: the web poll or the daily post. */
function blockedText(bench: Bench, post: ThingsBoardPostWatch): string | null {
  const nowMs = bench.now() / 1000;
  return modemBusyText(firmwareState(bench), nowMs) ?? post.text(nowMs);
}

/** The firmware's `A` pages (parameters_display), by number: what each shows. */
const PAGE_NAMES = ['', 'meter number', 'date/time', 'battery level', 'tariff', 'fault event', 'last month billing date', 'last month kWh'];

/**
 * Why the keypad seems not to answer, from the firmware's own state: the `A` key outside a token entry (a token typed
 * without `*` first carries an A) opens the firmware's parameter pages, which never time out and are drawn over
 * everything else, token entry included (the original firmware does this: its keypad UI, not a twin defect); and
 * digits typed with no `*` first are ignored. `digitsWithoutStar`: the user typed digits while no entry was open.
 */
/**
 * The keys typed in the demo, as far as the hints need them: digits since the last `*` with no entry open, and keys
 * typed while the firmware was still booting (its keypad is read only once its setup is complete, so they are lost
 * without a sign on the LCD).
 */
export class KeypadHints {
  #digitsWithoutStar = false;
  #entryOpen = false;
  #typedInBoot = false;

  /** `booted`: the firmware has finished its setup (a key before that never reaches it). */
  typed(key: KeyName, booted = true): void {
    if (!booted) { this.#typedInBoot = true; return; }
    if (key === '*') { this.#entryOpen = true; this.#digitsWithoutStar = false; } else if (key === 'D') this.#entryOpen = false;
    else if (/^[0-9BC]$/.test(key) && !this.#entryOpen) this.#digitsWithoutStar = true;
  }

  text(state: Readonly<FirmwareState> | null, booted = true): string | null {
    if (booted) this.#typedInBoot = false;
    else if (this.#typedInBoot) return 'keys typed while the firmware boots are lost: it reads its keypad once its setup is complete (about 23 s after power-up)';
    return keypadHint(state, this.#digitsWithoutStar);
  }
}

export function keypadHint(state: Readonly<FirmwareState> | null, digitsWithoutStar: boolean): string | null {
  if (!state) return null;
  const page = state.parameters;
  if (page >= 1 && page <= 7) {
    const presses = 8 - page;
    const back = `${state.sts_mode === 1 ? 'press D (ends the entry), then ' : 'press '}A ${presses} time${presses === 1 ? '' : 's'}`;
    return `LCD on the firmware's parameter page ${page} of 7 (${PAGE_NAMES[page]}): an A typed outside a token entry `
      + `(no * first) opens these pages; they never time out and hide token entry. To return: ${back}`;
  }
  if (digitsWithoutStar && state.sts_mode === 0) return 'keys typed without * first are ignored by the firmware: a token is * then its 20 digits then #';
  return null;
}

function num(v: unknown, digits: number): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-';
}

function lcdRows(bench: Bench): [string, string] {
  const l0 = bench.observe('lcd.line0');
  const l1 = bench.observe('lcd.line1');
  return [String(l0 ?? '').padEnd(16).slice(0, 16), String(l1 ?? '').padEnd(16).slice(0, 16)];
}

function statusLine(bench: Bench, hints: KeypadHints, post: ThingsBoardPostWatch, booted: boolean): string {
  const [l0, l1] = lcdRows(bench);
  const busy = blockedText(bench, post);
  const key = hints.text(firmwareState(bench), booted);
  return `${formatTime(bench.now()).padStart(12)} | ${l0} | ${l1} | relay ${bench.observe('relay')} | red ${bench.observe('led.red')} green ${bench.observe('led.green')} | credit ${num(bench.observe('credit'), 2)}${busy ? ` | ${busy.slice(0, busy.indexOf(':'))}` : ''}${key ? ` | ${key}` : ''}\n`;
}

function lamp(state: unknown, color: string): string {
  if (state === 'on') return `\x1b[${color}m●\x1b[0m`;
  if (state === 'blinking') return `\x1b[${color}m◐\x1b[0m`;
  return '○';
}

function render(bench: Bench, args: DemoArgs, load: string, log: string[], keys: string, hints: KeypadHints, post: ThingsBoardPostWatch, booted: boolean): string {
  const [l0, l1] = lcdRows(bench);
  const t = bench.plant.truth();
  const relay = bench.observe('relay');
  const state = firmwareState(bench);
  const busy = blockedText(bench, post);
  const key = hints.text(state, booted);
  const lines = [
    `\x1b[H\x1b[2J OpenSmartMeter Twin: ${args.profile} firmware, ${modeText(state)}    t = ${formatTime(bench.now())}  (speed ${args.speed === 'max' ? 'max' : `x${args.speed}`})`,
    busy ? ` \x1b[33m${busy}\x1b[0m` : '',
    key ? ` \x1b[33m${key}\x1b[0m` : '',
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
    keys,
  ];
  return lines.join('\n') + '\n';
}
