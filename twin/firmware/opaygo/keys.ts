// `GetKeyPressed()` (keypad.hpp:257-280; docs/firmware.md §6.2): one non-blocking `getKey()` turned into a digit.
//   `*` → -1, `#` → -2, any other character → char − '0': NO_KEY (NUL) → -48, A → 17, B → 18, C → 19, D → 20.
// D39: every call prints `incoming byte = ` + the character (a NUL byte when there is no key) + CR LF on `Serial`, the
// modem line at 9600 baud. The 19 bytes fill the 64-byte TX buffer after 3 polls; from then on each call blocks for
// about 19.8 ms. D39 fixed: a real key is logged on the debug port, a poll without a key prints nothing.
import type { FirmwareContext } from '../firmware-context.ts';
import { NO_KEY } from '../lib/arduino.ts';

export const STAR_KEY = -1;
export const HASH_KEY = -2;
/** `NO_KEY - '0'`: what a poll without a key adds to the token (D38). */
export const NO_KEY_DIGIT = -48;

export function GetKeyPressed(fw: FirmwareContext): number {
  const key = fw.customKeypad.getKey();
  const code = key === NO_KEY ? 0 : key.charCodeAt(0);
  if (fw.has('D39')) {
    const port = fw.Serial.port;
    port.write('incoming byte = ');
    port.write(code);
    port.write('\r\n');
  } else if (code !== 0) {
    fw.Serial2.println(`incoming byte = ${key}`);
  }
  if (key === '*') return STAR_KEY;
  if (key === '#') return HASH_KEY;
  return code - 48;
}

/** A key value that is a decimal digit. */
export function isDigit(k: number): boolean {
  return k >= 0 && k <= 9;
}
