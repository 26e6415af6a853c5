// Persistence of the firmware's variables in the AT24C32 (mem_operation.hpp; docs/firmware.md §7): loading and
// storing the activation variables, the boot timestamp and the reboot count, through `fw.mem` (eeprom.ts, which also
// holds the address map).
import { has } from '../profiles/profile.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { toUint32 } from './lib/arduino.ts';
import { cfloat } from './credit.ts';
import { eepromMap, MODE_SELECT_ADDRESS } from './eeprom.ts';
import type { SerialPrint } from './serial-print.ts';

/** `LoadActivationVariables()` (mem_operation.hpp:34-61). */
export function LoadActivationVariables(fw: FirmwareContext): void {
  const s = fw.state;
  const map = eepromMap(fw.cfg);
  s.TokenCount = fw.mem.readInt(map.TokenCount) & 0xffff;
  s.UsedTokens = fw.mem.readInt(map.UsedTokens) & 0xffff;
  switch (fw.mem.read(map.PAYGEnabled)) {
    case 0: s.PAYGEnabled = false; break;
    case 1: s.PAYGEnabled = true; break;
    default: break; // any other byte leaves PAYGEnabled unchanged
  }
  fw.mem.read(map.PAYGEnabled); // "Verify this syntax": a second read, result unused
  s.TokenEntryLockedUntil = fw.mem.readLong(map.TokenEntryLockedUntil);
  if (s.Mode_select === 2) s.creditt = cfloat(fw, fw.mem.readLong(s.credit_eeprom_location));
  else s.ActiveUntil = fw.mem.readLong(map.ActiveUntil);
  if (!fw.has('D30')) {
    // D30 fixed: erased cells are the factory state, not values. As shipped a virgin EEPROM loads TokenCount 65535
    // (every real token is then "old": -2, after a 65 600-step search), a lockout until 2106 and, in mode 3,
    // ActiveUntil 4294967295 (active for ever).
    if (s.TokenCount === 0xffff) {
      s.TokenCount = 1;
      s.UsedTokens = 0;
      s.PAYGEnabled = true;
    }
    if (s.TokenEntryLockedUntil === 0xffffffff) s.TokenEntryLockedUntil = 0;
    if (s.Mode_select !== 2 && s.ActiveUntil === 0xffffffff) s.ActiveUntil = 0;
  }
}

/** D1 fixed: the mode stored by the factory menu, or null when none is stored. */
export function loadModeSelect(fw: FirmwareContext): number | null {
  const m = fw.mem.read(MODE_SELECT_ADDRESS);
  return m >= 1 && m <= 3 ? m : null;
}

/** D1 fixed: the factory menu stores the mode it configured. */
export function storeModeSelect(fw: FirmwareContext, mode: number): void {
  fw.mem.write(MODE_SELECT_ADDRESS, mode & 0xff);
}

/** `StoreActivationVariables()` (mem_operation.hpp:63-84). */
export function StoreActivationVariables(fw: FirmwareContext): void {
  const s = fw.state;
  const map = eepromMap(fw.cfg);
  fw.mem.writeInt(map.TokenCount, s.TokenCount);
  fw.mem.writeInt(map.UsedTokens, s.UsedTokens);
  // `writeInt` writes 2 bytes (10-11) over credit bytes 1-2; D31 fixed writes the one byte that is read back.
  if (has(fw.cfg, 'D31')) fw.mem.writeInt(map.PAYGEnabled, s.PAYGEnabled ? 1 : 0);
  else fw.mem.write(map.PAYGEnabled, s.PAYGEnabled ? 1 : 0);
  fw.mem.writeLong(map.TokenEntryLockedUntil, s.TokenEntryLockedUntil);
  if (s.Mode_select === 2) fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
  else fw.mem.writeLong(map.ActiveUntil, s.ActiveUntil);
}

/** `storeTimeStampEEPROM(uint32_t)`: `writeInt` keeps the low 16 bits. */
export function storeTimeStampEEPROM(fw: FirmwareContext, timeStampInSeconds: number): void {
  fw.mem.writeInt(eepromMap(fw.cfg).lastTimeStamp, timeStampInSeconds >>> 0);
}

export function storeNbDisconnectionsEEPROM(fw: FirmwareContext): void {
  fw.mem.writeInt(eepromMap(fw.cfg).nbDisconnections, fw.state.nbDisconnections);
}

/** `incrementNbDisconnectionsEeprom()`: prints on `Serial` (the modem line, D39) and counts a reboot. */
export function incrementNbDisconnectionsEeprom(fw: FirmwareContext): void {
  printfPort(fw).println('Disconnection spotted!!');
  fw.state.nbDisconnections = fw.mem.readInt(eepromMap(fw.cfg).nbDisconnections) & 0xff; // uint8_t
  fw.state.nbDisconnections = (fw.state.nbDisconnections + 1) & 0xff;
  storeNbDisconnectionsEEPROM(fw);
}

/** `Serial` / `printf` output: the modem line as shipped (D39); the debug port when D39 is fixed. */
export function printfPort(fw: FirmwareContext): SerialPrint {
  return fw.has('D39') ? fw.Serial : fw.Serial2;
}
