// A full set of the meter's part models on an emulated board, for `osm board check` and `osm board emulate` (where
// no twin meter owns them): the relay, LEDs, buzzer, keypad, cover, LCD, DS1307, AT24C32 and an ATM90E26 whose pins
// see a plant at nominal mains (230 V 50 Hz, a 100 W lamp, or a resistive load of `loadWatts`).
import type { SimTime } from '../models/sim-time.ts';
import { HD44780 } from '../models/lcd/hd44780.ts';
import { KeypadMatrix } from '../models/keypad/keypad-matrix.ts';
import { LatchingRelay } from '../models/relay/latching-relay.ts';
import { Indicator } from '../models/indicators/indicator.ts';
import { CoverSwitch } from '../models/indicators/cover-switch.ts';
import { DS1307 } from '../models/rtc/ds1307.ts';
import { AT24C32 } from '../models/eeprom/at24c32.ts';
import { ATM90E26 } from '../models/afe/atm90e26.ts';
import { Plant } from '../models/plant.ts';
import { FrontEnd } from '../models/frontend/front-end.ts';
import { DEFAULT_BOARD_PROFILE } from '../models/board-profile.ts';
import { chipScaleFor } from '../models/afe/factory-calibration.ts';
import type { FirmataBoard } from './emulator/firmata-board.ts';
import type { WiringMap } from './wiring.ts';
import { wireMeterParts } from './emulator/meter-parts.ts';

export interface EmulatedMeterParts {
  relay: LatchingRelay; redLed: Indicator; greenLed: Indicator; buzzer: Indicator; keypad: KeypadMatrix;
  cover: CoverSwitch; lcd: HD44780; rtc: DS1307; eeprom: AT24C32; chip: ATM90E26; plant: Plant;
}

export function emulatedMeterParts(board: FirmataBoard, map: WiringMap, time: SimTime, opts: { loadWatts?: number } = {}): EmulatedMeterParts {
  const plant = new Plant({ grid: { vrms: 230, hz: 50, phaseDeg: 0, harmonics: [] } });
  plant.setLoad({ id: 'lamp', kind: 'resistive', watts: opts.loadWatts ?? 100, pf: 1 });
  const chip = new ATM90E26(time, chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)));
  chip.setPins(plant.pinPhasors());
  const rtc = new DS1307(time);
  rtc.setUnixTime(Date.UTC(2026, 0, 1) / 1000);
  const p: EmulatedMeterParts = {
    relay: new LatchingRelay(time), redLed: new Indicator(time, { name: 'red' }), greenLed: new Indicator(time, { name: 'green' }),
    buzzer: new Indicator(time, { name: 'buzzer' }), keypad: new KeypadMatrix(), cover: new CoverSwitch(), lcd: new HD44780(),
    rtc, eeprom: new AT24C32(time), chip, plant,
  };
  wireMeterParts(board, map, p);
  if (map.afe) {
    board.connectSerial(map.afe.port, chip.uart);
    chip.attachHost(board.serialRx(map.afe.port));
  }
  return p;
}
