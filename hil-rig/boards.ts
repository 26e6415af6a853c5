// The boards a rig can use, as their Firmata firmware describes them in its capability and analog-mapping replies.
// These descriptions drive the emulated board (hil-rig/emulator) and let `osm board wiring` resolve a map without a
// board attached; on a real board the validation uses the board's own capability report instead.
//
// - Arduino Mega 2560 with StandardFirmataPlus 2.5: 70 pins. Pins 0/1 carry the host link (Serial) and report no
//   modes. Digital 2..53 and analog A0..A15 (54..69) do INPUT, OUTPUT, PULLUP; PWM on 2..13 and 44..46; A0..A15 do
//   ANALOG (10 bits); I2C on 20 (SDA) / 21 (SCL); hardware serial 1..3 on 19/18, 17/16, 15/14 (RX/TX).
// - STM32F103C8 "blue pill" with Firmata built on the STM32duino core: pin numbers are the core's (PB9 = 0 ..
//   PB11 = 31); PA0..PA7, PB0, PB1 are A0..A9; I2C1 on PB7 (SDA) / PB6 (SCL); the host link is USART1 (PA9/PA10),
//   so those two pins report no modes; USART2 (PA3/PA2) and USART3 (PB11/PB10) are HW_SERIAL2 and HW_SERIAL3.
import { PIN_MODE, serialPinRes } from './firmata/protocol.ts';

export interface PinCapability {
  /** Firmata mode number -> resolution (bits; for SERIAL the RX/TX code). */
  modes: Map<number, number>;
  /** Analog channel, or 127 when the pin has none. */
  analogChannel: number;
}

export interface BoardSpec {
  id: 'mega2560' | 'bluepill';
  title: string;
  firmwareName: string;
  firmwareVersion: { major: number; minor: number };
  pins: PinCapability[];
  /** Names the wiring maps may use for pins (`A1`, `PB12`) -> pin number. */
  pinNames: Record<string, number>;
  /** Hardware serial ports: id -> RX and TX pin. */
  serialPorts: Record<number, { rx: number; tx: number }>;
  i2c: { sda: number; scl: number } | null;
  /** ADC reference: full scale of a 10-bit reading, volts. */
  adcVref: number;
}

function pinsWith(n: number, f: (p: number) => [number, number][], analog: (p: number) => number): PinCapability[] {
  const out: PinCapability[] = [];
  for (let p = 0; p < n; p++) out.push({ modes: new Map(f(p)), analogChannel: analog(p) });
  return out;
}

function megaSpec(): BoardSpec {
  const serial: Record<number, { rx: number; tx: number }> = { 1: { rx: 19, tx: 18 }, 2: { rx: 17, tx: 16 }, 3: { rx: 15, tx: 14 } };
  const pwm = (p: number): boolean => (p >= 2 && p <= 13) || (p >= 44 && p <= 46);
  const pins = pinsWith(70, (p) => {
    if (p < 2) return [];
    const m: [number, number][] = [[PIN_MODE.INPUT, 1], [PIN_MODE.PULLUP, 1], [PIN_MODE.OUTPUT, 1]];
    if (p >= 54) m.push([PIN_MODE.ANALOG, 10]);
    if (pwm(p)) m.push([PIN_MODE.PWM, 8]);
    m.push([PIN_MODE.SERVO, 14]);
    if (p === 20 || p === 21) m.push([PIN_MODE.I2C, 1]);
    for (const [id, s] of Object.entries(serial)) {
      if (s.rx === p) m.push([PIN_MODE.SERIAL, serialPinRes(Number(id), false)]);
      if (s.tx === p) m.push([PIN_MODE.SERIAL, serialPinRes(Number(id), true)]);
    }
    return m;
  }, (p) => (p >= 54 ? p - 54 : 127));
  const pinNames: Record<string, number> = {};
  for (let p = 0; p < 70; p++) pinNames[String(p)] = p;
  for (let a = 0; a < 16; a++) pinNames[`A${a}`] = 54 + a;
  return {
    id: 'mega2560', title: 'Arduino Mega 2560 (StandardFirmataPlus 2.5)', firmwareName: 'StandardFirmataPlus.ino',
    firmwareVersion: { major: 2, minor: 5 }, pins, pinNames, serialPorts: serial, i2c: { sda: 20, scl: 21 }, adcVref: 5,
  };
}

/** STM32duino 1.9.0 PILL_F103XX pin numbers. */
export const BLUEPILL_PINS: Record<string, number> = {
  PB9: 0, PB8: 1, PB7: 2, PB6: 3, PB5: 4, PB4: 5, PB3: 6, PA15: 7, PA12: 8, PA11: 9, PA10: 10, PA9: 11, PA8: 12,
  PB15: 13, PB14: 14, PB13: 15, PB12: 16, PC13: 17, PC14: 18, PC15: 19, PA0: 20, PA1: 21, PA2: 22, PA3: 23, PA4: 24,
  PA5: 25, PA6: 26, PA7: 27, PB0: 28, PB1: 29, PB10: 30, PB11: 31,
};

function bluepillSpec(): BoardSpec {
  const serial: Record<number, { rx: number; tx: number }> = { 2: { rx: 23, tx: 22 }, 3: { rx: 31, tx: 30 } };
  const pwm = new Set([0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31]);
  const pins = pinsWith(32, (p) => {
    if (p === 10 || p === 11) return []; // PA10 / PA9: the Firmata host link (USART1)
    const m: [number, number][] = [[PIN_MODE.INPUT, 1], [PIN_MODE.PULLUP, 1], [PIN_MODE.OUTPUT, 1]];
    if (p >= 20 && p <= 29) m.push([PIN_MODE.ANALOG, 10]);
    if (pwm.has(p)) m.push([PIN_MODE.PWM, 8]);
    m.push([PIN_MODE.SERVO, 14]);
    if (p === 2 || p === 3) m.push([PIN_MODE.I2C, 1]);
    for (const [id, s] of Object.entries(serial)) {
      if (s.rx === p) m.push([PIN_MODE.SERIAL, serialPinRes(Number(id), false)]);
      if (s.tx === p) m.push([PIN_MODE.SERIAL, serialPinRes(Number(id), true)]);
    }
    return m;
  }, (p) => (p >= 20 && p <= 29 ? p - 20 : 127));
  const pinNames: Record<string, number> = { ...BLUEPILL_PINS };
  for (let p = 0; p < 32; p++) pinNames[String(p)] = p;
  return {
    id: 'bluepill', title: 'STM32F103C8 blue pill (Firmata on STM32duino)', firmwareName: 'StandardFirmataPlus.ino',
    firmwareVersion: { major: 2, minor: 5 }, pins, pinNames, serialPorts: serial, i2c: { sda: 2, scl: 3 }, adcVref: 3.3,
  };
}

export const BOARD_SPECS: Record<BoardSpec['id'], () => BoardSpec> = { mega2560: megaSpec, bluepill: bluepillSpec };

export function boardSpec(id: string): BoardSpec {
  const f = (BOARD_SPECS as Record<string, () => BoardSpec>)[id];
  if (!f) throw new RangeError(`unknown board '${id}' (boards: ${Object.keys(BOARD_SPECS).join(', ')})`);
  return f();
}
