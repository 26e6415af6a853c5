// The meter's parts wired to an emulated Firmata board's pins, as a wiring map says: the latching relay's coil
// drivers, the LEDs and buzzer, the keypad matrix (rows read through the board's pull-ups, columns driven by it),
// the cover divider on an analog pin (volts converted at the board's ADC reference), the HD44780 on six pins, the
// ATM90E26 on a hardware serial port, and the DS1307 and AT24C32 on I2C. Any part may be left off (null): its pins
// then float, as on a rig where that part is not fitted.
import type { HD44780 } from '../../models/lcd/hd44780.ts';
import type { KeypadMatrix, ColumnDrive } from '../../models/keypad/keypad-matrix.ts';
import type { LatchingRelay } from '../../models/relay/latching-relay.ts';
import type { Indicator } from '../../models/indicators/indicator.ts';
import type { CoverSwitch } from '../../models/indicators/cover-switch.ts';
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import type { DS1307 } from '../../models/rtc/ds1307.ts';
import type { AT24C32 } from '../../models/eeprom/at24c32.ts';
import type { FirmataBoard } from './firmata-board.ts';
import type { WiringMap } from '../wiring.ts';
import { Hd44780Pins } from './hd44780-pins.ts';

export interface RigParts {
  relay?: LatchingRelay | null;
  redLed?: Indicator | null;
  greenLed?: Indicator | null;
  buzzer?: Indicator | null;
  keypad?: KeypadMatrix | null;
  cover?: CoverSwitch | null;
  lcd?: HD44780 | null;
  afe?: ATM90E26 | null;
  rtc?: DS1307 | null;
  eeprom?: AT24C32 | null;
}

/** Wire `parts` to `board` by `map`. Returns the LCD's pin adapter (null without an LCD). */
export function wireMeterParts(board: FirmataBoard, map: WiringMap, parts: RigParts): { lcdPins: Hd44780Pins | null } {
  const pinOf = (sig: string): number => map.pins[sig]?.pin ?? -1;
  const relayA = pinOf('relaya');
  const relayB = pinOf('relayb');
  const rows = ['keypad_row1', 'keypad_row2', 'keypad_row3', 'keypad_row4'].map(pinOf);
  const cols = ['keypad_col1', 'keypad_col2', 'keypad_col3', 'keypad_col4'].map(pinOf);
  const lcdData = ['lcd_d4', 'lcd_d5', 'lcd_d6', 'lcd_d7'].map(pinOf);
  const lcdRs = pinOf('lcd_rs');
  const lcdEn = pinOf('lcd_en');
  const cover = pinOf('battery_input');
  const outs = new Map<number, (level: 0 | 1 | null) => void>();
  const boardTime = { now: () => board.now(), at: (t: number, fn: () => void) => board.time.at(Math.max(t, board.time.now()), fn) };
  const lcdPins = parts.lcd ? new Hd44780Pins(parts.lcd, () => boardTime) : null;
  if (parts.relay) {
    const r = parts.relay;
    const upd = (): void => r.drive(board.driven(relayA) === 1, board.driven(relayB) === 1);
    outs.set(relayA, upd);
    outs.set(relayB, upd);
  }
  const led = (pin: number, ind: Indicator | null | undefined): void => { if (ind && pin >= 0) outs.set(pin, (l) => ind.set(l === 1)); };
  led(pinOf('red_led'), parts.redLed);
  led(pinOf('green_led'), parts.greenLed);
  led(pinOf('buzzer'), parts.buzzer);
  if (lcdPins) {
    outs.set(lcdRs, (l) => lcdPins.rs(l ?? 0));
    lcdData.forEach((p, i) => outs.set(p, (l) => lcdPins.data(i as 0 | 1 | 2 | 3, l ?? 0)));
    outs.set(lcdEn, (l) => lcdPins.enable(l ?? 0));
  }
  if (parts.keypad) {
    // a column that changes what it drives changes the rows' levels: the board's next loop pass sees it
    for (const c of cols) outs.set(c, () => board.wake());
    const prev = parts.keypad.onChange;
    parts.keypad.onChange = (k, down) => { prev?.(k, down); board.wake(); };
  }
  if (parts.cover) {
    const prev = parts.cover.onChange;
    parts.cover.onChange = (open) => { prev?.(open); board.wake(); };
  }
  board.world = {
    drive: (pin, level) => outs.get(pin)?.(level),
    level: (pin) => {
      const r = rows.indexOf(pin);
      if (r >= 0 && parts.keypad) {
        const drive: ColumnDrive[] = cols.map((c) => board.driven(c));
        return parts.keypad.rowLevel(r, drive) === 0 ? 0 : undefined;
      }
      return undefined;
    },
    analog: (pin) => (pin === cover && parts.cover ? (parts.cover.pinVolts() / board.spec.adcVref) * 1023 : undefined),
  };
  if (parts.afe && map.afe) {
    board.connectSerial(map.afe.port, parts.afe.uart);
    parts.afe.attachHost(board.serialRx(map.afe.port));
  }
  if (parts.rtc) board.i2cDevices.push(parts.rtc);
  if (parts.eeprom) board.i2cDevices.push(parts.eeprom);
  return { lcdPins };
}
