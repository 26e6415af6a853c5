// The OpenSmartMeter firmware twin: `setup()` then `loop()` for ever, on a Board, for one firmware configuration
// (profile + defect knobs + boot mode). Each `run()` is one power-on: RAM (the globals) starts from the C initial
// values, the global library objects are constructed (the LiquidCrystal constructor already initialises the
// display), and the run ends by throwing `PowerLoss` (twin/board/cpu.ts) when the power is cut.
import type { Board } from '../board/board.ts';
import type { DefectId } from '../profiles/defects.ts';
import { isDefectId } from '../profiles/defects.ts';
import type { FirmwareConfig } from '../profiles/profile.ts';
import { BOOT_MODES, modeSelect } from '../profiles/profile.ts';
import { ATM90E26_UART } from './afe-driver.ts';
import { setup } from './boot.ts';
import type { FirmwareContext, FirmwareOptions, ResolvedFirmwareOptions } from './firmware-context.ts';
import { GsmClient, TinyGsm } from './gsm.ts';
import { HttpClient } from './http-client.ts';
import { HEXA_KEYS } from './keypad-ui.ts';
import { Keypad } from './lib/keypad.ts';
import { LiquidCrystal } from './lib/liquid-crystal.ts';
import { RTC_DS1307 } from './lib/rtclib.ts';
import { loop } from './main-loop.ts';
import { ThingsBoardClient } from './mqtt-client.ts';
import { SerialPrint } from './serial-print.ts';
import { FirmwareState } from './state.ts';
import { Eeprom, eepromMap } from './eeprom.ts';
import { PINS } from '../board/board.ts';
import { TOKEN } from './thingsboard.ts';

export type { FirmwareOptions, OpaygoImplementation } from './firmware-context.ts';

/** Defaults of the twin-only parameters (see `FirmwareOptions`). */
export const FIRMWARE_OPTION_DEFAULTS = {
  compileTime: '2023-12-20T12:32:44',
  atPollMinMs: 1,
  atPollMaxMs: 50,
  rtcBeginAttempts: 5,
  tbConnectAttempts: 3,
  gsmPollIntervalMs: 60_000,
  logoMs: 1000,
  meterId: 'MT100',
  accessToken: TOKEN,
} as const;

function identity(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  // what fits a form field and an MQTT user name unescaped: printable ASCII, no spaces, & or =
  if (typeof value !== 'string' || !/^[\x21-\x25\x27-\x3c\x3e-\x7e]{1,64}$/.test(value)) {
    throw new Error(`firmware option ${name} must be 1..64 printable characters without spaces, & or =, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`firmware option ${name} must be a whole number ≥ 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseCompileTime(text: unknown): ResolvedFirmwareOptions['compileTime'] {
  const m = typeof text === 'string' ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text) : null;
  if (!m) {
    throw new Error(`firmware option compileTime must look like 2023-12-20T12:32:44, got ${JSON.stringify(text)}`);
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (year < 2000 || year > 2099 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`firmware option compileTime ${text} is not a date the DS1307 can hold (2000-2099)`);
  }
  return { year, month, day, hour, minute, second };
}

function checkConfig(config: FirmwareConfig): void {
  if (!config || typeof config !== 'object') throw new Error('OsmFirmware needs a FirmwareConfig (use resolveFirmware)');
  if (!(config.defects instanceof Set)) {
    throw new Error('FirmwareConfig.defects must be a Set of defect ids (use resolveFirmware from twin/profiles)');
  }
  for (const id of config.defects) {
    if (!isDefectId(id)) throw new Error(`FirmwareConfig.defects holds '${String(id)}', which is not a defect knob (D1..D48)`);
  }
  if (!BOOT_MODES.includes(config.mode)) {
    throw new Error(`FirmwareConfig.mode '${String(config.mode)}' is not a boot mode (expected one of ${BOOT_MODES.join(', ')})`);
  }
}

/**
 * `Mode_select` at boot. D1: `unsigned long Mode_select = 0;` (token_management.hpp:31) is never loaded, so the
 * build boots in mode 0 whatever mode was configured; fixed: the configured boot mode.
 */
export function bootModeSelect(config: FirmwareConfig): number {
  return config.defects.has('D1') ? 0 : modeSelect(config.mode);
}

export function resolveOptions(config: FirmwareConfig, options: FirmwareOptions): ResolvedFirmwareOptions {
  const mode = bootModeSelect(config);
  if ((mode === 2 || mode === 3) && !options.opaygo) {
    throw new Error(`boot mode '${config.mode}' runs the OpenPAYGO token loop, but no OpenPAYGO implementation was ` +
      'supplied: pass options.opaygo to OsmFirmware');
  }
  if (options.opaygo && typeof options.opaygo.loop !== 'function') {
    throw new Error('options.opaygo must have a loop(fw) method returning a Promise');
  }
  const d = FIRMWARE_OPTION_DEFAULTS;
  const atPollMinMs = d.atPollMinMs;
  const atPollMaxMs = positiveInt(options.atPollMaxMs, 'atPollMaxMs', d.atPollMaxMs);
  return {
    opaygo: options.opaygo ?? null,
    compileTime: parseCompileTime(options.compileTime ?? d.compileTime),
    atPollMinMs,
    atPollMaxMs: Math.max(atPollMinMs, atPollMaxMs),
    rtcBeginAttempts: positiveInt(options.rtcBeginAttempts, 'rtcBeginAttempts', d.rtcBeginAttempts),
    tbConnectAttempts: positiveInt(options.tbConnectAttempts, 'tbConnectAttempts', d.tbConnectAttempts),
    gsmPollIntervalMs: positiveInt(options.gsmPollIntervalMs, 'gsmPollIntervalMs', d.gsmPollIntervalMs),
    logoMs: positiveInt(options.logoMs, 'logoMs', d.logoMs),
    meterId: identity(options.meterId, 'meterId', d.meterId),
    accessToken: identity(options.accessToken, 'accessToken', d.accessToken),
  };
}

/** `D15` → 15. */
function defectNumber(id: DefectId): number {
  return id.length === 2 ? id.charCodeAt(1) - 48 : (id.charCodeAt(1) - 48) * 10 + id.charCodeAt(2) - 48;
}

/**
 * The globals and global objects of one power-on. Constructing it runs the static constructors that touch the board
 * (the LiquidCrystal constructor initialises the display), so call it at power-on.
 */
export function createFirmwareContext(board: Board, config: FirmwareConfig, options: FirmwareOptions = {}): FirmwareContext {
  checkConfig(config);
  const opts = resolveOptions(config, options);
  const state = new FirmwareState();
  state.Mode_select = bootModeSelect(config);
  state.meter = opts.meterId;
  state.tamper_location = eepromMap(config).tamper;
  // Looked up several times per 50 ms tick: a table by defect number, not a set of strings (the set is fixed by now).
  const present = new Uint8Array(64);
  for (const id of config.defects) present[defectNumber(id)] = 1;
  const has = (id: DefectId): boolean => present[defectNumber(id)] === 1;
  const Serial2 = new SerialPrint(board.serial.debug);
  const Serial = new SerialPrint(board.serial.modem);
  const modem = new TinyGsm(board, board.serial.modem, { pollMinMs: opts.atPollMinMs, pollMaxMs: opts.atPollMaxMs });
  const client = new GsmClient(modem);
  const lcd = new LiquidCrystal(board);
  const ctx: FirmwareContext = {
    board,
    cfg: config,
    opts,
    state,
    has,
    lcd,
    customKeypad: new Keypad(board, HEXA_KEYS, PINS.keypadRows, PINS.keypadCols),
    mem: new Eeprom(board, config, Serial2),
    rtc: new RTC_DS1307(board),
    AFE_chip: new ATM90E26_UART(board, config, Serial2),
    Serial2,
    Serial,
    modem,
    client,
    http: new HttpClient(client, (ms) => board.delay(ms)),
    tb: new ThingsBoardClient(client),
    timer: null,
  };
  return ctx;
}

export class OsmFirmware {
  readonly board: Board;
  readonly config: FirmwareConfig;
  readonly #options: FirmwareOptions;
  #ctx: FirmwareContext | null = null;
  #idle = new FirmwareState();

  /** Checks the configuration now: an OpenPAYGO boot mode without `options.opaygo` is refused here. */
  constructor(board: Board, config: FirmwareConfig, options: FirmwareOptions = {}) {
    checkConfig(config);
    resolveOptions(config, options);
    this.board = board;
    this.config = config;
    this.#options = options;
    this.#idle.Mode_select = bootModeSelect(config);
  }

  /** The firmware's globals (credit `creditt`, `ENERGY`, `mains_input_value`, `curr`, `true_power`, …) of the current run. */
  get state(): Readonly<FirmwareState> {
    return this.#ctx ? this.#ctx.state : this.#idle;
  }

  /** The running program's context (for the OpenPAYGO module, observers and tests); null before the first run. */
  get context(): FirmwareContext | null {
    return this.#ctx;
  }

  /** Power-on: `setup()`, then `loop()` for ever. Rejects with PowerLoss when the power is cut. */
  async run(): Promise<void> {
    const ctx = createFirmwareContext(this.board, this.config, this.#options);
    this.#ctx = ctx;
    await setup(ctx);
    for (;;) await loop(ctx);
  }
}
