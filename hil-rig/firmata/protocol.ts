// Firmata protocol 2.5 as StandardFirmataPlus 2.5.x speaks it: message bytes, pin modes, sysex commands, and the
// 7-bit packing every sysex payload uses. Shared by the emulated board (hil-rig/emulator) and the rig checks.

export const DIGITAL_MESSAGE = 0x90; // 0x90 | port, LSB (pins 0-6), MSB (pin 7)
export const ANALOG_MESSAGE = 0xe0; // 0xE0 | channel, LSB, MSB (14-bit value)
export const REPORT_ANALOG = 0xc0; // 0xC0 | channel, 0/1
export const REPORT_DIGITAL = 0xd0; // 0xD0 | port, 0/1
export const SET_PIN_MODE = 0xf4; // pin, mode
export const SET_DIGITAL_PIN_VALUE = 0xf5; // pin, value
export const REPORT_VERSION = 0xf9; // major, minor
export const SYSTEM_RESET = 0xff;
export const START_SYSEX = 0xf0;
export const END_SYSEX = 0xf7;

// sysex commands
export const SERIAL_MESSAGE = 0x60;
export const ANALOG_MAPPING_QUERY = 0x69;
export const ANALOG_MAPPING_RESPONSE = 0x6a;
export const CAPABILITY_QUERY = 0x6b;
export const CAPABILITY_RESPONSE = 0x6c;
export const PIN_STATE_QUERY = 0x6d;
export const PIN_STATE_RESPONSE = 0x6e;
export const EXTENDED_ANALOG = 0x6f;
export const STRING_DATA = 0x71;
export const I2C_REQUEST = 0x76;
export const I2C_REPLY = 0x77;
export const I2C_CONFIG = 0x78;
export const REPORT_FIRMWARE = 0x79;
export const SAMPLING_INTERVAL = 0x7a;

// SERIAL_MESSAGE sub-commands (high nibble) and port ids (low nibble)
export const SERIAL_CONFIG = 0x10;
export const SERIAL_WRITE = 0x20;
export const SERIAL_READ = 0x30;
export const SERIAL_REPLY = 0x40;
export const SERIAL_CLOSE = 0x50;
export const SERIAL_FLUSH = 0x60;
export const SERIAL_LISTEN = 0x70;
export const HW_SERIAL = { HW_SERIAL0: 0, HW_SERIAL1: 1, HW_SERIAL2: 2, HW_SERIAL3: 3 } as const;
export type HwSerialName = keyof typeof HW_SERIAL;

// I2C_REQUEST read/write mode (bits 3-4 of the second address byte)
export const I2C_WRITE = 0b00;
export const I2C_READ = 0b01;
export const I2C_READ_CONTINUOUSLY = 0b10;
export const I2C_STOP_READING = 0b11;
/** The register field of an I2C reply when the request named none. */
export const I2C_REGISTER_NOT_SPECIFIED = -1;

/** Firmata pin modes (the numbers in SET_PIN_MODE and the capability report). */
export const PIN_MODE = {
  INPUT: 0x00,
  OUTPUT: 0x01,
  ANALOG: 0x02,
  PWM: 0x03,
  SERVO: 0x04,
  I2C: 0x06,
  SERIAL: 0x0a,
  PULLUP: 0x0b,
  IGNORE: 0x7f,
} as const;
export type PinModeName = Exclude<keyof typeof PIN_MODE, 'IGNORE'>;
export const PIN_MODE_NAMES: Record<number, PinModeName> = Object.fromEntries(
  Object.entries(PIN_MODE).filter(([k]) => k !== 'IGNORE').map(([k, v]) => [v, k]),
) as Record<number, PinModeName>;

/** Resolution codes of the SERIAL mode in the capability report: RX of port n is 2n, TX is 2n + 1. */
export function serialPinRes(port: number, tx: boolean): number { return port * 2 + (tx ? 1 : 0); }

/** The protocol version StandardFirmataPlus 2.5 reports. */
export const PROTOCOL_VERSION = { major: 2, minor: 5 } as const;

/** Split bytes into 7-bit pairs, LSB first (how sysex carries 8-bit data). */
export function encode7(bytes: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i] & 0x7f, (bytes[i] >> 7) & 0x7f);
  return out;
}

/** Join 7-bit LSB/MSB pairs back into bytes (an odd trailing byte is dropped, as Firmata does). */
export function decode7(data: ArrayLike<number>, start = 0, end = data.length): number[] {
  const out: number[] = [];
  for (let i = start; i + 1 < end; i += 2) out.push((data[i] & 0x7f) | ((data[i + 1] & 0x7f) << 7));
  return out;
}

/** A 14-bit value as two 7-bit bytes. */
export function lsbMsb(v: number): [number, number] { return [v & 0x7f, (v >> 7) & 0x7f]; }
