// Wiring maps (`hil-rig/wiring/*.yaml`): which board pin carries which meter signal, in which Firmata pin mode, and
// which hardware serial port carries the AFE. A map is checked before any pin moves, against the board's capability
// report (the real board's, or the emulated board's own when no board is attached); every error names the file, the
// line and the pin.
import { InputFileError, readInputFile } from '../io/input-file.ts';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { boardSpec, type BoardSpec, type PinCapability } from './boards.ts';
import { PIN_MODE, type PinModeName } from './firmata/protocol.ts';
import type { PinName } from '../twin/board/board.ts';

export type PartName = 'afe' | 'lcd' | 'relay' | 'leds' | 'buzzer' | 'keypad' | 'cover' | 'rtc' | 'eeprom';
export const PART_NAMES: readonly PartName[] = ['afe', 'lcd', 'relay', 'leds', 'buzzer', 'keypad', 'cover', 'rtc', 'eeprom'];

/** The meter's pin signals (firmware names), the blue-pill pin each sits on, the part it belongs to, its mode. */
export const PIN_SIGNALS = {
  relaya: { meterPin: 'PB12', part: 'relay', modes: ['OUTPUT'] },
  relayb: { meterPin: 'PB4', part: 'relay', modes: ['OUTPUT'] },
  buzzer: { meterPin: 'PB5', part: 'buzzer', modes: ['OUTPUT'] },
  red_led: { meterPin: 'PA0', part: 'leds', modes: ['OUTPUT'] },
  green_led: { meterPin: 'PA4', part: 'leds', modes: ['OUTPUT'] },
  battery_input: { meterPin: 'PA1', part: 'cover', modes: ['ANALOG'] },
  keypad_row1: { meterPin: 'PB9', part: 'keypad', modes: ['PULLUP'] },
  keypad_row2: { meterPin: 'PB8', part: 'keypad', modes: ['PULLUP'] },
  keypad_row3: { meterPin: 'PB1', part: 'keypad', modes: ['PULLUP'] },
  keypad_row4: { meterPin: 'PB0', part: 'keypad', modes: ['PULLUP'] },
  keypad_col1: { meterPin: 'PA7', part: 'keypad', modes: ['OUTPUT'] },
  keypad_col2: { meterPin: 'PA6', part: 'keypad', modes: ['OUTPUT'] },
  keypad_col3: { meterPin: 'PA5', part: 'keypad', modes: ['OUTPUT'] },
  keypad_col4: { meterPin: 'PC13', part: 'keypad', modes: ['OUTPUT'] },
  lcd_rs: { meterPin: 'PB3', part: 'lcd', modes: ['OUTPUT'] },
  lcd_en: { meterPin: 'PA15', part: 'lcd', modes: ['OUTPUT'] },
  lcd_d4: { meterPin: 'PA8', part: 'lcd', modes: ['OUTPUT'] },
  lcd_d5: { meterPin: 'PB15', part: 'lcd', modes: ['OUTPUT'] },
  lcd_d6: { meterPin: 'PB14', part: 'lcd', modes: ['OUTPUT'] },
  lcd_d7: { meterPin: 'PB13', part: 'lcd', modes: ['OUTPUT'] },
} as const satisfies Record<string, { meterPin: PinName; part: PartName; modes: readonly PinModeName[] }>;
export type PinSignal = keyof typeof PIN_SIGNALS;
const SERIAL_SIGNALS = { afe: { meterPins: 'PB10/PB11 (USART3)', part: 'afe' } } as const;
const I2C_SIGNALS = { i2c: { meterPins: 'PB7/PB6 (I2C1 SDA/SCL)', parts: ['rtc', 'eeprom'] } } as const;

export interface WiredPin { signal: PinSignal; meterPin: PinName; part: PartName; pin: number; mode: PinModeName; line: number }
export interface WiredSerial { port: number; portName: string; rx: number; tx: number; baud: number; line: number }
export interface WiredI2c { sda: number; scl: number; line: number }

export interface WiringMap {
  file: string;
  board: BoardSpec['id'];
  title: string;
  hostBaud: number;
  pins: Record<string, WiredPin>;
  afe: WiredSerial | null;
  i2c: WiredI2c | null;
}

export class WiringError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'WiringError';
  }
}

/** The capability report of a board: per pin, its modes (mode -> resolution) and analog channel. */
export type Capabilities = readonly PinCapability[];

export const WIRING_DIR = join(dirname(fileURLToPath(import.meta.url)), 'wiring');

/** A wiring map's path as a report shows it: relative to `cwd` when it lies under it (the default maps from the project's root). */
export function shownWiringPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
export const DEFAULT_WIRING = join(WIRING_DIR, 'mega2560.yaml');

/** Load, parse and check a wiring map; `caps` is the board's capability report (default: the named board's own). */
export function loadWiring(file: string, caps?: Capabilities): WiringMap {
  let text: string;
  try { text = readInputFile(file, 1 << 20).toString('utf8'); } catch (e) {
    throw new WiringError(file, 0, `cannot read the wiring map (${e instanceof InputFileError ? e.reason : (e as Error).message})`);
  }
  return parseWiring(text, file, caps);
}

/** What every wiring map has, read and checked: the board, its capability report, the host link, the signals. */
export interface WiringHeader {
  spec: BoardSpec;
  capability: Capabilities;
  hostBaud: number;
  title: string;
  /** The `signals:` mapping (one item per signal). */
  signals: Pair & { value: YAMLMap };
  /** The 1-based line of a node or pair, for the messages. */
  lineOf(n: Node | Pair | null | undefined): number;
}

/**
 * Parse a wiring map's YAML and check its top level (keys board, title, hostBaud, signals); `signalsHint` says what
 * `signals:` maps, for the message when it is missing. Shared by the board maps and the original-firmware rig's.
 */
export function readWiringHeader(text: string, file: string, caps: Capabilities | undefined, signalsHint: string): WiringHeader {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const lineOf = (n: Node | Pair | null | undefined): number => {
    const r = (n as Node | null)?.range ?? ((n as Pair)?.key as Node | null)?.range;
    return r ? lc.linePos(r[0]).line : 1;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new WiringError(file, e.linePos?.[0].line ?? 1, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new WiringError(file, 1, 'a wiring map is a mapping with board, signals');
  const top = new Map<string, Pair>();
  for (const p of root.items) top.set(String((p.key as { value?: unknown })?.value ?? p.key), p as Pair);
  for (const [k, p] of top) {
    if (!['board', 'hostBaud', 'signals', 'title'].includes(k)) throw new WiringError(file, lineOf(p), `unknown key '${k}' (keys: board, title, hostBaud, signals)`);
  }
  const boardPair = top.get('board');
  if (!boardPair || !isScalar(boardPair.value)) throw new WiringError(file, 1, 'missing board: (mega2560 or bluepill)');
  let spec: BoardSpec;
  try { spec = boardSpec(String(boardPair.value.value)); } catch (e) { throw new WiringError(file, lineOf(boardPair), (e as Error).message); }
  const hostBaudPair = top.get('hostBaud');
  const hostBaud = hostBaudPair && isScalar(hostBaudPair.value) ? Number(hostBaudPair.value.value) : 57600;
  if (!(Number.isInteger(hostBaud) && hostBaud > 0)) throw new WiringError(file, lineOf(hostBaudPair), `hostBaud must be a positive whole number, got ${String((hostBaudPair?.value as { value?: unknown })?.value)}`);
  const sigPair = top.get('signals');
  if (!sigPair || !isMap(sigPair.value)) throw new WiringError(file, 1, `missing signals: (${signalsHint})`);
  const titlePair = top.get('title');
  return {
    spec, capability: caps ?? spec.pins, hostBaud, lineOf,
    title: titlePair && isScalar(titlePair.value) ? String(titlePair.value.value) : spec.title,
    signals: sigPair as Pair & { value: YAMLMap },
  };
}

export function parseWiring(text: string, file: string, caps?: Capabilities): WiringMap {
  const { spec, capability, hostBaud, title, signals: sigPair, lineOf } = readWiringHeader(text, file, caps, 'a mapping of meter signal -> board pin');

  const used = new Map<number, string>();
  const claim = (pin: number, signal: string, line: number, pinText: string): void => {
    const prev = used.get(pin);
    if (prev !== undefined) throw new WiringError(file, line, `pin ${pinText} is wired twice: to ${prev} and to ${signal}`);
    used.set(pin, signal);
  };
  const resolvePin = (v: unknown, signal: string, line: number): { pin: number; text: string } => {
    const text = String(v);
    const pin = spec.pinNames[text];
    if (pin === undefined) throw new WiringError(file, line, `${signal}: pin ${text} does not exist on ${spec.title}`);
    const cap = capability[pin];
    if (!cap || cap.modes.size === 0) throw new WiringError(file, line, `${signal}: pin ${text} is missing from the board's capability report`);
    return { pin, text };
  };

  const map: WiringMap = {
    file, board: spec.id, title,
    hostBaud, pins: {}, afe: null, i2c: null,
  };
  for (const item of sigPair.value.items) {
    const signal = String((item.key as { value?: unknown })?.value ?? item.key);
    const line = lineOf(item as Pair);
    const fields = new Map<string, unknown>();
    if (!isMap(item.value)) throw new WiringError(file, line, `${signal}: expected a mapping such as { pin: 22, mode: OUTPUT }`);
    for (const f of item.value.items) fields.set(String((f.key as { value?: unknown })?.value), (f.value as { value?: unknown })?.value);
    if (signal in PIN_SIGNALS) {
      const def = PIN_SIGNALS[signal as PinSignal];
      const { pin, text } = resolvePin(fields.get('pin'), signal, line);
      const modeText = String(fields.get('mode') ?? def.modes[0]);
      if (!(modeText in PIN_MODE) || modeText === 'IGNORE') throw new WiringError(file, line, `${signal} on pin ${text}: unknown Firmata mode '${modeText}' (modes: INPUT, PULLUP, OUTPUT, ANALOG, PWM)`);
      const mode = modeText as PinModeName;
      if (!(def.modes as readonly string[]).includes(mode)) throw new WiringError(file, line, `${signal} on pin ${text}: mode ${mode} does not fit the signal (needs ${def.modes.join(' or ')})`);
      if (!capability[pin].modes.has(PIN_MODE[mode])) throw new WiringError(file, line, `${signal}: pin ${text} does not support mode ${mode} (the board reports ${modesOf(capability[pin])})`);
      claim(pin, signal, line, text);
      map.pins[signal] = { signal: signal as PinSignal, meterPin: def.meterPin, part: def.part, pin, mode, line };
    } else if (signal in SERIAL_SIGNALS) {
      const portName = String(fields.get('serial') ?? '');
      const m = /^HW_SERIAL([1-3])$/.exec(portName);
      if (!m) throw new WiringError(file, line, `afe: serial must be HW_SERIAL1, HW_SERIAL2 or HW_SERIAL3, got '${portName}'`);
      const port = Number(m[1]);
      const rx = resolvePin(fields.get('rx'), 'afe rx', line);
      const tx = resolvePin(fields.get('tx'), 'afe tx', line);
      if (capability[rx.pin].modes.get(PIN_MODE.SERIAL) !== port * 2 || capability[tx.pin].modes.get(PIN_MODE.SERIAL) !== port * 2 + 1) {
        const hasPort = capability.some((c) => c.modes.get(PIN_MODE.SERIAL) === port * 2);
        if (!hasPort) throw new WiringError(file, line, `afe: the board has no serial port ${portName} (pin ${rx.text} RX, pin ${tx.text} TX)`);
        throw new WiringError(file, line, `afe: pins ${rx.text}/${tx.text} are not RX/TX of ${portName} in the board's capability report`);
      }
      const baud = Number(fields.get('baud') ?? 9600);
      if (!(Number.isInteger(baud) && baud > 0)) throw new WiringError(file, line, `afe: baud must be a positive whole number`);
      claim(rx.pin, 'afe rx', line, rx.text);
      claim(tx.pin, 'afe tx', line, tx.text);
      map.afe = { port, portName, rx: rx.pin, tx: tx.pin, baud, line };
    } else if (signal in I2C_SIGNALS) {
      const sda = resolvePin(fields.get('sda'), 'i2c sda', line);
      const scl = resolvePin(fields.get('scl'), 'i2c scl', line);
      for (const p of [sda, scl]) {
        if (!capability[p.pin].modes.has(PIN_MODE.I2C)) throw new WiringError(file, line, `i2c: pin ${p.text} does not support mode I2C (the board reports ${modesOf(capability[p.pin])})`);
      }
      claim(sda.pin, 'i2c sda', line, sda.text);
      claim(scl.pin, 'i2c scl', line, scl.text);
      map.i2c = { sda: sda.pin, scl: scl.pin, line };
    } else {
      throw new WiringError(file, line, `unknown signal '${signal}' (signals: ${[...Object.keys(PIN_SIGNALS), 'afe', 'i2c'].join(', ')})`);
    }
  }
  return map;
}

function modesOf(c: PinCapability): string {
  const names = [...c.modes.keys()].map((m) => Object.entries(PIN_MODE).find(([, v]) => v === m)?.[0] ?? String(m));
  return names.length ? names.join(', ') : 'no modes';
}

/** The parts a map can serve, and for each part the signals it lacks. */
export function missingSignals(map: WiringMap, parts: readonly PartName[]): Map<PartName, string[]> {
  const out = new Map<PartName, string[]>();
  for (const part of parts) {
    const miss: string[] = [];
    for (const [sig, def] of Object.entries(PIN_SIGNALS)) if (def.part === part && !map.pins[sig]) miss.push(sig);
    if (part === 'afe' && !map.afe) miss.push('afe (serial port)');
    if ((part === 'rtc' || part === 'eeprom') && !map.i2c) miss.push('i2c (sda, scl)');
    if (miss.length) out.set(part, miss);
  }
  return out;
}

/** The resolved map as plain JSON (for `osm board wiring --json`). */
export function wiringJson(map: WiringMap): Record<string, unknown> {
  return {
    file: map.file, board: map.board, title: map.title, hostBaud: map.hostBaud,
    signals: Object.values(map.pins).map((p) => ({ signal: p.signal, meterPin: p.meterPin, part: p.part, pin: p.pin, mode: p.mode })),
    afe: map.afe && { serial: map.afe.portName, rx: map.afe.rx, tx: map.afe.tx, baud: map.afe.baud, meterPins: SERIAL_SIGNALS.afe.meterPins },
    i2c: map.i2c && { sda: map.i2c.sda, scl: map.i2c.scl, meterPins: I2C_SIGNALS.i2c.meterPins, parts: I2C_SIGNALS.i2c.parts },
  };
}
