// What every firmware module sees: the board, the build configuration (defect knobs), the globals, and the global
// library objects of the original (`lcd`, `customKeypad`, `mem`, `rtc`, `AFE_chip`, `modem`, `client`, `http`, `tb`,
// `Serial2`, `Serial`). The original is one translation unit of headers sharing globals; here each module is a set of
// functions taking this context, named as the C functions are.
import type { Board } from '../board/board.ts';
import type { DefectId } from '../profiles/defects.ts';
import type { FirmwareConfig } from '../profiles/profile.ts';
import type { ATM90E26_UART } from './afe-driver.ts';
import type { HttpClient } from './http-client.ts';
import type { Keypad } from './lib/keypad.ts';
import type { LiquidCrystal } from './lib/liquid-crystal.ts';
import type { RTC_DS1307 } from './lib/rtclib.ts';
import type { ThingsBoardClient } from './mqtt-client.ts';
import type { SerialPrint } from './serial-print.ts';
import type { FirmwareState } from './state.ts';
import type { Eeprom } from './eeprom.ts';
import type { GsmClient, TinyGsm } from './gsm.ts';

/** The OpenPAYGO part of the program (modes 2 and 3), supplied by its own module. */
export interface OpaygoImplementation {
  /** One pass of `loop()` for `Mode_select` 2 or 3 (main.cpp:227-246): token entry, decode, status update. */
  loop(fw: FirmwareContext): Promise<void>;
}

/** Parameters of the twin that the C code fixes at build time, and of the knob corrections. */
export interface FirmwareOptions {
  /** OpenPAYGO implementation; required for boot modes `opaygo-energy` and `opaygo-time`. */
  opaygo?: OpaygoImplementation;
  /**
   * `__DATE__ __TIME__` of the build, as `YYYY-MM-DDThh:mm:ss`: the RTC is set to it at the first setup
   * (time_management.hpp:128). [UNDET] the real build date; default: the date of the last firmware commit
   * (EnAccess/OpenSmartMeter 198d3c5, 2023-12-20 12:32:44).
   */
  compileTime?: string;
  /** TinyGSM waits by spinning on `delay(0)`; the twin polls the modem UART from `atPollMinMs`, backing off to this. */
  atPollMaxMs?: number;
  /** D28 fixed: attempts of `rtc.begin()` (2 s apart) before booting without an RTC. */
  rtcBeginAttempts?: number;
  /** D22 fixed: ThingsBoard connection attempts per daily post before giving up. */
  tbConnectAttempts?: number;
  /** D20 fixed: least time between two web polls, ms. */
  gsmPollIntervalMs?: number;
  /** D45 fixed: how long the boot logo stays up, ms. */
  logoMs?: number;
  /**
   * The unit's identity, compiled into each build: the meter id it sends to the top-up backend (`String meter`,
   * default `MT100`) and its ThingsBoard device access token (default `5GBw6kqNCN93BN3nuuvJ`). A fleet builds every
   * unit with its own, as a rollout must, so that many meters can share one backend and one broker.
   */
  meterId?: string;
  accessToken?: string;
}

export interface ResolvedFirmwareOptions {
  opaygo: OpaygoImplementation | null;
  compileTime: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  atPollMinMs: number;
  atPollMaxMs: number;
  rtcBeginAttempts: number;
  tbConnectAttempts: number;
  gsmPollIntervalMs: number;
  logoMs: number;
  meterId: string;
  accessToken: string;
}

export interface FirmwareContext {
  readonly board: Board;
  readonly cfg: FirmwareConfig;
  readonly opts: ResolvedFirmwareOptions;
  readonly state: FirmwareState;
  /** `defect present?` for this build. */
  has(id: DefectId): boolean;
  readonly lcd: LiquidCrystal;
  readonly customKeypad: Keypad;
  readonly mem: Eeprom;
  readonly rtc: RTC_DS1307;
  readonly AFE_chip: ATM90E26_UART;
  /** `Serial2`: the debug / RS232 port. */
  readonly Serial2: SerialPrint;
  /** `Serial` = `Serial1` and `printf`: the modem line (USART1). */
  readonly Serial: SerialPrint;
  readonly modem: TinyGsm;
  readonly client: GsmClient;
  readonly http: HttpClient;
  readonly tb: ThingsBoardClient;
  /** The TIM1 interrupt, once attached (boot mode 1). */
  timer: { resume(): void; pause(): void } | null;
}
