// Build-time parameters of the firmware's OpenPAYGO part (main.cpp:33-35, opaygo_token.hpp:18-26; docs/firmware.md
// §6.1) and the twin's choices where the original leaves something open. Every value has a documented default and is
// checked with a clear message.
import type { FirmwareConfig } from '../../profiles/profile.ts';
import {
  FIRMWARE_SECRET_KEY, FIRMWARE_STARTING_CODE, TOKEN_MAX_CHAIN_VALUE, parseKey, type DecoderBehaviour,
} from '../../tokens/opaygo.ts';

/** Which decoder the build links: `profile` = the C decoder on `shipped`/`field`, the spec one on `fixed`. */
export type DecoderChoice = 'profile' | DecoderBehaviour;

export interface OpaygoConfig {
  /** `SECRET_KEY` (main.cpp:34-35): 32 hex characters. Default the firmware's a29a…86b1 (not the docs' key, D43). */
  secretKey: string;
  /** `StartingCode` (main.cpp:33). Default 123456789. */
  startingCode: number;
  /** Decoder behaviour (twin/tokens/opaygo.ts). Default `profile`. */
  decoder: DecoderChoice;
  /**
   * `#define RESTRICTED_DIGIT_SET_MODE` in opaygo_token.hpp (commented out as shipped): the entry reads 15 digits.
   * With D42 present the define does not reach opaygo_decoder.c, so such a build rejects every token. Default false.
   */
  restrictedDigitSet: boolean;
  /**
   * Key poll period of a wait loop that is not paced by the modem UART, ms. The original spins on `getKey()`, which
   * scans at most every 10 ms (Keypad debounce); the D38-fixed entry and a D39-fixed build poll every `keyPollMs`,
   * as the mode-0 wait loop does with its `delay(20)`. Default 20.
   */
  keyPollMs: number;
  /** D38 fixed: an entry with no key for this long is abandoned (a stray `*` must not hang the meter), ms. Default 30 000. */
  entryTimeoutMs: number;
  /** D40 fixed: how often the waiting loop measures (mode 2) and sets the relay from `IsActive()`, ms. Default 1000. */
  servicePeriodMs: number;
  /**
   * CPU time of one decoder chain step (a SipHash-2-4 of 8 bytes plus the compare) on the 72 MHz Cortex-M3, µs.
   * [UNDET] not measured on the meter; about 1000 cycles for SipHash on a 32-bit core without 64-bit arithmetic.
   * Default 15: a 65-step search takes about 1 ms, the 65 600 steps of a virgin TokenCount about 1 s.
   */
  chainStepUs: number;
}

export const OPAYGO_DEFAULTS: Readonly<OpaygoConfig> = Object.freeze({
  secretKey: FIRMWARE_SECRET_KEY,
  startingCode: FIRMWARE_STARTING_CODE,
  decoder: 'profile',
  restrictedDigitSet: false,
  keyPollMs: 20,
  entryTimeoutMs: 30_000,
  servicePeriodMs: 1000,
  chainStepUs: 15,
});

const DECODER_CHOICES: readonly DecoderChoice[] = ['profile', 'spec', 'shipped'];

function wholeMs(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`OpenPAYGO option ${name} must be a whole number ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Fill in the defaults and check every field; throws an Error naming the bad option. */
export function resolveOpaygoConfig(partial: Partial<OpaygoConfig> = {}): OpaygoConfig {
  if (partial === null || typeof partial !== 'object') throw new Error('OpenPAYGO options must be an object');
  const known = Object.keys(OPAYGO_DEFAULTS);
  for (const k of Object.keys(partial)) {
    if (!known.includes(k)) throw new Error(`unknown OpenPAYGO option '${k}' (expected one of ${known.join(', ')})`);
  }
  const c: OpaygoConfig = { ...OPAYGO_DEFAULTS, ...partial };
  try {
    parseKey(c.secretKey);
  } catch (err) {
    throw new Error(`OpenPAYGO option secretKey: ${(err as Error).message}`);
  }
  wholeMs('startingCode', c.startingCode, 0, TOKEN_MAX_CHAIN_VALUE);
  if (!DECODER_CHOICES.includes(c.decoder)) {
    throw new Error(`OpenPAYGO option decoder must be one of ${DECODER_CHOICES.join(', ')}, got ${JSON.stringify(c.decoder)}`);
  }
  if (typeof c.restrictedDigitSet !== 'boolean') {
    throw new Error(`OpenPAYGO option restrictedDigitSet must be true or false, got ${JSON.stringify(c.restrictedDigitSet)}`);
  }
  wholeMs('keyPollMs', c.keyPollMs, 1, 1000);
  wholeMs('entryTimeoutMs', c.entryTimeoutMs, 1000, 3_600_000);
  wholeMs('servicePeriodMs', c.servicePeriodMs, 50, 3_600_000);
  if (typeof c.chainStepUs !== 'number' || !(c.chainStepUs >= 0) || c.chainStepUs > 10_000) {
    throw new Error(`OpenPAYGO option chainStepUs must be a number 0..10000, got ${JSON.stringify(c.chainStepUs)}`);
  }
  return c;
}

/**
 * The decoder a build links. The C decoder's `MarkCountAsUsed` bug (docs/tokens.md "The firmware's C decoder") is not
 * one of the 48 numbered defects: it belongs to the profile. `shipped` and `field` link the C decoder as it is in the
 * repository; `fixed` links the corrected one (the specification's semantics).
 */
export function decoderBehaviourFor(fw: FirmwareConfig, choice: DecoderChoice): DecoderBehaviour {
  if (choice !== 'profile') return choice;
  return fw.profile === 'fixed' ? 'spec' : 'shipped';
}

/**
 * The `fixed` profile also orders the token update so that a power cut cannot leave a token's credit stored without
 * its count: the decoder state is stored first, then the credit or time, then the LEDs blink. The original applies the
 * value, blinks for 0.5-5 s, and only then stores TokenCount (opaygo_token.hpp:50-92), so a cut during the blink
 * leaves the credit in EEPROM and the token unused: it can be entered again. Not a numbered defect; a profile property.
 */
export function storesBeforeBlinking(fw: FirmwareConfig): boolean {
  return fw.profile === 'fixed';
}
