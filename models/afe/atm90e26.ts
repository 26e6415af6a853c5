// ATM90E26 single-phase metering chip, phasor level: register file, CalStart/AdjStart and checksum semantics, RMS and
// mean-power measurement from the pin phasors, energy registers and CF pulses, voltage sag, and the UART protocol byte
// by byte. Facts: docs/atm90e26.md (cited as §n) and docs/firmware.md §2.
//
// Timing: everything runs on the simulator's clock (`SimTime`). Measurement registers follow `setPins` at once (the
// DS does not give the averaging window, §9.3); energy is integrated exactly over the piecewise-constant power between
// changes; reply bytes and checksum checks are clock events (a reply byte to a host that lets it wait, a board's RX
// buffer, takes its event's place and lands when the host looks: the `rx-run` shortcut, see `#transmit`).
import { DOUBLE_FIELD, doubleArray, type EventHandle, type SimTime } from '../sim-time.ts';
import type { AfePinPhasors } from '../signals.ts';
import { assertUartByte, byteTimeUs, isUartBufferPeer, isUartRunPeer, type UartPeer } from '../uart.ts';
import {
  Command, CS1_BLOCK, CS2_BLOCK, EnStatusBits, FuncEnBits, REG, REGISTERS, SysStatusBits, addressOf, cs1Of, cs2Of,
  decodeMMode, decodePhi, encodePangle, encodePowerF, registerInfo, toInt16, type MModeFields, type RegisterName,
} from './registers.ts';
import { FrameReceiver, readReply } from './uart-frame.ts';
import { lineProducts, maxOrderFor, spectrumOf, spectrumRms, validatePins, type LineProducts, type Spectrum } from './phasor-dsp.ts';
import { EnergyRegister, PulseAccumulator } from './energy-accumulator.ts';
import type { WaveformCycle, WaveformMeasurements, WaveformWindow } from './waveform-dsp.ts';

// Nominal operating point of the OSM board used to pin the unpublished absolute scale constants (§9.2, §8).
/** VP-VN at 240 V through the nominal 1/823.05 divider (620k + 1k, 200k neutral return, 400k input; §5). */
const NOMINAL_V_PIN = 0.29159671;
/** The firmware's Ugain 0x71D8 (docs/firmware.md §2, the metering-chip initialisation). */
const FIRMWARE_UGAIN = 29144;
/** I2P-I2N at 5 A through a 1000:1 CT into 2 x 2.4 ohm (§5). */
const NOMINAL_I_PIN = 0.024;
/** The firmware's IgainN 0x0F56, calibrated so that Irms2 reads 50 x I (250 at 5 A, §8). */
const FIRMWARE_IGAINN = 3926;

export interface Atm90e26Config {
  /**
   * Urms register counts (0.01 V) per pin volt rms per unit of Ugain: Urms = Vpin x Ugain x KU. The DS does not
   * publish it (§9.2); the default makes the firmware's calibration read exactly 240.00 V on the nominal board:
   * 24000 / (0.29159671 V x 29144).
   */
  KU: number;
  /**
   * Irms2 register counts (1 mA) per pin volt rms per unit of N gain x IgainN: Irms2 = Vpin x Ngain x IgainN x KI.
   * Default 250 / (0.024 V x 3926): 5 A through the 1000:1 CT and 4.8 ohm reads 250 with the firmware's IgainN (§8).
   */
  KI: number;
  /** Irms (L channel) counts per pin volt rms per unit of L PGA x IgainL. Default: the N-channel constant (§9.2). */
  KIL: number;
  /**
   * MMD1/MMD0 pins (EnStatus.LNMode, §4.6): 0 anti-tamper, 1 L only, 2 L+N sum, 3 flexible (MMode.LNSel).
   * Default 0b10 (L+N), the hint of the firmware's EnStatus write 0x4802 (§8, §9.11); with the L channel floating on
   * this board, L+N meters the N channel.
   */
  mmd: 0 | 1 | 2 | 3;
  /**
   * Delay from the end of the last host byte to the start of the reply, in us. The DS allows 5 ms; the firmware waits
   * a fixed 10 ms and then reads without checking (§1), so the default 500 us completes a 3-byte reply at 9600 baud
   * 3.6 ms after the checksum byte. Fault injection: a value near 7 ms makes replies late (defect D46).
   */
  replyLatencyUs: number;
  /** Fault injection: send one extra 0xFF after every reply (desynchronises the firmware, defect D46). */
  extraReplyByte: boolean;
  /** Fault injection: the chip ignores every host byte and never answers (and performs no writes). */
  dead: boolean;
  /**
   * How often the chip re-computes CS1/CS2 while CalStart/AdjStart = 8765H. The DS says only "regularly" (§2.5, §9.10):
   * 1 s is an assumption. Checks fall on a fixed grid from the last reset.
   */
  checksumCheckPeriodUs: number;
  /** Baud rate tolerance of the auto-detection, as a fraction (about +-2 %, §1). */
  baudTolerance: number;
  /** Host inter-byte gap that aborts a transaction, in us (20 ms, DS §4.2). */
  interByteTimeoutUs: number;
  /** Highest frequency the measurement and metering paths pass, in Hz (1.1 kHz harmonic bandwidth, §4.2). */
  harmonicBandwidthHz: number;
  /** Time shift of one Lphi/Nphi LSB in us: 1 / 2.048 MHz = 0.488 us (8.192 MHz crystal / 4, §4.4). */
  phaseLsbUs: number;
  /** Smallest voltage (rms at the pins) whose zero crossings the Freq block can time (120 uV minimum input, §4.1). */
  minInputVrms: number;
  /**
   * Input-referred noise of each ADC at gain 1, volts rms: the DS minimum input (120 uV, 5000:1 below full scale), the
   * same floor the waveform level's ADC adds sample by sample. At the phasor level it adds to the RMS registers in
   * quadrature (divided by the channel's gain), so a channel with nothing on its pins reads its noise floor (the
   * reason the DS offers the Ioffset registers); being uncorrelated with the voltage, it adds nothing to the powers.
   */
  noiseFloorVrms: number;
}

export const ATM90E26_DEFAULTS: Readonly<Atm90e26Config> = Object.freeze({
  KU: 24000 / (NOMINAL_V_PIN * FIRMWARE_UGAIN),
  KI: 250 / (NOMINAL_I_PIN * FIRMWARE_IGAINN),
  KIL: 250 / (NOMINAL_I_PIN * FIRMWARE_IGAINN),
  mmd: 0b10,
  replyLatencyUs: 500,
  extraReplyByte: false,
  dead: false,
  checksumCheckPeriodUs: 1_000_000,
  baudTolerance: 0.02,
  interByteTimeoutUs: 20_000,
  harmonicBandwidthHz: 1100,
  phaseLsbUs: 1 / 2.048,
  minInputVrms: 120e-6,
  noiseFloorVrms: 120e-6,
});

const POSITIVE_KEYS = ['KU', 'KI', 'KIL', 'checksumCheckPeriodUs', 'interByteTimeoutUs', 'harmonicBandwidthHz', 'phaseLsbUs'] as const;
const NON_NEGATIVE_KEYS = ['replyLatencyUs', 'baudTolerance', 'minInputVrms', 'noiseFloorVrms'] as const;
const BOOLEAN_KEYS = ['extraReplyByte', 'dead'] as const;

function validateConfig(patch: Partial<Atm90e26Config>): void {
  if (patch === null || typeof patch !== 'object') throw new TypeError('ATM90E26 config must be an object');
  const known = Object.keys(ATM90E26_DEFAULTS);
  for (const key of Object.keys(patch)) {
    if (!known.includes(key)) throw new RangeError(`unknown ATM90E26 setting "${key}"; known settings: ${known.join(', ')}`);
  }
  for (const k of POSITIVE_KEYS) {
    const v = patch[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
      throw new RangeError(`ATM90E26 setting ${k} must be a positive number, got ${String(v)}`);
    }
  }
  for (const k of NON_NEGATIVE_KEYS) {
    const v = patch[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new RangeError(`ATM90E26 setting ${k} must be a number >= 0, got ${String(v)}`);
    }
  }
  for (const k of BOOLEAN_KEYS) {
    const v = patch[k];
    if (v !== undefined && typeof v !== 'boolean') throw new RangeError(`ATM90E26 setting ${k} must be true or false, got ${String(v)}`);
  }
  if (patch.mmd !== undefined && !([0, 1, 2, 3] as unknown[]).includes(patch.mmd)) {
    throw new RangeError(`ATM90E26 setting mmd (MMD1/MMD0 pins) must be 0, 1, 2 or 3, got ${String(patch.mmd)}`);
  }
}

/** CF pulses per second = PULSE_K x p / PL_Constant, p in mV^2 (§4.3): 838860800 / 3.6e6 = 233.017. */
const PULSE_K = 838860800 / 3.6e6;
/** Threshold word per unit of internal power p (§4.5): PStartTh = 93.2067556 x p_start, 93.2067556 = 838860800 / 9e6. */
const THRESHOLD_K = 838860800 / 9e6;
/** Small-power mode scale (AN; the DS's 2^42 is taken as a typo, §9.7): normal = small x Igain x Ugain / (1e5 x 2^22). */
const SMALL_POWER_K = 100000 * 2 ** 22;

const ENERGY_BASE = REG.APenergy;
/** Registers whose read latches the low 16 bits of the extended result into LSB (08H). */
const LATCHING: ReadonlySet<number> = new Set<number>([
  REG.Irms, REG.Urms, REG.Pmean, REG.Qmean, REG.Smean, REG.Irms2, REG.Pmean2, REG.Qmean2, REG.Smean2,
]);

function isBadCommand(v: number): boolean { return v !== Command.PowerOn && v !== Command.Calibrate && v !== Command.Check; }

export type CfLine = 'P' | 'Q';

interface PinSpectra { freqHz: number; V: Spectrum; IL: Spectrum; IN: Spectrum }

/**
 * `rx-run`: reply bytes held for a host that lets them wait (models/uart.ts, a board's RX buffer), oldest first: each
 * lands at `t` with the event place `seq` its own event would have had. Parallel arrays, no closure per byte.
 */
class HeldReplyBytes {
  byte: number[] = [];
  baud: number[] = [];
  /** (Doubles from the start: models/sim-time.ts DOUBLE_FIELD.) */
  t: number[] = doubleArray();
  seq: number[] = [];
  head = 0;
  len = 0;
  push(byte: number, baud: number, t: number, seq: number): void {
    const i = this.len++;
    this.byte[i] = byte; this.baud[i] = baud; this.t[i] = t; this.seq[i] = seq;
  }
  /** Forget the bytes taken once all are (the arrays keep their storage). */
  compact(): void {
    if (this.head === this.len) { this.head = 0; this.len = 0; }
  }
}

/** Waveform level: the last measurements made from samples (waveform-dsp.ts). */
interface WaveState { window: WaveformWindow | null; cycle: WaveformCycle | null; sag: boolean }

/**
 * The ATM90E26. Host side: `uart` receives host bytes, `attachHost` gives the peer the replies go to.
 * Analog side: `setPins`. Observation without side effects: `peekRegister`, `metering`, `measuring`, `cf1Pulses`.
 *
 * Conventions chosen where the DS is silent (§9):
 * - Pangle/Pangle2 are sign-magnitude (as PowerF); positive = current lags voltage (inductive load).
 * - Lphi/Nphi: a positive value delays the current by n x 0.488 us (adds lag), which corrects a positive bench error
 *   at PF 0.5 inductive as AN step 6 prescribes; bit 15 set advances it.
 * - PowerF = P / S (0 when S = 0), negative (bit 15) for reverse power; Pmean/Qmean include Poffset/Qoffset.
 * - RMS offsets (Uoffset, IoffsetL/N) are applied as the inverse of AN step 12: reg = raw + offset x 256 / gain, so the
 *   documented procedure nulls the residual; clamped at 0.
 * - Start-up/no-load (§4.5, §9.5): a line accumulates energy only while |p| >= max(StartTh, NolTh) / 93.2067556 (p after
 *   Lgain/Ngain, the quantity that drives CF); below it, nothing accumulates (the energy is discarded, not held) and
 *   Pnoload/Qnoload read 1, also while metering is off (hence C800H after power-on).
 * - Reads of a write-only register (SoftReset) return 0000H; writes to read-only registers echo the checksum and are
 *   ignored (§1, §9.9); LastData takes the value of every transaction with a good checksum (also invalid addresses).
 * - SysStatus reads clear every bit; CalErr/AdjErr re-assert at the next periodic check while the error persists
 *   (§9.10); SagWarn re-asserts one line cycle after the read while the sag persists. A check that finds the block
 *   matching again lets metering/measurement resume.
 * - Measurement registers are frozen while AdjStart = 6886H / an invalid command / 8765H with a CS2 mismatch; energy
 *   and CF stop while CalStart is in the corresponding state for CS1 (§2.5, §3.1 trap c).
 * - Ugain bit 15 "must be 0": the gain multiplier ignores it (the checksum does not).
 * - No clipping at phasor level (the waveform path models the 600 mV input range); CF pulses are reported at the
 *   energy rate (the 100 pulses/s limit of the CF pin is not applied).
 */
export class ATM90E26 {
  /** Host -> chip (URX). Call at the end of each byte's stop bit, with the host's baud rate. */
  readonly uart: UartPeer;
  /** Observer: every byte the chip puts on UTX, at the end of its stop bit. */
  get onTransmit(): ((byte: number, tUs: number) => void) | undefined { return this.#onTransmit; }
  set onTransmit(fn: ((byte: number, tUs: number) => void) | undefined) {
    this.#release();
    this.#onTransmit = fn;
  }
  /** Reply bytes that reached the host without a clock event of their own (the `rx-run` shortcut's counter). */
  replyBytesHeld = 0;

  readonly #time: SimTime;
  #cfg: Atm90e26Config;
  #host: UartPeer | null = null;
  #onTransmit: ((byte: number, tUs: number) => void) | undefined = undefined;
  /** `rx-run`: reply bytes waiting for the host to look at its RX buffer. */
  readonly #held = new HeldReplyBytes();
  readonly #regs = new Uint16Array(128);
  /** Low 16 bits of the extended result of each measurement register (bits 7..0 zero), latched into LSB on read. */
  readonly #ext = new Uint16Array(128);
  readonly #rx: FrameReceiver;
  #txFreeAt = DOUBLE_FIELD;
  #resetAt = DOUBLE_FIELD;
  #generation = 0;

  #pins: AfePinPhasors | null = null;
  #spectra: PinSpectra | null = null;
  #wave: WaveState | null = null;

  #calFail = false;
  #adjFail = false;
  #calDirty = false;
  #adjDirty = false;
  #checkEvent: EventHandle | null = null;
  #plConstant = 0;

  #lline = true;
  #pRun = false;
  #qRun = false;
  readonly #cfP = new PulseAccumulator();
  readonly #cfQ = new PulseAccumulator();
  readonly #energy: EnergyRegister[] = Array.from({ length: 6 }, () => new EnergyRegister());
  #revP = false;
  #revQ = false;
  #lastDirP = 0;
  #lastDirQ = 0;
  #cf1 = 0;
  #cf2 = 0;
  #onCfPulse: ((line: CfLine, tUs: number) => void) | undefined = undefined;
  readonly #pulseEvents: Array<EventHandle | null> = [null, null];

  #sag = false;
  #sagEvent: EventHandle | null = null;

  readonly #emitP = (dir: 1 | -1, tUs: number): void => this.#pulse('P', dir, tUs);
  readonly #emitQ = (dir: 1 | -1, tUs: number): void => this.#pulse('Q', dir, tUs);

  constructor(time: SimTime, config: Partial<Atm90e26Config> = {}) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#txFreeAt = 0;
    this.#resetAt = 0;
    if (!time || typeof time.now !== 'function' || typeof time.at !== 'function') {
      throw new TypeError('ATM90E26 needs the simulation clock (SimTime) as its first argument');
    }
    validateConfig(config);
    this.#time = time;
    this.#cfg = { ...ATM90E26_DEFAULTS, ...config };
    this.#rx = new FrameReceiver(() => this.#cfg);
    this.uart = { receive: (byte: number, baud: number): void => this.#receive(byte, baud) };
    this.#reset();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public API

  /** The peer that receives the chip's reply bytes (the MCU's USART RX), or null to disconnect UTX. */
  attachHost(peer: UartPeer | null): void {
    if (peer !== null && (typeof peer !== 'object' || typeof peer.receive !== 'function')) {
      throw new TypeError('ATM90E26.attachHost needs an object with receive(byte, baud), or null');
    }
    const old = this.#host;
    this.#release();
    if (old && isUartRunPeer(old) && old.due === this.#landHeld) old.due = null;
    this.#host = peer;
  }

  get config(): Readonly<Atm90e26Config> { return { ...this.#cfg }; }

  /** Change settings at run time (fault knobs act at once; scale constants at once on the measurement registers). */
  configure(patch: Partial<Atm90e26Config>): void {
    validateConfig(patch);
    this.#landHeld(); // (a reply byte that has arrived by now did so under the old settings: `dead`)
    this.#cfg = { ...this.#cfg, ...patch };
    if (this.#pins) this.#spectra = this.#spectraOf(this.#pins);
    this.#refresh();
  }

  /** Hardware reset (power-on or the RESET pin): every register to its default, energy cleared. */
  reset(): void { this.#reset(); }

  /** New pin signals (phasor level), in force from `time.now()`. */
  setPins(p: AfePinPhasors): void {
    validatePins(p);
    this.#wave = null;
    const copy = (lines: AfePinPhasors['V']) => lines.map((h) => ({ order: h.order, rms: h.rms, phaseRad: h.phaseRad }));
    this.#pins = { freqHz: p.freqHz, V: copy(p.V), IL: copy(p.IL), IN: copy(p.IN) };
    this.#spectra = this.#spectraOf(this.#pins);
    this.#refresh();
  }

  /**
   * Waveform level: measurements made from the 8 kHz pin samples (waveform-dsp.ts, fed by waveform-front-end.ts), in
   * force from `time.now()`; parts left out keep their last value. They take the place of the pin phasors (a later
   * `setPins` switches back): `window` feeds the measurement registers (RMS, mean powers, PF, angle, Freq), `cycle`
   * the energy path (start-up/no-load thresholds, energy registers, CF), `sag` the sag detector's state. The register
   * scaling, thresholds and accumulators are the phasor level's, so both levels give the same registers from the same
   * pin-unit quantities.
   */
  setWaveformMeasurements(m: WaveformMeasurements): void {
    if (m === null || typeof m !== 'object') throw new TypeError('ATM90E26.setWaveformMeasurements needs an object { window?, cycle?, sag? }');
    const fresh = this.#wave === null;
    const w: WaveState = this.#wave ?? { window: null, cycle: null, sag: false };
    if (m.window !== undefined) w.window = m.window;
    if (m.cycle !== undefined) w.cycle = m.cycle;
    if (m.sag !== undefined) w.sag = m.sag === true;
    this.#wave = w;
    // A new line cycle only moves the energy path (50 times a second): leave the measurement registers alone.
    if (!fresh && m.window === undefined && m.sag === undefined && m.cycle) this.#meterWaveform(decodeMMode(this.#regs[REG.MMode]), m.cycle);
    else this.#refresh();
  }

  /** Energy metering (CF, 40H..45H) is running: CalStart = 5678H, or 8765H with CS1 matching. */
  get metering(): boolean {
    const v = this.#regs[REG.CalStart];
    return v === Command.Calibrate || (v === Command.Check && !this.#calFail);
  }

  /** Measurement (48H..4FH, 68H..6FH) is updating: AdjStart = 5678H, or 8765H with CS2 matching. */
  get measuring(): boolean {
    const v = this.#regs[REG.AdjStart];
    return v === Command.Calibrate || (v === Command.Check && !this.#adjFail);
  }

  /** The effective PL_Constant (PLconstH takes effect when PLconstL is written, §2). */
  get plConstant(): number { return this.#plConstant; }

  /** IRQ pin: high while any SysStatus bit is set. */
  get irq(): boolean {
    this.#syncPulses(this.#time.now());
    return this.#regs[REG.SysStatus] !== 0;
  }

  /** WarnOut pin: a latched CS1 error, or a sag while FuncEn.SagWo is set. */
  get warnOut(): boolean {
    return (this.#regs[REG.SysStatus] & SysStatusBits.CalErr) !== 0
      || (this.#sag && (this.#regs[REG.FuncEn] & FuncEnBits.SagWo) !== 0);
  }

  /** Whole CF1 (active energy) pulses since construction; never cleared, not even by a reset. */
  get cf1Pulses(): number { this.#syncPulses(this.#time.now()); return this.#cf1; }
  /** Whole CF2 (reactive energy) pulses since construction. */
  get cf2Pulses(): number { this.#syncPulses(this.#time.now()); return this.#cf2; }

  /** Hook called for each whole CF pulse ('P' = CF1 active, 'Q' = CF2 reactive) at its exact (fractional) time. */
  get onCfPulse(): ((line: CfLine, tUs: number) => void) | undefined { return this.#onCfPulse; }
  set onCfPulse(fn: ((line: CfLine, tUs: number) => void) | undefined) {
    this.#onCfPulse = fn;
    this.#schedulePulseEvents();
  }

  /** A register's value as the host would read it now, without any side effect (no read-clear, no LSB latch). */
  peekRegister(reg: number | RegisterName): number {
    return this.#read(addressOf(reg), false);
  }

  /**
   * What-if override: write a register as the host would (command words act, CS1/CS2 store the expected value), and
   * for read-only registers overwrite the value until the chip next updates it (energy registers keep counting from
   * the poked value). EnStatus is derived from the metering state and cannot be poked.
   */
  pokeRegister(reg: number | RegisterName, value: number): void {
    const addr = addressOf(reg);
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new RangeError(`ATM90E26 register value must be an integer 0..0xFFFF, got ${String(value)}`);
    }
    this.#write(addr, value, true);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // UART

  #receive(byte: number, baud: number): void {
    assertUartByte(byte);
    if (typeof baud !== 'number' || !Number.isFinite(baud) || baud <= 0) {
      throw new RangeError(`UART baud rate must be a positive number of bit/s, got ${String(baud)}`);
    }
    if (this.#cfg.dead) return;
    const got = this.#rx.push(byte, baud, this.#time.now());
    if (!got) return;
    const { frame, baud: rate } = got;
    if (frame.kind === 'read') {
      const value = this.#read(frame.addr, true);
      this.#regs[REG.LastData] = value;
      this.#transmit(readReply(value), rate);
      return;
    }
    const end = this.#transmit([frame.checksum], rate);
    this.#regs[REG.LastData] = frame.value;
    if (frame.addr === REG.SoftReset) {
      // Reply first, then reset (§9.9): the reset happens when the reply has left the chip.
      if (frame.value === Command.Reset) {
        const gen = this.#generation;
        this.#time.at(Math.max(this.#time.now(), Math.ceil(end)), () => { if (gen === this.#generation) this.#reset(); });
      }
      return;
    }
    this.#write(frame.addr, frame.value, false);
  }

  /**
   * Queue reply bytes back to back after the reply latency; returns the time the last stop bit ends. `rx-run`: a host
   * that lets its bytes wait (it asks for them before anything reads or changes its RX buffer) gets no event per
   * byte; each byte takes the place its event would have had and lands when the host asks.
   */
  #transmit(bytes: number[], baud: number): number {
    const bt = byteTimeUs(baud);
    const out = this.#cfg.extraReplyByte ? [...bytes, 0xff] : bytes;
    const time = this.#time;
    const start = Math.max(time.now() + this.#cfg.replyLatencyUs, this.#txFreeAt);
    const host = this.#host;
    const held = isUartBufferPeer(host) && time.reserveSeq !== undefined && this.#onTransmit === undefined;
    for (let k = 0; k < out.length; k++) {
      const b = out[k];
      const at = Math.ceil(start + (k + 1) * bt);
      if (held) this.#held.push(b, baud, at, time.reserveSeq!());
      else time.at(at, () => this.#deliver(b, baud));
    }
    if (held && host.due !== this.#landHeld) host.due = this.#landHeld;
    this.#txFreeAt = start + out.length * bt;
    return this.#txFreeAt;
  }

  /** A reply byte's stop bit has left the chip (its event, or the host asking for it). */
  #deliver(byte: number, baud: number): void {
    if (this.#cfg.dead) return;
    this.#onTransmit?.(byte, this.#time.now());
    this.#host?.receive(byte, baud);
  }

  /** `rx-run`: the held bytes whose own events would have run by now reach the host, in order. */
  readonly #landHeld = (): void => {
    const q = this.#held;
    const time = this.#time;
    while (q.head < q.len) {
      const i = q.head;
      if (!time.ranBefore!(q.t[i], q.seq[i])) break;
      q.head++;
      this.replyBytesHeld++;
      this.#deliver(q.byte[i], q.baud[i]);
    }
    q.compact();
  };

  /**
   * Before the host or the observer changes: the held bytes that have arrived by now land, and those still on the
   * wire get their own events at the places they hold, as byte by byte.
   */
  #release(): void {
    this.#landHeld();
    const q = this.#held;
    const time = this.#time;
    for (let i = q.head; i < q.len; i++) {
      const b = q.byte[i];
      const baud = q.baud[i];
      time.atReserved!(q.t[i], q.seq[i], () => this.#deliver(b, baud));
    }
    q.head = q.len;
    q.compact();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Register access

  #read(addr: number, hostRead: boolean): number {
    const info = registerInfo(addr);
    if (!info || info.access === 'W') return 0;
    const t = this.#time.now();
    switch (addr) {
      case REG.SysStatus: {
        this.#syncPulses(t);
        const v = this.#regs[REG.SysStatus];
        if (hostRead) {
          this.#regs[REG.SysStatus] = 0;
          this.#scheduleSagReassert();
          this.#ensureCheckScheduled();
        }
        return v;
      }
      case REG.CS1: return cs1Of((a) => this.#regs[a]);
      case REG.CS2: return cs2Of((a) => this.#regs[a]);
      case REG.EnStatus: return this.#enStatus(t);
    }
    if (addr >= ENERGY_BASE && addr <= REG.RTenergy) {
      const e = this.#energy[addr - ENERGY_BASE];
      return hostRead ? e.readClear(t) : e.value(t);
    }
    if (hostRead && LATCHING.has(addr)) this.#regs[REG.LSB] = this.#ext[addr];
    return this.#regs[addr];
  }

  #write(addr: number, value: number, poke: boolean): void {
    const info = registerInfo(addr);
    if (!info) return; // invalid address: discarded
    switch (addr) {
      case REG.SoftReset:
        if (value === Command.Reset) this.#reset();
        return;
      case REG.CalStart:
        this.#mutate(() => this.#calStart(value));
        return;
      case REG.AdjStart:
        this.#mutate(() => this.#adjStart(value));
        return;
      case REG.CS1:
        this.#regs[addr] = value;
        if (this.#regs[REG.CalStart] === Command.Check) this.#calDirty = true;
        this.#ensureCheckScheduled();
        return;
      case REG.CS2:
        this.#regs[addr] = value;
        if (this.#regs[REG.AdjStart] === Command.Check) this.#adjDirty = true;
        this.#ensureCheckScheduled();
        return;
    }
    if (info.access !== 'R/W') {
      if (poke) this.#pokeReadOnly(addr, value);
      return; // read-only: checksum echoed, data ignored (§1, §9.9)
    }
    this.#mutate(() => {
      this.#regs[addr] = value;
      if (addr === REG.PLconstL) this.#plConstant = ((this.#regs[REG.PLconstH] << 16) | value) >>> 0;
      if (addr >= CS1_BLOCK.first && addr <= CS1_BLOCK.last && this.#regs[REG.CalStart] === Command.Check) this.#calDirty = true;
      if (addr >= CS2_BLOCK.first && addr <= CS2_BLOCK.last && this.#regs[REG.AdjStart] === Command.Check) this.#adjDirty = true;
    });
    this.#ensureCheckScheduled();
  }

  #pokeReadOnly(addr: number, value: number): void {
    if (addr === REG.EnStatus) {
      throw new RangeError('EnStatus (46H) is derived from the metering state and cannot be poked; change the MMD pins with configure({ mmd })');
    }
    if (addr >= ENERGY_BASE && addr <= REG.RTenergy) {
      this.#energy[addr - ENERGY_BASE].set(this.#time.now(), value);
      return;
    }
    this.#regs[addr] = value;
    this.#ext[addr] = 0;
  }

  #calStart(value: number): void {
    const r = this.#regs;
    r[REG.CalStart] = value;
    this.#calDirty = false;
    this.#calFail = false;
    if (value === Command.Calibrate) {
      for (let a = CS1_BLOCK.first; a <= CS1_BLOCK.last; a++) r[a] = registerInfo(a)!.reset;
      this.#plConstant = ((r[REG.PLconstH] << 16) | r[REG.PLconstL]) >>> 0;
    } else if (value === Command.Check) {
      this.#calFail = cs1Of((a) => r[a]) !== r[REG.CS1];
    }
    if (this.#calFail || isBadCommand(value)) r[REG.SysStatus] |= SysStatusBits.CalErr;
    else r[REG.SysStatus] &= ~SysStatusBits.CalErr;
    this.#ensureCheckScheduled();
  }

  #adjStart(value: number): void {
    const r = this.#regs;
    r[REG.AdjStart] = value;
    this.#adjDirty = false;
    this.#adjFail = false;
    if (value === Command.Calibrate) {
      for (let a = CS2_BLOCK.first; a <= CS2_BLOCK.last; a++) r[a] = registerInfo(a)!.reset;
    } else if (value === Command.Check) {
      this.#adjFail = cs2Of((a) => r[a]) !== r[REG.CS2];
    }
    if (this.#adjFail || isBadCommand(value)) r[REG.SysStatus] |= SysStatusBits.AdjErr;
    else r[REG.SysStatus] &= ~SysStatusBits.AdjErr;
    this.#ensureCheckScheduled();
  }

  #enStatus(t: number): number {
    this.#syncPulses(t);
    const mm = decodeMMode(this.#regs[REG.MMode]);
    let v = this.#cfg.mmd & EnStatusBits.LNMode;
    if (!this.#qRun) v |= EnStatusBits.Qnoload;
    if (!this.#pRun) v |= EnStatusBits.Pnoload;
    if (this.#revQ && !mm.rmodAbsolute) v |= EnStatusBits.RevQ;
    if (this.#revP && !mm.amodAbsolute) v |= EnStatusBits.RevP;
    if (this.#lline) v |= EnStatusBits.Lline;
    return v;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reset and checksum checks

  #reset(): void {
    const t = this.#time.now();
    this.#syncPulses(t);
    this.#generation++;
    this.#checkEvent?.cancel();
    this.#checkEvent = null;
    this.#sagEvent?.cancel();
    this.#sagEvent = null;
    for (const r of REGISTERS) this.#regs[r.addr] = r.reset;
    this.#ext.fill(0);
    this.#rx.reset();
    this.#calFail = this.#adjFail = this.#calDirty = this.#adjDirty = false;
    this.#plConstant = ((this.#regs[REG.PLconstH] << 16) | this.#regs[REG.PLconstL]) >>> 0;
    this.#lline = true;
    this.#cfP.reset(t);
    this.#cfQ.reset(t);
    for (const e of this.#energy) e.reset(t);
    this.#revP = this.#revQ = false;
    this.#lastDirP = this.#lastDirQ = 0;
    this.#sag = false;
    this.#resetAt = t;
    this.#refresh();
  }

  #needsCheck(): boolean {
    const r = this.#regs;
    const sys = r[REG.SysStatus];
    const cal = r[REG.CalStart];
    const adj = r[REG.AdjStart];
    const calShown = (sys & SysStatusBits.CalErr) === SysStatusBits.CalErr;
    const adjShown = (sys & SysStatusBits.AdjErr) === SysStatusBits.AdjErr;
    const calNeed = cal === Command.Check ? this.#calDirty || (this.#calFail && !calShown) : isBadCommand(cal) && !calShown;
    const adjNeed = adj === Command.Check ? this.#adjDirty || (this.#adjFail && !adjShown) : isBadCommand(adj) && !adjShown;
    return calNeed || adjNeed;
  }

  #ensureCheckScheduled(): void {
    if (this.#checkEvent || !this.#needsCheck()) return;
    const now = this.#time.now();
    const period = this.#cfg.checksumCheckPeriodUs;
    const k = Math.floor((now - this.#resetAt) / period) + 1;
    const t = Math.max(now + 1, Math.ceil(this.#resetAt + k * period));
    this.#checkEvent = this.#time.at(t, () => {
      this.#checkEvent = null;
      this.#periodicCheck();
    });
  }

  #periodicCheck(): void {
    this.#mutate(() => {
      const r = this.#regs;
      const cal = r[REG.CalStart];
      const adj = r[REG.AdjStart];
      if (cal === Command.Check) this.#calFail = cs1Of((a) => r[a]) !== r[REG.CS1];
      if (adj === Command.Check) this.#adjFail = cs2Of((a) => r[a]) !== r[REG.CS2];
      if ((cal === Command.Check && this.#calFail) || isBadCommand(cal)) r[REG.SysStatus] |= SysStatusBits.CalErr;
      if ((adj === Command.Check && this.#adjFail) || isBadCommand(adj)) r[REG.SysStatus] |= SysStatusBits.AdjErr;
      this.#calDirty = this.#adjDirty = false;
    });
    this.#ensureCheckScheduled();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Measurement and metering

  #spectraOf(p: AfePinPhasors): PinSpectra {
    const n = maxOrderFor(p.freqHz, this.#cfg.harmonicBandwidthHz);
    return { freqHz: p.freqHz, V: spectrumOf(p.V, n), IL: spectrumOf(p.IL, n), IN: spectrumOf(p.IN, n) };
  }

  #mutate(change: () => void): void {
    change();
    this.#refresh();
  }

  /** Re-derive everything that depends on the pins and the registers, from now on. */
  #refresh(): void {
    const r = this.#regs;
    const mm = decodeMMode(r[REG.MMode]);
    if (this.#wave) { this.#refreshWaveform(mm, this.#wave); return; }
    const dc = mm.disHpf === 3; // DC reaches the DSP only with both high-pass filters off
    const s = this.#spectra;
    const zero: LineProducts = { p: 0, q: 0, p1: 0, q1: 0 };
    let vRms = 0;
    let ilRms = 0;
    let inRms = 0;
    let v1 = 0;
    let prodL = zero;
    let prodN = zero;
    if (s) {
      const noise = this.#cfg.noiseFloorVrms;
      vRms = Math.hypot(spectrumRms(s.V, dc), noise);
      ilRms = Math.hypot(spectrumRms(s.IL, dc), noise / mm.lPga);
      inRms = Math.hypot(spectrumRms(s.IN, dc), noise / mm.nGain);
      v1 = Math.hypot(s.V.re[1], s.V.im[1]);
      const lsbS = this.#cfg.phaseLsbUs * 1e-6;
      prodL = lineProducts(s.V, s.IL, s.freqHz, decodePhi(r[REG.Lphi]) * lsbS, dc);
      prodN = lineProducts(s.V, s.IN, s.freqHz, decodePhi(r[REG.Nphi]) * lsbS, dc);
    }
    if (this.measuring) this.#measure(mm, vRms, v1, ilRms, inRms, prodL, prodN, s ? s.freqHz : null);
    this.#evaluateSag(vRms);
    this.#meter(mm, prodL, prodN);
  }

  /** #refresh at waveform level: the same register paths fed with the sample-level measurements. */
  #refreshWaveform(mm: MModeFields, w: WaveState): void {
    const win = w.window;
    if (win && this.measuring) this.#measure(mm, win.vRms, win.vRms, win.ilRms, win.inRms, win.L, win.N, win.freqHz);
    this.#setSag(w.sag);
    this.#meterWaveform(mm, w.cycle ?? win);
  }

  /** The energy path on a line cycle's mean powers (the fundamental parts are not used there). */
  #meterWaveform(mm: MModeFields, c: { L: { p: number; q: number }; N: { p: number; q: number } } | null): void {
    this.#meter(mm, { p: c ? c.L.p : 0, q: c ? c.L.q : 0, p1: 0, q1: 0 }, { p: c ? c.N.p : 0, q: c ? c.N.q : 0, p1: 0, q1: 0 });
  }

  #measure(mm: MModeFields, vRms: number, v1: number, ilRms: number, inRms: number, prodL: LineProducts, prodN: LineProducts, freqHz: number | null): void {
    const r = this.#regs;
    const cfg = this.#cfg;
    const ugain = r[REG.Ugain] & 0x7fff;
    const uReg = withOffset(vRms * ugain * cfg.KU, r[REG.Uoffset], ugain);
    this.#setUnsigned(REG.Urms, uReg, 0xffff);
    const uVolts = ugain * cfg.KU / 100; // register volts per pin volt
    const small = r[REG.SmallPMod] === Command.SmallPower;
    const line = (rms: number, pga: number, igain: number, k: number, ioff: number, poff: number, qoff: number,
      prod: LineProducts, regs: readonly [number, number, number, number, number, number]): void => {
      const [irmsA, pA, qA, pfA, angA, sA] = regs;
      const iReg = withOffset(rms * pga * igain * k, r[ioff], igain);
      this.#setUnsigned(irmsA, iReg, 0xffff);
      const iAmps = pga * igain * k / 1000; // register amperes per pin volt
      const smallToW = igain * ugain / SMALL_POWER_K;
      const pW = prod.p * uVolts * iAmps + toInt16(r[poff]) * smallToW;
      const qW = prod.q * uVolts * iAmps + toInt16(r[qoff]) * smallToW;
      const scale = small ? (smallToW > 0 ? 1 / smallToW : 0) : 1;
      this.#setSigned(pA, pW * scale);
      this.#setSigned(qA, qW * scale);
      const sVA = (uReg / 100) * (iReg / 1000);
      this.#setUnsigned(sA, sVA, 0x7fff);
      r[pfA] = sVA > 0 ? encodePowerF(pW / sVA) : 0;
      r[angA] = prod.p1 !== 0 || prod.q1 !== 0 ? encodePangle((Math.atan2(prod.q1, prod.p1) * 180) / Math.PI) : 0;
    };
    line(ilRms, mm.lPga, r[REG.IgainL], cfg.KIL, REG.IoffsetL, REG.PoffsetL, REG.QoffsetL, prodL,
      [REG.Irms, REG.Pmean, REG.Qmean, REG.PowerF, REG.Pangle, REG.Smean]);
    line(inRms, mm.nGain, r[REG.IgainN], cfg.KI, REG.IoffsetN, REG.PoffsetN, REG.QoffsetN, prodN,
      [REG.Irms2, REG.Pmean2, REG.Qmean2, REG.PowerF2, REG.Pangle2, REG.Smean2]);
    // Freq is timed from voltage zero crossings: without a voltage it keeps its last value.
    if (freqHz !== null && v1 >= cfg.minInputVrms) {
      r[REG.Freq] = Math.max(4500, Math.min(6500, Math.round(freqHz * 100)));
    }
  }

  /** Store a value with 1/65536 LSB resolution: integer part in the register, bits 15..8 of the fraction for LSB. */
  #setUnsigned(addr: number, x: number, max: number): void {
    const ext = Math.min(max * 65536 + 65535, Math.max(0, Math.round(x * 65536)));
    const whole = Math.floor(ext / 65536);
    this.#regs[addr] = whole;
    this.#ext[addr] = (ext - whole * 65536) & 0xff00;
  }

  #setSigned(addr: number, x: number): void {
    const ext = Math.min(32767 * 65536 + 65535, Math.max(-32768 * 65536, Math.round(x * 65536)));
    const whole = Math.floor(ext / 65536);
    this.#regs[addr] = whole & 0xffff;
    this.#ext[addr] = (ext - whole * 65536) & 0xff00;
  }

  #evaluateSag(vRms: number): void {
    // Sag scale (§4.8): SagTh = 100 x Un x sqrt2 x x% / (4 x Ugain / 32768), i.e. the compared peak is
    // sqrt2 x Urms[0.01 V] x 32768 / (4 x Ugain) = sqrt2 x Vpin x KU x 8192, independent of Ugain (a raw ADC level).
    const level = Math.SQRT2 * vRms * this.#cfg.KU * 8192;
    this.#setSag(level < this.#regs[REG.SagTh]);
  }

  /** Sag state from either level (waveform: the sample-level detector of waveform-dsp.ts). */
  #setSag(sag: boolean): void {
    this.#sag = sag;
    if (this.#sag && (this.#regs[REG.FuncEn] & FuncEnBits.SagEn)) this.#regs[REG.SysStatus] |= SysStatusBits.SagWarn;
  }

  #scheduleSagReassert(): void {
    if (this.#sagEvent || !this.#sag || !(this.#regs[REG.FuncEn] & FuncEnBits.SagEn)) return;
    const cycleUs = Math.round(1e6 / (this.#wave?.window?.freqHz ?? this.#spectra?.freqHz ?? 50));
    this.#sagEvent = this.#time.at(this.#time.now() + cycleUs, () => {
      this.#sagEvent = null;
      if (this.#sag && (this.#regs[REG.FuncEn] & FuncEnBits.SagEn)) this.#regs[REG.SysStatus] |= SysStatusBits.SagWarn;
    });
  }

  #meter(mm: MModeFields, prodL: LineProducts, prodN: LineProducts): void {
    const r = this.#regs;
    const t = this.#time.now();
    const running = this.metering;
    // Internal energy rate p = G x Vi[mV] x Vu[mV] x cos(phi) x (1 + gain / 32768) (§4.3), summed over orders.
    const gl = mm.lPga * 1e6 * (1 + toInt16(r[REG.Lgain]) / 32768);
    const gn = mm.nGain * 1e6 * (1 + toInt16(r[REG.Ngain]) / 32768);
    const pL = prodL.p * gl;
    const qL = prodL.q * gl;
    const pN = prodN.p * gn;
    const qN = prodN.q * gn;
    let p: number;
    let q: number;
    switch (this.#cfg.mmd) {
      case 0:
        if (running) this.#antiTamper(pL, pN, r[REG.PStartTh] / THRESHOLD_K, mm.pthresh);
        p = this.#lline ? pL : pN;
        q = this.#lline ? qL : qN;
        break;
      case 1: p = pL; q = qL; break;
      case 2: p = pL + pN; q = qL + qN; break;
      default: p = mm.lnSel === 'L' ? pL : pN; q = mm.lnSel === 'L' ? qL : qN; break;
    }
    const pTh = Math.max(r[REG.PStartTh], r[REG.PNolTh]) / THRESHOLD_K;
    const qTh = Math.max(r[REG.QStartTh], r[REG.QNolTh]) / THRESHOLD_K;
    this.#pRun = running && p !== 0 && Math.abs(p) >= pTh;
    this.#qRun = running && q !== 0 && Math.abs(q) >= qTh;
    const pl = this.#plConstant;
    const rP = this.#pRun && pl > 0 ? (PULSE_K * p) / pl / 1e6 : 0; // pulses per microsecond
    const rQ = this.#qRun && pl > 0 ? (PULSE_K * q) / pl / 1e6 : 0;
    this.#cfP.setRate(t, mm.amodAbsolute ? Math.abs(rP) : rP, this.#emitP);
    this.#cfQ.setRate(t, mm.rmodAbsolute ? Math.abs(rQ) : rQ, this.#emitQ);
    const e = this.#energy;
    e[0].setRate(t, Math.max(0, rP) * 10);
    e[1].setRate(t, Math.max(0, -rP) * 10);
    e[2].setRate(t, Math.abs(rP) * 10);
    e[3].setRate(t, Math.max(0, rQ) * 10);
    e[4].setRate(t, Math.max(0, -rQ) * 10);
    e[5].setRate(t, Math.abs(rQ) * 10);
    this.#schedulePulseEvents();
  }

  /** Anti-tamper line choice with hysteresis (§4.6); |p| of each line after its gain correction. */
  #antiTamper(pL: number, pN: number, startP: number, threshold: number): void {
    const aL = Math.abs(pL);
    const aN = Math.abs(pN);
    let useL = this.#lline;
    const inBand = (a: number): boolean => a >= startP && a <= 8 * startP;
    if (inBand(aL) && inBand(aN)) {
      if (aL !== aN) useL = aL > aN;
    } else if (this.#lline) {
      if (aN > aL && (aL === 0 || (aN - aL) / aL > threshold)) useL = false;
    } else if (aL > aN && (aN === 0 || (aL - aN) / aN > threshold)) {
      useL = true;
    }
    if (useL !== this.#lline) {
      this.#lline = useL;
      this.#regs[REG.SysStatus] |= SysStatusBits.LNchange;
    }
  }

  #pulse(line: CfLine, dir: 1 | -1, tUs: number): void {
    const r = this.#regs;
    if (line === 'P') {
      this.#cf1++;
      if (this.#lastDirP !== 0 && this.#lastDirP !== dir && (r[REG.FuncEn] & FuncEnBits.RevPEn)) r[REG.SysStatus] |= SysStatusBits.RevPchg;
      this.#lastDirP = dir;
      this.#revP = dir < 0;
    } else {
      this.#cf2++;
      if (this.#lastDirQ !== 0 && this.#lastDirQ !== dir && (r[REG.FuncEn] & FuncEnBits.RevQEn)) r[REG.SysStatus] |= SysStatusBits.RevQchg;
      this.#lastDirQ = dir;
      this.#revQ = dir < 0;
    }
    this.#onCfPulse?.(line, tUs);
  }

  #syncPulses(t: number): void {
    this.#cfP.sync(t, this.#emitP);
    this.#cfQ.sync(t, this.#emitQ);
  }

  /** Pulse events exist only while someone listens: the counters are exact without them. */
  #schedulePulseEvents(): void {
    for (let i = 0; i < 2; i++) this.#schedulePulse(i);
  }

  #schedulePulse(i: number, minAt = this.#time.now()): void {
    this.#pulseEvents[i]?.cancel();
    this.#pulseEvents[i] = null;
    if (!this.#onCfPulse) return;
    const next = (i === 0 ? this.#cfP : this.#cfQ).nextPulseUs();
    if (!Number.isFinite(next)) return;
    this.#pulseEvents[i] = this.#time.at(Math.max(minAt, Math.ceil(next)), () => {
      this.#pulseEvents[i] = null;
      const now = this.#time.now();
      this.#syncPulses(now);
      // Float noise at an exact crossing may leave a pulse for the next microsecond: always move forward.
      this.#schedulePulse(i, now + 1);
    });
  }
}

/** RMS offset (two's complement word) applied as the inverse of AN step 12, clamped at 0. */
function withOffset(raw: number, offsetWord: number, gain: number): number {
  const off = toInt16(offsetWord);
  if (off === 0 || gain === 0) return Math.max(0, raw);
  return Math.max(0, raw + (off * 256) / gain);
}

