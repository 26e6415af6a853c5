// Looking at and setting the I2C parts' memory from a test, as a programmer clipped onto the chip would: through the
// part's own bus interface (models/i2c.ts), so the part's rules hold (a page is programmed at the end of its write
// cycle, written time registers are applied at the STOP).
import type { I2cDevice } from '../../models/i2c.ts';
import type { AT24C32 } from '../../models/eeprom/at24c32.ts';

/**
 * Complete an EEPROM write cycle whose time is over (the part does so at its next START); refuses while a cycle is
 * still running, since the cells are then not yet programmed.
 */
export function settleEeprom(eeprom: AT24C32): void {
  if (!eeprom.present) return;
  if (!eeprom.start(false)) throw new Error('the EEPROM is still in its write cycle');
  eeprom.stop();
}

/** EEPROM cells as programmed. */
export function eepromCells(eeprom: AT24C32, addr: number, n: number): number[] {
  settleEeprom(eeprom);
  return [...eeprom.image.subarray(addr, addr + n)];
}

/** Change EEPROM cells behind the firmware's back (what a power cut or a programmer leaves). */
export function setEepromCells(eeprom: AT24C32, addr: number, bytes: ArrayLike<number>): void {
  settleEeprom(eeprom);
  eeprom.image.set(bytes, addr);
}

/** One write transfer to a register-addressed part (DS1307): the register pointer, then the bytes, then STOP. */
export function writeRegisters(device: I2cDevice, first: number, bytes: readonly number[]): void {
  if (!device.start(false)) throw new Error(`no ACK from the part at 0x${device.address.toString(16)}`);
  device.write(first);
  for (const b of bytes) device.write(b);
  device.stop();
}
