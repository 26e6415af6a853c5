// The Board: everything the firmware twin may touch, at the level of the Arduino core (STM32duino 1.9.0), and
// nothing else. Libraries that the original firmware links (LiquidCrystal, Keypad, AT24CX, RTClib, TinyGSM) are
// part of the firmware twin (`twin/firmware/lib/`) and sit on top of this interface, as they sit on the core.
//
// Time: every call here is synchronous and charges the CPU time it takes to the running context (see cpu.ts);
// `delay()` is the only call that lets virtual time pass in the main context.

export type Level = 0 | 1;
export const LOW: Level = 0;
export const HIGH: Level = 1;

export type PinMode = 'INPUT' | 'INPUT_PULLUP' | 'OUTPUT' | 'ANALOG';

/** Pin names as on the blue pill silkscreen (docs/firmware.md §1.2). */
export type PinName =
  | 'PA0' | 'PA1' | 'PA2' | 'PA3' | 'PA4' | 'PA5' | 'PA6' | 'PA7' | 'PA8' | 'PA9' | 'PA10' | 'PA15'
  | 'PB0' | 'PB1' | 'PB3' | 'PB4' | 'PB5' | 'PB6' | 'PB7' | 'PB8' | 'PB9' | 'PB10' | 'PB11' | 'PB12'
  | 'PB13' | 'PB14' | 'PB15' | 'PC13';

/** The firmware's pin assignment (docs/firmware.md §1.2). */
export const PINS = {
  relayA: 'PB12',
  relayB: 'PB4',
  buzzer: 'PB5',
  redLed: 'PA0',
  greenLed: 'PA4',
  batteryInput: 'PA1',
  keypadRows: ['PB9', 'PB8', 'PB1', 'PB0'],
  keypadCols: ['PA7', 'PA6', 'PA5', 'PC13'],
} as const satisfies Record<string, PinName | readonly PinName[]>;

/** Arduino HardwareSerial as STM32duino 1.9.0 implements it: 64-byte RX and TX buffers. */
export interface SerialPort {
  begin(baud: number): void;
  end(): void;
  /** Queue bytes for transmission; blocks (charges CPU time) while the 64-byte TX buffer is full. Returns bytes written. */
  write(data: number | string | Uint8Array): number;
  /** Bytes waiting in the RX buffer. */
  available(): number;
  /** Next RX byte, or -1 when the buffer is empty. */
  read(): number;
  peek(): number;
  /** Wait (charging CPU time) until the TX buffer has drained onto the wire. */
  flush(): void;
  readonly baud: number;
}

/** Arduino Wire (I2C master). */
export interface I2cBus {
  beginTransmission(address: number): void;
  write(data: number | Uint8Array): number;
  /** 0 = success, 2 = NACK on address, 3 = NACK on data, 4 = other error. */
  endTransmission(sendStop?: boolean): number;
  /** Read `count` bytes from a device; returns the number received (0 when the address is NACKed). */
  requestFrom(address: number, count: number): number;
  available(): number;
  read(): number;
}

/** The HD44780's bus as LiquidCrystal drives it in 4-bit mode (RS selects command or data). */
export interface LcdBus {
  /** Send an instruction byte (RS = 0); charges the transfer and execution time. */
  command(value: number): void;
  /** Send a data byte (RS = 1) to DDRAM or CGRAM; charges the transfer and execution time. */
  write(value: number): void;
  /**
   * Run `draw`, a fixed sequence of instructions and writes identified by `key` (the scene and the texts it prints),
   * in display slot `slot`. A simulated bus may skip a redraw it can prove changes nothing (the same sequence from the
   * same controller state, which it left unchanged the last time), charging exactly the CPU time and leaving exactly
   * the controller state the real sequence would. A real bus just runs `draw`.
   */
  scene?(slot: number, key: string, draw: () => void): void;
}

export interface Board {
  // time (the Arduino core)
  millis(): number;
  micros(): number;
  delay(ms: number): Promise<void>;
  /**
   * Optional: `delay(ms)`, then `delay(again())` for as long as `again()` returns a number >= 0 (a polling wait;
   * `again` is synchronous, reads ports and millis() only, charges nothing). Event for event the same as that loop of
   * `delay` calls; a simulated board may run `again` without waking the calling task between the delays.
   */
  delayRepeat?(ms: number, again: () => number): Promise<void>;
  /**
   * Optional, the exact shortcut `sync-reads`: the firmware twin's byte-reading helpers may take a byte that is
   * already there without an async call around it (the same code at the same virtual time, fewer promise hops).
   */
  readonly syncReads?: boolean;
  /** `sync-reads`: one byte was taken that way (the shortcut's counter). */
  noteSyncRead?(): void;
  /** `delay()` inside the interrupt or in code shared with it: busy-waits without yielding. */
  delayBlocking(ms: number): void;
  delayMicroseconds(us: number): void;
  readonly inInterrupt: boolean;

  // GPIO and ADC
  pinMode(pin: PinName, mode: PinMode): void;
  digitalWrite(pin: PinName, level: Level): void;
  digitalRead(pin: PinName): Level;
  /**
   * Optional exact shortcut for a keypad matrix scan: true (with the scan's GPIO time charged) when a pin-by-pin scan
   * of these rows and columns would read every row HIGH and leave every pin as it was, unobserved; false otherwise,
   * and the caller scans pin by pin. A real board does not offer it.
   */
  scanQuiet?(rowPins: readonly PinName[], colPins: readonly PinName[]): boolean;
  /** 10-bit ADC reading (0..1023), the core's default resolution. */
  analogRead(pin: PinName): number;

  // peripherals
  readonly serial: { readonly afe: SerialPort; readonly modem: SerialPort; readonly debug: SerialPort };
  readonly wire: I2cBus;
  readonly lcd: LcdBus;

  /**
   * HardwareTimer on TIM1 with the given prescaler and overflow (ticks of the 72 MHz timer clock); the handler
   * runs in interrupt context. The timer starts when `resume()` is called, as in STM32duino.
   */
  createTimer(prescaler: number, overflow: number, handler: () => void): { resume(): void; pause(): void };
}
