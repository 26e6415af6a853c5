// The firmware's global variables (docs/firmware.md; original files named per group), with their C types and
// initial values. A JS number stands for a C value; the C type is noted so that every module converts as C does:
// `float` values are kept rounded to float32 (`f32`), unsigned types wrap (`>>> 0`, `& 0xFF`), `long` is int32.
//
// Fields after "fixed-build state" exist only for the corrections of the defect knobs (docs/firmware.md §10);
// the shipped program has no such variables.

import { keepAsDoubles } from '../../models/sim-time.ts';

/** `char Data[Lengths]` with `#define Lengths 20` (token_management.hpp:15). */
export const DATA_LENGTH = 20;

export class FirmwareState {
  // --- helpers.hpp ------------------------------------------------------------------------------------------
  /** float: `millis()` converted to float at each ISR tick. */
  pulsetime_now = 0;
  /** float */
  prev_pulsetime = 0;
  /** byte */
  token_ok = 0;
  /** float: raw ADC value of PA1. */
  btValue = 0;
  /** byte: the tamper event has been logged to EEPROM since the cover opened. */
  fault_written = 0;
  /** unsigned int thresholds, compared as float (helpers.hpp:25-28). */
  over_voltage = 250;
  over_load = 25000;
  low_voltage = 150;
  low_freq = 45;

  // --- credit.hpp -------------------------------------------------------------------------------------------
  /** float: credit deducted by the last `credit_formular` call. */
  billing = 0;
  /** byte: 1 = fault (tamper, or a voltage/frequency/overload fault when D11 is fixed). */
  fault = 0;

  // --- power.hpp --------------------------------------------------------------------------------------------
  /** float, W: curr × V × PF of the last `mesure()`, zeroed below 15 W by the ISR. */
  true_power = 0;
  /** float, kWh since boot (not persisted). */
  ENERGY = 0;
  /** float, Hz */
  freq = 0;
  /** float, A (N channel × 2) */
  curr = 0;
  /** float */
  powerFactor = 0;
  /** float, V rms */
  mains_input_value = 0;

  // --- relay.hpp --------------------------------------------------------------------------------------------
  /** byte */
  off_exec = 0;
  /** byte */
  on_exec = 0;

  // --- lcd_display.hpp --------------------------------------------------------------------------------------
  /** int: `(int) readLong(tamper_location)`, shown on parameter page 5. */
  tamper_log = 0;
  /** int */
  tamper_location = 5;
  /** unsigned long */
  lcdtime_now = 0;
  /** unsigned long */
  prev_lcdtime = 0;
  /** unsigned long: scene counter (0 = V/I/P/PF, 1 = credit/energy). */
  cnt = 0;
  /** float: `btValue × 0.0733…`, the "battery level". */
  btt = 0;
  /** unsigned long, ms ("10sec according to Nigeria metering code"). */
  LCD_scroll_time = 5000;

  // --- sts_token.hpp ----------------------------------------------------------------------------------------
  /** String */
  sts_data = '';
  /** int */
  confirmkey = 0;
  /** int */
  private_stskey = 109;
  /** byte */
  sts_accept = 0;
  /** byte: a warning/accept screen is up and the 1.5 s timeout is armed. */
  c_chek = 0;
  /** byte (set, never read) */
  get_credit = 0;
  /** float: the credit. */
  creditt = 0;
  /** unsigned int: credit units per kWh; 1 at boot, set by each web poll (not persisted). */
  tariff = 1;
  /** unsigned long */
  credit_eeprom_location = 9;
  /** unsigned int */
  convertedsts_data = 0;
  /** unsigned long */
  convertedsts_day = 0;
  /** unsigned long: never updated (D6). */
  eeprom_sts_data = 0;
  /** unsigned int */
  encodernew = 0;
  /** float */
  dcode = 0;
  /** String */
  meter = 'MT100';
  /** unsigned long */
  meter_no = 100;
  /** unsigned long: raises the meter number to 5 digits. */
  multiplier = 100;
  /** unsigned int */
  meter_no_count = 3;
  /** float */
  topup = 0;
  /** unsigned long */
  topupnew = 0;
  /** long */
  warntime = 0;
  /** long */
  warn_now = 0;

  // --- token_management.hpp ---------------------------------------------------------------------------------
  /** `char Data[20]`, zero-initialised (a global). */
  readonly Data = new Uint8Array(DATA_LENGTH);
  /**
   * The byte after `Data[19]`: the 21st key goes to `Data[20]`, out of bounds (D35). [UNDET] what the linker puts
   * there; the twin models it as one otherwise unused byte followed by a NUL, so `String(Data)` after 20 typed
   * characters ends at this byte, and after a 21-character entry it carries the 21st character.
   */
  overflowByte = 0;
  /** int: LCD column of the next echoed key. */
  lcd_count = 0;
  /** byte: characters stored since `*`. */
  data_count = 0;
  /** byte: keys accepted since `*`. */
  dt = 0;
  /** byte: parameter page shown by `parameters_display` (0 = none). */
  parameters = 0;
  /** byte */
  token_used = 0;
  /** String (RAM only, restored at reboot) */
  password = '1234';
  /** String */
  new_password = '1234';
  /** unsigned long */
  sts_eeprom_fetched = 0;
  /** unsigned long */
  token_eeprom_location = 20;
  /** unsigned long */
  eeprom_location_cnt = 40;
  /** unsigned long */
  sts_value = 0;
  /** unsigned long: 1 while a token is being typed (suppresses the LCD scenes and GSM). */
  sts_mode = 0;
  /** unsigned long: boot mode, 0 = none, 1 = STS, 2 = OpenPAYGO energy, 3 = OpenPAYGO time. */
  Mode_select = 0;
  /** unsigned long: factory-menu step (0 = not in the menu). */
  setting_mode = 0;

  // --- keypad.hpp -------------------------------------------------------------------------------------------
  /** char: the last `getKey()` result (NO_KEY = ''). */
  customKey = '';

  // --- mem_operation.hpp (OpenPAYGO activation variables) ---------------------------------------------------
  /** uint16_t */
  TokenCount = 1;
  /** uint16_t */
  UsedTokens = 0;
  /** bool */
  PAYGEnabled = true;
  /** uint32_t, seconds of `GetTimeInSeconds()` */
  ActiveUntil = 0;
  /** uint32_t */
  TokenEntryLockedUntil = 0;
  /** uint8_t */
  nbDisconnections = 0;
  /** int */
  InvalidTokenCount = 0;

  // --- time_management.hpp ----------------------------------------------------------------------------------
  /** uint32_t: unixtime of the first setup, kept in DS1307 NVRAM offset 4. */
  timeInitializationRtc = 0;
  /** unsigned int */
  hours = 0;
  /** unsigned int */
  minutes = 0;
  /** unsigned int */
  seconds = 0;
  /** unsigned int */
  rtcday = 0;
  /** long */
  nw_month_cnt = 0;
  /** long: always 10 with D24 (the comma operator yields DEC). */
  rtcmonth = 0;
  /** long */
  rtcnewmonth = 0;
  /** long */
  billing_date = 0;
  /** byte */
  thingsboard_check = 0;
  /** float */
  lastmonth_KWH = 0;

  // --- remote.hpp / thingsboard.hpp -------------------------------------------------------------------------
  /** bool */
  modemConnected = false;
  /** byte: 1 while a web top-up is on the LCD (suppresses the scenes). */
  tp_fetch = 0;

  // --- fixed-build state (knob corrections only) ------------------------------------------------------------
  /** D15 fixed: `millis()` of the last billing step, as uint32. */
  prevPulseMs = 0;
  /** D26 fixed: `millis()` of the last periodic credit save, or -1 before the first one. */
  lastCreditSaveMs = -1;
  /** D33 fixed: the ISR asks the loop to log a tamper event to EEPROM. */
  tamperLogPending = false;
  /** D33/D36 fixed: `millis()` at which a non-blocking beep ends, or -1. */
  buzzerOffAtMs = -1;
  /** D34 fixed: the tamper chirp currently drives the buzzer. */
  tamperChirpOn = false;
  /** D24 fixed: ENERGY at the start of the current month. */
  monthStartEnergy = 0;
  /** D19 fixed: a top-up was credited but the server has not confirmed it yet. */
  pendingTopupAck = false;
  /** D20 fixed: `millis()` of the last web poll, or -1. */
  lastGsmPollMs = -1;
  /** D2 fixed: the `*` that opened this entry is still held and may become a factory-menu request. */
  starHoldPending = false;
  /** D28 fixed: the RTC was not found at boot and the firmware runs without it. */
  rtcMissing = false;

  // --- twin observation (not firmware variables) ----------------------------------------------------------------
  /**
   * `millis()` when the main loop entered `gsm_func()` (the blocking web poll: seconds to minutes with a mute modem,
   * during which nothing is measured and no key is read), or -1 while it is not in it. Only observers read it.
   */
  modemBusySinceMs = -1;

  // --- twin observation (not firmware variables): the OpenPAYGO loop's last decode --------------------------
  /** Tokens decoded since power-on. */
  opaygoEntries = 0;
  /** `Output.Value` of the last decode (−1, −2 or 0..999); NaN before the first. */
  opaygoLastValue = Number.NaN;
  /** `Output.Count` of the last decode. */
  opaygoLastCount = 0;

  constructor() {
    // These start at small integers: doubles for V8 from the start (their values unchanged), so that a first fraction
    // or a value past 2^30 does not discard compiled code mid-run (models/sim-time.ts).
    keepAsDoubles(this, FRACTIONAL_FIELDS);
  }
}

/**
 * The state's `float` variables, its `long`, `unsigned long` and `uint32_t` ones (times in ms or s, EEPROM words that
 * may read 0xFFFFFFFF, token values) and the web tariff (see the constructor).
 */
const FRACTIONAL_FIELDS = [
  // float
  'pulsetime_now', 'prev_pulsetime', 'btValue', 'billing', 'true_power', 'ENERGY', 'freq', 'curr', 'powerFactor',
  'mains_input_value', 'btt', 'creditt', 'dcode', 'topup', 'lastmonth_KWH', 'monthStartEnergy',
  // long, unsigned long, uint32_t
  'lcdtime_now', 'prev_lcdtime', 'cnt', 'LCD_scroll_time', 'credit_eeprom_location', 'convertedsts_day',
  'eeprom_sts_data', 'meter_no', 'multiplier', 'topupnew', 'warntime', 'warn_now', 'sts_eeprom_fetched',
  'token_eeprom_location', 'eeprom_location_cnt', 'sts_value', 'sts_mode', 'Mode_select', 'setting_mode',
  'TokenEntryLockedUntil', 'nw_month_cnt', 'rtcmonth', 'rtcnewmonth', 'billing_date', 'ActiveUntil',
  'timeInitializationRtc',
  // unsigned int set from the web poll
  'tariff',
  // millis() of the fixed build and of the twin's observation
  'prevPulseMs', 'lastCreditSaveMs', 'buzzerOffAtMs', 'lastGsmPollMs', 'modemBusySinceMs',
] as const satisfies readonly (keyof FirmwareState)[];
