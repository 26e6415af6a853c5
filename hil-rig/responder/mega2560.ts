// An Arduino Mega 2560 (ATmega2560 at 16 MHz) in the avr8js simulator, with what the AFE responder uses: timer 0
// (millis/micros), USART0 (the host link, USB) and USART1 (the meter link). avr8js ships the ATmega328P's peripheral
// layout; the 2560 keeps the same register addresses for these three but has its own interrupt vectors (avr-libc
// iomxx0_1.h: TIMER0_COMPA 21, TIMER0_COMPB 22, TIMER0_OVF 23, USART0_RX/UDRE/TX 25/26/27, USART1_RX/UDRE/TX 36/37/38;
// two words a vector) and USART1's registers at C8H..CEH.
//
// Time is the simulated CPU's: cycles at 16 MHz. Bytes come in on a USART as a receiver would see them, each whole
// at the end of its stop bit (`receiveAt`), and go out through `onTransmit(byte, cycle)` at the cycle the sketch puts
// them into the data register, which is the start of their start bit when the line is idle.
import { AVRTimer, AVRUSART, CPU, avrInstruction, timer0Config, usart0Config, type AVRTimerConfig } from 'avr8js';

type USARTConfig = typeof usart0Config;

export const MEGA2560_F_CPU = 16_000_000;
/** 256 KB of flash (words) and 8 KB of SRAM from 200H (RAMEND 21FFH). */
const FLASH_WORDS = 0x20000;
const SRAM_BYTES = 0x2200;

export const MEGA2560_TIMER0: AVRTimerConfig = { ...timer0Config, compAInterrupt: 0x2a, compBInterrupt: 0x2c, ovfInterrupt: 0x2e };
export const MEGA2560_USART0: USARTConfig = { ...usart0Config, rxCompleteInterrupt: 0x32, dataRegisterEmptyInterrupt: 0x34, txCompleteInterrupt: 0x36 };
export const MEGA2560_USART1: USARTConfig = {
  rxCompleteInterrupt: 0x48, dataRegisterEmptyInterrupt: 0x4a, txCompleteInterrupt: 0x4c,
  UCSRA: 0xc8, UCSRB: 0xc9, UCSRC: 0xca, UBRRL: 0xcc, UBRRH: 0xcd, UDR: 0xce,
};

export type UsartName = 'usart0' | 'usart1';

interface Pending { cycle: number; port: UsartName; byte: number }

export class Mega2560 {
  readonly cpu: CPU;
  readonly usart0: AVRUSART;
  readonly usart1: AVRUSART;
  readonly timer0: AVRTimer;
  /** A byte the sketch started to send, with the cycle it went into the data register. */
  onTransmit: ((port: UsartName, byte: number, cycle: number) => void) | undefined = undefined;
  #rx: Pending[] = [];

  constructor(image: Uint8Array) {
    if (image.length > FLASH_WORDS * 2) throw new RangeError(`image of ${image.length} bytes does not fit the 2560's 256 KB`);
    const flash = new Uint16Array(FLASH_WORDS);
    new Uint8Array(flash.buffer).set(image);
    this.cpu = new CPU(flash, SRAM_BYTES);
    this.timer0 = new AVRTimer(this.cpu, MEGA2560_TIMER0);
    this.usart0 = new AVRUSART(this.cpu, MEGA2560_USART0, MEGA2560_F_CPU);
    this.usart1 = new AVRUSART(this.cpu, MEGA2560_USART1, MEGA2560_F_CPU);
    this.usart0.onByteTransmit = (b) => this.onTransmit?.('usart0', b, this.cpu.cycles);
    this.usart1.onByteTransmit = (b) => this.onTransmit?.('usart1', b, this.cpu.cycles);
  }

  get cycles(): number { return this.cpu.cycles; }
  /** Simulated time in microseconds. */
  get us(): number { return this.cpu.cycles / (MEGA2560_F_CPU / 1e6); }

  /** Cycles one character takes on a USART at its programmed baud rate (10 bits: start, 8 data, stop). */
  charCycles(port: UsartName): number {
    const u = this[port];
    return Math.round((MEGA2560_F_CPU / u.baudRate) * (1 + u.bitsPerChar + u.stopBits + (u.parityEnabled ? 1 : 0)));
  }

  /** A byte arrives on `port`, complete at `cycle` (the end of its stop bit). */
  receiveAt(port: UsartName, byte: number, cycle: number): void {
    const p: Pending = { cycle, port, byte: byte & 0xff };
    let i = this.#rx.length;
    while (i > 0 && this.#rx[i - 1].cycle > cycle) i--;
    this.#rx.splice(i, 0, p);
  }

  /** Run until `cycle`, delivering the bytes due on the way. */
  runUntil(cycle: number): void {
    const cpu = this.cpu;
    while (cpu.cycles < cycle) {
      const next = this.#rx.length ? Math.min(this.#rx[0].cycle, cycle) : cycle;
      while (cpu.cycles < next) {
        avrInstruction(cpu);
        cpu.tick();
      }
      while (this.#rx.length && this.#rx[0].cycle <= cpu.cycles) {
        const p = this.#rx.shift()!;
        this[p.port].writeByte(p.byte, true);
      }
    }
  }

  runForUs(us: number): void { this.runUntil(this.cpu.cycles + Math.round(us * (MEGA2560_F_CPU / 1e6))); }
}
