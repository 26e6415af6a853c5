// `setup()` (main.cpp:52-209; docs/firmware.md §2): the boot sequence with its screens, delays, debug strings,
// modem, RTC, AFE and EEPROM traffic, then the `Mode_select` branch. Roughly 20 s with or without a modem, and for
// ever without an RTC (D28).
import { HIGH, LOW, PINS } from '../board/board.ts';
import { cfloat } from './credit.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { urgeent, warningTimeout } from './isr.ts';
import { STS_keypad } from './keypad-ui.ts';
import { toUint32 } from './lib/arduino.ts';
import { formatInt } from './lib/print.ts';
import { relay_off, relay_on } from './relay.ts';
import { serviceMeterDuringModemWait } from './remote.ts';
import { LoadActivationVariables, loadModeSelect, printfPort } from './storage.ts';
import { initializeTime, startHaltedRtc } from './timekeeping.ts';

/** The boot logo's custom characters (main.cpp:40-50), 5-pixel rows top first. */
export const FE1 = [0b00011, 0b00011, 0b00011, 0b00011, 0b00011, 0b11111, 0b11111, 0b11111] as const;
export const FE2 = [0b11111, 0b11111, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100, 0b01111] as const;
export const FE3 = [0b11111, 0b11111, 0b11111, 0b00011, 0b00011, 0b00011, 0b00011, 0b00011] as const;
export const FE4 = [0b01111, 0b01100, 0b01100, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000] as const;

/** TIM1 with `setOverflow(20, HERTZ_FORMAT)`: prescaler 55 and period 65454 of the 72 MHz clock (≈49.9996 ms). */
export const TIM1_PRESCALER = 55;
export const TIM1_PERIOD = 65454;

const OPAYGO_WAITING_TEXT = "We're waiting for the * character to start recording the key presses.\n" +
  "(Press the '#' key to see the device activation status)\n\n";

/** `while (1);` and other endless waits: time passes, nothing else happens (there is no watchdog). */
export async function hangForever(fw: FirmwareContext): Promise<never> {
  for (;;) await fw.board.delay(3_600_000);
}

export async function setup(fw: FirmwareContext): Promise<void> {
  const b = fw.board;
  const s = fw.state;
  const lcd = fw.lcd;
  const s2 = fw.Serial2;

  // 1
  lcd.begin(16, 2);
  b.pinMode(PINS.buzzer, 'OUTPUT');
  b.pinMode(PINS.relayA, 'OUTPUT');
  b.pinMode(PINS.relayB, 'OUTPUT');
  b.pinMode(PINS.redLed, 'OUTPUT');
  b.pinMode(PINS.greenLed, 'OUTPUT');

  // 2
  b.serial.debug.begin(115200);
  s2.print('Device Powered! \n');
  b.digitalWrite(PINS.buzzer, HIGH);

  // 3
  s2.print('Setting up LCD... \n');
  lcd.createChar(0, FE1);
  lcd.createChar(1, FE2);
  lcd.createChar(2, FE3);
  lcd.createChar(3, FE4);
  lcd.setCursor(0, 0);
  lcd.print('  DEVELOPED BY  ');
  lcd.setCursor(0, 1);
  lcd.print(' FIRST ELECTRIC ');
  await b.delay(2000);

  // 4: the logo, overwritten at once (D45)
  lcd.clear();
  lcd.setCursor(7, 0);
  lcd.write(0);
  lcd.setCursor(8, 0);
  lcd.write(1);
  lcd.setCursor(7, 1);
  lcd.write(2);
  lcd.setCursor(8, 1);
  lcd.write(3);
  s2.print('LCD Setup complete! \n');
  b.digitalWrite(PINS.buzzer, LOW);
  if (!fw.has('D45')) await b.delay(fw.opts.logoMs); // D45 fixed: the logo stays up

  // 5
  lcd.setCursor(0, 0);
  lcd.print(' SYSTEM BOOTING ');
  lcd.setCursor(0, 1);
  lcd.print(' #------------# ');

  // 6, 7: the modem
  s2.println('Initializing modem...');
  const modemPort = b.serial.modem;
  modemPort.begin(115200);
  await b.delay(3000);
  modemPort.write('AT+IPR=9600\r\n');
  modemPort.end();
  modemPort.begin(9600);
  await fw.modem.restart();
  const modemInfo = await fw.modem.getModemInfo();

  // 8
  lcd.setCursor(0, 0);
  lcd.print('                     ');
  lcd.setCursor(0, 1);
  lcd.print('                    ');
  s2.print('Modem: ');
  s2.println(modemInfo);
  lcd.setCursor(0, 0);
  // D44: the literal label text, where a label was meant.
  lcd.print(fw.has('D44') ? ' modemInfo ' : ' MODEM INFO ');
  lcd.setCursor(0, 1);
  lcd.print(modemInfo);
  await b.delay(2000);
  lcd.clear();

  // 9-11: the RTC
  let attempts = 0;
  while (fw.rtc.begin() === false) {
    lcd.print("Couldn't find RTC");
    await b.delay(2000);
    attempts++;
    if (!fw.has('D28') && attempts >= fw.opts.rtcBeginAttempts) {
      s.rtcMissing = true; // D28 fixed: boot on without a clock
      break;
    }
  }
  if (!s.rtcMissing) {
    if (!fw.rtc.isrunning()) {
      lcd.print('RTC is NOT running!');
      await b.delay(2000);
      if (!fw.has('D27')) startHaltedRtc(fw);
    }
    if (!initializeTime(fw)) await hangForever(fw);
  }

  // 12: the AFE
  s2.print('Setting up AFE... \n');
  b.serial.afe.begin(9600);
  await fw.AFE_chip.SET_register_values();
  await b.delay(1000);
  s2.print('AFE Setup Complete! \n');

  // 13
  lcd.setCursor(0, 0);
  lcd.print('CSOne :         ');
  lcd.setCursor(8, 0);
  lcd.print(formatInt(await fw.AFE_chip.FETCH_MeterCSOne()));
  lcd.setCursor(0, 1);
  lcd.print('CSTwo :         ');
  lcd.setCursor(8, 1);
  lcd.print(formatInt(await fw.AFE_chip.FETCH_MeterCSTwo()));
  await b.delay(3000);

  // 14: the credit, rewritten every boot (the fraction is lost; `>= 0` is always true)
  const stored = fw.mem.readLong(s.credit_eeprom_location);
  s.creditt = cfloat(fw, stored);
  if (!fw.has('D30') && stored === 0xffffffff) s.creditt = 0; // D30 fixed: erased cells mean "no credit yet"
  if (s.creditt >= 0) fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
  s.lastCreditSaveMs = b.millis();
  await b.delay(10);

  // 15: the relay is pulsed ON at every boot (D48); fixed: it follows the stored credit
  if (fw.has('D48') || s.creditt >= 1) await relay_on(fw);
  else await relay_off(fw);

  // 16, 17. D1 fixed: a mode configured in the factory menu is read back from EEPROM.
  if (!fw.has('D1')) s.Mode_select = loadModeSelect(fw) ?? s.Mode_select;
  await modeBranch(fw, s.Mode_select, false);

  // 18
  s2.println('Setup Complete! \n');
}

/**
 * The `switch (Mode_select)` of main.cpp:169-206. `fromMenu`: D4 fixed runs the branch of the mode the factory menu
 * chose once the mode-0 wait loop ends.
 */
async function modeBranch(fw: FirmwareContext, mode: number, fromMenu: boolean): Promise<void> {
  const s = fw.state;
  const out = printfPort(fw);
  switch (mode) {
    case 0: {
      fw.lcd.clear();
      fw.lcd.setCursor(0, 0);
      fw.lcd.println('No Configuration! ');
      while (s.Mode_select === 0) { // wait for configuration mode
        STS_keypad(fw);
        if (!fw.has('D36')) warningTimeout(fw); // D36 fixed: the warning screen and buzzer time out in mode 0 too
        await fw.board.delay(20);
      }
      if (!fw.has('D4') && !fromMenu) {
        // D4 fixed: the configured mode starts properly (ISR, activation variables, a clean keypad state).
        s.sts_mode = 0;
        s.setting_mode = 0;
        fw.lcd.clear();
        await modeBranch(fw, s.Mode_select, true);
      }
      break;
    }
    case 1:
      out.print('Welcome to the STS Energy-based\n');
      fw.timer = fw.board.createTimer(TIM1_PRESCALER, TIM1_PERIOD, () => urgeent(fw));
      fw.timer.resume();
      if (!fw.has('D21')) fw.modem.onIdle = () => serviceMeterDuringModemWait(fw);
      break;
    case 2:
      out.print('Welcome to the OpenPaygo Energy-based\n');
      out.print(OPAYGO_WAITING_TEXT);
      LoadActivationVariables(fw);
      break;
    case 3:
      out.print('Welcome to the OpenPaygo Time-based\n');
      out.print(OPAYGO_WAITING_TEXT);
      LoadActivationVariables(fw);
      break;
    default:
      break;
  }
}
