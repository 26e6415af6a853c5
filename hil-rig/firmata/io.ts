// The part of firmata-io's `Firmata` class (the IO plugin under johnny-five) the rig uses, typed (neither package
// ships type declarations).
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';

// Loaded on first use: johnny-five and firmata-io take about half a second to load, which every `osm` command that
// merely imports the rig (run, diff) would otherwise pay.
const require = createRequire(import.meta.url);
const lib = { five: null as unknown, firmata: null as unknown };
function five(): { Board: new (o: Record<string, unknown>) => unknown } {
  return (lib.five ??= require('johnny-five')) as { Board: new (o: Record<string, unknown>) => unknown };
}
function firmataIo(): unknown { return (lib.firmata ??= require('firmata-io')); }

export interface FirmataPin { supportedModes: number[]; analogChannel: number; mode?: number; value: number; report: number }

export interface Firmata extends EventEmitter {
  readonly pins: FirmataPin[];
  readonly analogPins: number[];
  readonly firmware: { name?: string; version?: { major: number; minor: number } };
  readonly version: { major?: number; minor?: number };
  readonly isReady: boolean;
  readonly transport: Duplex & { isOpen?: boolean; close?: (cb?: (err?: Error | null) => void) => void };
  readonly SERIAL_PORT_IDs: Record<string, number>;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: number, enqueue?: boolean): void;
  updateDigitalPort(pin: number, value: number): number;
  writeDigitalPort(port: number): void;
  reportDigitalPin(pin: number, value: 0 | 1): void;
  reportAnalogPin(channel: number, value: 0 | 1): void;
  setSamplingInterval(ms: number): void;
  serialConfig(options: { portId: number; baud: number }): void;
  serialWrite(portId: number, bytes: number[]): void;
  serialRead(portId: number, callback: (bytes: number[]) => void): void;
  serialStop(portId: number): void;
  i2cConfig(options: { delay: number }): void;
  i2cWrite(address: number, bytes: number[]): void;
  sysexCommand(message: number[]): void;
  reportVersion(cb: () => void): void;
  reset(): void;
}

/** firmata-io's constructor: `new Firmata(transport, options?)`. */
export function createFirmata(transport: Duplex, options: Record<string, unknown> = {}): Firmata {
  const mod = firmataIo();
  const Ctor = (mod as { Firmata?: unknown }).Firmata ?? mod;
  return new (Ctor as new (t: Duplex, o: Record<string, unknown>) => Firmata)(transport, { reportVersionTimeout: 1000, ...options });
}

export interface FiveBoard extends EventEmitter { readonly io: Firmata; readonly isReady: boolean }

/** A johnny-five Board over a Firmata instance, with no REPL, no debug output and no SIGINT handler of its own. */
export function createFiveBoard(io: Firmata): FiveBoard {
  return new (five().Board)({ io, repl: false, debug: false, sigint: false }) as FiveBoard;
}
