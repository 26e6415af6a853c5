// The wiring map of the rig for the ORIGINAL firmware (`hil-rig/wiring/original-mega2560.yaml`): which rig board pin
// carries which signal. Here the meter runs its own firmware, so the signals are the rig's, not the meter's pins: one
// output per key (the control of an analog switch across that key's row/column pair), the relay coil drive pins, LEDs
// and buzzer as inputs, the cover divider and the meter's supply switch as outputs. A map is checked before any pin
// moves, against the board's capability report (the real board's, or the board's own description without one); every
// error names the file and the line.
import { InputFileError, readInputFile } from '../../io/input-file.ts';
import { join } from 'node:path';
import { isMap, type Pair } from 'yaml';
import type { BoardSpec, PinCapability } from '../boards.ts';
import { PIN_MODE, type PinModeName } from '../firmata/protocol.ts';
import { WIRING_DIR, WiringError, readWiringHeader } from '../wiring.ts';
import type { KeyName } from '../../twin/meter.ts';
import type { PinName } from '../../twin/board/board.ts';

export const DEFAULT_ORIGINAL_WIRING = join(WIRING_DIR, 'original-mega2560.yaml');

/** Signal name of each key's output (`*` and `#` are not YAML-friendly names). */
export const KEY_SIGNALS: Record<KeyName, string> = {
  '1': 'key_1', '2': 'key_2', '3': 'key_3', A: 'key_A', '4': 'key_4', '5': 'key_5', '6': 'key_6', B: 'key_B',
  '7': 'key_7', '8': 'key_8', '9': 'key_9', C: 'key_C', '*': 'key_star', '0': 'key_0', '#': 'key_hash', D: 'key_D',
};

/** The inputs: which meter pin each reads (through the rig's buffer). */
export const INPUT_SIGNALS = {
  relay_coil_a: 'PB12', relay_coil_b: 'PB4', red_led: 'PA0', green_led: 'PA4', buzzer: 'PB5',
} as const satisfies Record<string, PinName>;
export type InputSignal = keyof typeof INPUT_SIGNALS;

export const OUTPUT_SIGNALS = ['cover', 'meter_power', ...Object.values(KEY_SIGNALS)] as const;

export interface OriginalWiredPin { signal: string; pin: number; mode: 'INPUT' | 'OUTPUT'; line: number }

export interface OriginalWiringMap {
  file: string;
  board: BoardSpec['id'];
  title: string;
  hostBaud: number;
  pins: Record<string, OriginalWiredPin>;
}

function signalMode(signal: string): 'INPUT' | 'OUTPUT' | null {
  if (signal in INPUT_SIGNALS) return 'INPUT';
  if ((OUTPUT_SIGNALS as readonly string[]).includes(signal)) return 'OUTPUT';
  return null;
}

export function loadOriginalWiring(file: string, caps?: readonly PinCapability[]): OriginalWiringMap {
  let text: string;
  try { text = readInputFile(file, 1 << 20).toString('utf8'); } catch (e) {
    throw new WiringError(file, 0, `cannot read the wiring map (${e instanceof InputFileError ? e.reason : (e as Error).message})`);
  }
  return parseOriginalWiring(text, file, caps);
}

/** Parse and check a map; `caps` is the board's capability report (default: the named board's own description). */
export function parseOriginalWiring(text: string, file: string, caps?: readonly PinCapability[]): OriginalWiringMap {
  const { spec, capability, hostBaud, title, signals: sigPair, lineOf } = readWiringHeader(text, file, caps, 'a mapping of rig signal -> board pin');
  const map: OriginalWiringMap = { file, board: spec.id, hostBaud, pins: {}, title };
  const used = new Map<number, string>();
  const known = [...Object.keys(INPUT_SIGNALS), ...OUTPUT_SIGNALS];
  for (const item of sigPair.value.items) {
    const signal = String((item.key as { value?: unknown })?.value ?? item.key);
    const line = lineOf(item as Pair);
    const want = signalMode(signal);
    if (!want) throw new WiringError(file, line, `unknown signal '${signal}' (signals: ${known.join(', ')})`);
    if (!isMap(item.value)) throw new WiringError(file, line, `${signal}: expected a mapping such as { pin: 22, mode: ${want} }`);
    const fields = new Map<string, unknown>();
    for (const f of item.value.items) fields.set(String((f.key as { value?: unknown })?.value), (f.value as { value?: unknown })?.value);
    const pinText = String(fields.get('pin'));
    const pin = spec.pinNames[pinText];
    if (pin === undefined) throw new WiringError(file, line, `${signal}: pin ${pinText} does not exist on ${spec.title}`);
    const cap = capability[pin];
    if (!cap || cap.modes.size === 0) throw new WiringError(file, line, `${signal}: pin ${pinText} is missing from the board's capability report`);
    const modeText = String(fields.get('mode') ?? want);
    if (modeText !== want) throw new WiringError(file, line, `${signal} on pin ${pinText}: mode ${modeText} does not fit the signal (needs ${want})`);
    if (!cap.modes.has(PIN_MODE[want as PinModeName])) throw new WiringError(file, line, `${signal}: pin ${pinText} does not support mode ${want}`);
    const prev = used.get(pin);
    if (prev !== undefined) throw new WiringError(file, line, `pin ${pinText} is wired twice: to ${prev} and to ${signal}`);
    used.set(pin, signal);
    map.pins[signal] = { signal, pin, mode: want, line };
  }
  const missing = known.filter((s) => !map.pins[s]);
  if (missing.length) throw new WiringError(file, lineOf(sigPair), `the rig needs every signal; missing: ${missing.join(', ')}`);
  return map;
}
