// The meter under test: what a Bench drives and observes. `TwinMeter` (twin/) and `RigMeter` (hil-rig/) implement it.
import type { AfePinPhasors } from '../models/signals.ts';

/** Keys of the 4x4 keypad (docs/firmware.md §1.5). */
export type KeyName = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'A' | 'B' | 'C' | 'D' | '*' | '#';
export const KEY_NAMES: readonly KeyName[] = ['1', '2', '3', 'A', '4', '5', '6', 'B', '7', '8', '9', 'C', '*', '0', '#', 'D'];

/** Observables every meter under test provides. */
export const COMMON_OBSERVABLES = ['relay', 'led.red', 'led.green', 'buzzer', 'serial', 'telemetry'] as const;
/**
 * Observables only a meter whose firmware runs on the host can provide: the twin, and the firmware twin driving a
 * board (kind 'board'). A scenario asserting them is refused on a rig running the original firmware (kind 'rig').
 */
export const TWIN_ONLY_OBSERVABLES = ['lcd', 'lcd.line0', 'lcd.line1', 'credit', 'energy', 'voltage', 'current', 'power', 'pf', 'freq'] as const;

export interface MeterUnderTest {
  /**
   * 'twin': the simulated board; 'board': the firmware twin on the host driving a rig board (it knows its LCD text and
   * its variables); 'rig': the original firmware running on the meter, seen only through its pins and ports.
   */
  readonly kind: 'twin' | 'board' | 'rig';
  /** Apply mains power: the firmware boots. */
  powerOn(): void;
  /** Remove mains power at this instant (RAM lost, EEPROM writes in flight may tear, RTC keeps time on its battery). */
  powerCut(): void;
  readonly powered: boolean;
  /** Press a key now and release it after `holdMs` of virtual time. */
  pressKey(key: KeyName, holdMs: number): void;
  /** Terminal cover switch. */
  setCoverOpen(open: boolean): void;
  /** New analog input at the metering chip's pins (phasor level). */
  setPins(pins: AfePinPhasors): void;
  /** Current value of an observable, or undefined when this meter cannot observe it. */
  observe(name: string): unknown;
  /**
   * Hook: the relay contact moved (true: closed), called at the instant the contact completes its travel. The bench
   * uses it to connect or disconnect the loads, which are in series with the contact.
   */
  onRelayContact?: ((closed: boolean) => void) | undefined;
}
