// The latching relay (relay.hpp; docs/firmware.md §1.3): PB12 (`relaya`) pulses the coil to ON, PB4 (`relayb`)
// to OFF, each for 200 ms, blocking the caller. `on_exec` / `off_exec` make repeated calls do nothing, so only the
// first call after a change pulses. The firmware never reads the contact.
import { HIGH, LOW, PINS } from '../board/board.ts';
import type { FirmwareContext } from './firmware-context.ts';

/** Coil pulse length, ms (relay.hpp:19, 31). */
export const RELAY_PULSE_MS = 200;

export async function relay_on(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  if (s.on_exec === 0) {
    fw.board.digitalWrite(PINS.relayA, HIGH);
    fw.board.digitalWrite(PINS.relayB, LOW);
    await fw.board.delay(RELAY_PULSE_MS);
    fw.board.digitalWrite(PINS.relayA, LOW);
    fw.board.digitalWrite(PINS.relayB, LOW);
    s.on_exec = 1;
    s.off_exec = 0;
  }
}

export async function relay_off(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  if (s.off_exec === 0) {
    fw.board.digitalWrite(PINS.relayA, LOW);
    fw.board.digitalWrite(PINS.relayB, HIGH);
    await fw.board.delay(RELAY_PULSE_MS);
    fw.board.digitalWrite(PINS.relayA, LOW);
    fw.board.digitalWrite(PINS.relayB, LOW);
    s.off_exec = 1;
    s.on_exec = 0;
  }
}
