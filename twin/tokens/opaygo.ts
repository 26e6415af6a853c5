// OpenPAYGO Token: the chain generator, the restricted digit set, and the decoder in its two behaviours.
//
//   spec    - the semantics of docs/tokens.md ("Decoding, and the decoder's state"); the `fixed` firmware profile.
//   shipped - the OpenSmartMeter C decoder (`firmware/lib/opaygo_decoder/opaygo_decoder.c`, docs/firmware.md
//             §6.3) ported literally, quirks included: the MarkCountAsUsed shift loop that passes CHECK_BIT's masked
//             value to SET_BIT, 16-bit truncation of MaxCount/UsedCounts/Count, register shifts by 32 or more giving
//             0 as ARMv7-M's LSL does, and a 15-digit input compared as a uint64 against a uint32 chain element when
//             RESTRICTED_DIGIT_SET_MODE is not compiled into the decoder (defect D42), which can never match.
//
// Pure and deterministic: no state is kept here; the decoder takes the state and returns the new one.

import { sipHash24Halves } from './siphash.ts';

// Constants, named as in the OpenPAYGO specification and `opaygo_decoder.h` / `opaygo_core.h`.
/** Largest forward jump in count a normal token may make (`opaygo_decoder.h`). */
export const MAX_TOKEN_JUMP = 64;
/** Largest forward jump in count a counter-sync token may make (`opaygo_decoder.h`). */
export const MAX_TOKEN_JUMP_COUNTER_SYNC = 100;
/** How many counts below MaxCount an unused ADD token is still accepted (`opaygo_decoder.h`, max 16). */
export const MAX_UNUSED_OLDER_TOKENS = 16;
/** Largest activation value (`opaygo_core.h`; unused by the decoder). 996 and 997 are reserved and decoded like any value. */
export const MAX_ACTIVATION_VALUE = 995;
/** Value of a "disable PAYG" (unlock forever) token. */
export const PAYG_DISABLE_VALUE = 998;
/** Value of a counter-synchronisation token. */
export const COUNTER_SYNC_VALUE = 999;
/** Digits of a standard token. */
export const TOKEN_LENGTH = 9;
/** Digits of a restricted-digit-set token (digits 1-4, two bits each). */
export const RESTRICTED_TOKEN_LENGTH = 15;
/** Chain values above this are folded down by TOKEN_FOLD so that every token fits in 9 digits (29.5 bits). */
export const TOKEN_MAX_CHAIN_VALUE = 999_999_999;
export const TOKEN_FOLD = 73_741_825;

/** Key and starting code compiled into the OpenSmartMeter firmware (`main.cpp:33-35`, docs/firmware.md §6.1). */
export const FIRMWARE_SECRET_KEY = 'a29ab82edc5fbbc41ec9530f6dac86b1';
export const FIRMWARE_STARTING_CODE = 123456789;
/** Decoder state of a factory-fresh OpenSmartMeter: TokenCount = 1, UsedTokens = 0 (§6.1). */
export const FIRMWARE_INITIAL_STATE: Readonly<DecoderState> = Object.freeze({ maxCount: 1, usedCounts: 0 });
/** Key and starting code of the OpenSmartMeter quick-start guide (not what the firmware ships with, defect D43). */
export const DOCS_SECRET_KEY = '47a01268b629e1b027fe20c99309643f';
export const DOCS_STARTING_CODE = 407592873;

/** A secret key: 32 hex characters (whitespace allowed between bytes) or 16 raw bytes. */
export type OpaygoKey = string | Uint8Array;
export type DecoderBehaviour = 'spec' | 'shipped';
export const DECODER_BEHAVIOURS: readonly DecoderBehaviour[] = ['spec', 'shipped'];
export type TokenType = 'add' | 'set' | 'disable' | 'sync';

/** Decoder state: `maxCount` is TokenCount (uint16), `usedCounts` is UsedTokens (16-bit mask, bit k = count maxCount-1-k). */
export interface DecoderState { maxCount: number; usedCounts: number }

export interface GenerateOptions {
  key: OpaygoKey;
  startingCode: number;
  /** 0..999: an amount (0..995), 996/997 reserved, PAYG_DISABLE_VALUE or COUNTER_SYNC_VALUE. */
  value: number;
  /** Position in the chain; even = ADD, odd = SET/DISABLE/SYNC by the reference server's rule. */
  count: number;
  /** Produce the 15-digit restricted digit set form. Default false. */
  restricted?: boolean;
}

export interface DecodeOptions {
  key: OpaygoKey;
  startingCode: number;
  /** Default 'spec'. */
  behaviour?: DecoderBehaviour;
  /** Token typed in the restricted digit set (15 digits). Under `shipped` this means the decoder was built with
   *  -DRESTRICTED_DIGIT_SET_MODE. Default false. */
  restricted?: boolean;
}

/** value -1: no count matched; -2: a count matched but none was acceptable (count = maxCount, state unchanged). */
export interface DecodeResult { value: number; count: number; maxCountAfter: number; usedCountsAfter: number }

// ---------------------------------------------------------------------------------------------------------------
// Input checks

/** Parses a key into its 16 bytes; throws a clear Error for anything else. */
export function parseKey(key: OpaygoKey): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== 16) throw new Error(`secret key must be 16 bytes, got ${key.length}`);
    return key;
  }
  if (typeof key !== 'string') throw new Error(`secret key must be a string of 32 hex characters, got ${typeof key}`);
  const hex = key.replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new Error(`secret key must be 32 hex characters (16 bytes), got "${key}" (${hex.length} character${hex.length === 1 ? '' : 's'})`);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${name} must be an integer ${lo}..${hi}, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}

function checkStartingCode(sc: unknown): number {
  return checkInt('starting code', sc, 0, TOKEN_MAX_CHAIN_VALUE);
}

function checkState(state: DecoderState): DecoderState {
  if (state === null || typeof state !== 'object') throw new Error('decoder state must be { maxCount, usedCounts }');
  checkInt('maxCount', state.maxCount, 0, 0xffff);
  checkInt('usedCounts', state.usedCounts, 0, 0xffff);
  return state;
}

function checkDigits(token: unknown): string {
  if (typeof token !== 'string') throw new Error(`token must be a string of digits, got ${typeof token}`);
  if (token.length === 0) throw new Error('token is empty');
  if (!/^[0-9]+$/.test(token)) throw new Error(`token "${token}" must contain only the digits 0-9`);
  return token;
}

// ---------------------------------------------------------------------------------------------------------------
// Chain

/** base(n) = n % 1000 (`GetTokenBase`). */
export function getTokenBase(n: number): number { return n % 1000; }

/** withBase(n, b) = n - n % 1000 + b (`PutBaseInToken`). */
export function putBaseInToken(n: number, base: number): number { return n - (n % 1000) + base; }

/** tokenBase = (startingCode % 1000 + value) % 1000. */
export function encodeBase(startingCode: number, value: number): number { return (getTokenBase(startingCode) + value) % 1000; }

/** value = (tokenBase - startingCode % 1000) mod 1000 (`DecodeBase`). */
export function decodeBase(startingCodeBase: number, tokenBase: number): number {
  const d = tokenBase - startingCodeBase;
  return d < 0 ? d + 1000 : d;
}

function nextTokenBytes(t: number, key: Uint8Array, m: Uint8Array): number {
  // m = be32(t) || be32(t)
  m[0] = m[4] = (t >>> 24) & 0xff;
  m[1] = m[5] = (t >>> 16) & 0xff;
  m[2] = m[6] = (t >>> 8) & 0xff;
  m[3] = m[7] = t & 0xff;
  const h = sipHash24Halves(key, m);
  const r = ((h.hi ^ h.lo) >>> 0) >>> 2; // x = hi XOR lo; keep 30 bits
  return r > TOKEN_MAX_CHAIN_VALUE ? r - TOKEN_FOLD : r;
}

/** The chain step next(t) = fold((hi ^ lo) >> 2) of SipHash-2-4(key, be32(t) || be32(t)) (`GenerateOPAYGOToken`). */
export function nextToken(t: number, key: OpaygoKey): number {
  checkInt('chain value', t, 0, 0xffffffff);
  return nextTokenBytes(t, parseKey(key), new Uint8Array(8));
}

/** The token type by the reference server's rule: 998 disable, 999 sync, otherwise even count ADD, odd SET. */
export function tokenTypeOf(value: number, count: number): TokenType {
  if (value === PAYG_DISABLE_VALUE) return 'disable';
  if (value === COUNTER_SYNC_VALUE) return 'sync';
  return count % 2 === 0 ? 'add' : 'set';
}

/** Generates the token for (value, count); 9 digits with leading zeros, or 15 restricted digits. */
export function generateToken(opts: GenerateOptions): string {
  if (opts === null || typeof opts !== 'object') throw new Error('generateToken needs { key, startingCode, value, count }');
  const key = parseKey(opts.key);
  const sc = checkStartingCode(opts.startingCode);
  const value = checkInt('value', opts.value, 0, 999);
  const count = checkInt('count', opts.count, 0, 0xffff);
  const tb = encodeBase(sc, value);
  const m = new Uint8Array(8);
  let t = putBaseInToken(sc, tb);
  for (let c = 0; c < count; c++) t = nextTokenBytes(t, key, m);
  const token = putBaseInToken(t, tb);
  return opts.restricted ? toRestrictedDigits(token) : String(token).padStart(TOKEN_LENGTH, '0');
}

// ---------------------------------------------------------------------------------------------------------------
// Restricted digit set

/** A 9-digit token (< 2^30) as 15 digits 1-4: its 30 bits two at a time, most significant first, pair p → digit p+1. */
export function toRestrictedDigits(token: number): string {
  checkInt('token for the restricted digit set', token, 0, 2 ** 30 - 1);
  let s = '';
  for (let shift = 28; shift >= 0; shift -= 2) s += String(((token >>> shift) & 3) + 1);
  return s;
}

/** Reverses toRestrictedDigits: each digit d gives the 2 bits (d-1) & 3, most significant first (0 gives 3, as in C). */
export function fromRestrictedDigits(digits: string): number {
  checkDigits(digits);
  if (digits.length !== RESTRICTED_TOKEN_LENGTH) {
    throw new Error(`restricted-digit token "${digits}" must have ${RESTRICTED_TOKEN_LENGTH} digits, got ${digits.length}`);
  }
  let n = 0;
  for (let i = 0; i < digits.length; i++) n = n * 4 + ((digits.charCodeAt(i) - 48 - 1) & 3);
  return n;
}

/** `ConvertFromFourDigitToken` ported literally: the 15 least significant decimal digits of a uint64, read from the
 *  least significant end, each digit minus 1 as a uint8 stored as its 2 low bits. */
function convertFromFourDigitTokenC(fourDigitToken: number): number {
  const bits = new Array<number>(30).fill(0);
  let t = fourDigitToken;
  for (let i = 0; i < 15; i++) {
    const thisDigit = ((t % 10) - 1) & 0xff; // uint8_t ThisDigit = (FourDigitToken % 10) - 1
    bits[(14 - i) * 2] = (thisDigit >> 1) & 1;
    bits[(14 - i) * 2 + 1] = thisDigit & 1;
    t = Math.floor(t / 10);
  }
  let buffer = 0;
  for (let i = 0; i < 30; i++) buffer = ((buffer << 1) + bits[i]!) >>> 0;
  return buffer;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoder

/** Decodes `token` against `state` (not mutated) and returns the value, count and new state. */
export function decodeToken(token: string, state: DecoderState, opts: DecodeOptions): DecodeResult {
  if (opts === null || typeof opts !== 'object') throw new Error('decodeToken needs { key, startingCode }');
  const behaviour = opts.behaviour ?? 'spec';
  if (behaviour !== 'spec' && behaviour !== 'shipped') {
    throw new Error(`decoder behaviour must be "spec" or "shipped", got ${JSON.stringify(behaviour)}`);
  }
  const key = parseKey(opts.key);
  const sc = checkStartingCode(opts.startingCode);
  checkState(state);
  checkDigits(token);
  const restricted = opts.restricted === true;
  if (restricted) {
    if (token.length !== RESTRICTED_TOKEN_LENGTH) {
      throw new Error(`restricted-digit token "${token}" must have ${RESTRICTED_TOKEN_LENGTH} digits, got ${token.length}`);
    }
  } else if (token.length !== TOKEN_LENGTH) {
    // The shipped firmware can be built with TOKEN_LENGTH 15 while the decoder lacks the restricted define (D42).
    if (!(behaviour === 'shipped' && token.length === RESTRICTED_TOKEN_LENGTH)) {
      const also = behaviour === 'shipped' ? ` (or ${RESTRICTED_TOKEN_LENGTH} as typed on a build without the restricted flag)` : '';
      throw new Error(`token "${token}" must have ${TOKEN_LENGTH} digits${also}, got ${token.length}; ` +
        `use the restricted digit set option for ${RESTRICTED_TOKEN_LENGTH}-digit tokens`);
    }
  }
  return behaviour === 'spec'
    ? decodeSpec(token, state, key, sc, restricted)
    : decodeShipped(token, state, key, sc, restricted);
}

function decodeSpec(token: string, state: DecoderState, key: Uint8Array, sc: number, restricted: boolean): DecodeResult {
  const M = state.maxCount, U = state.usedCounts;
  const N = restricted ? fromRestrictedDigits(token) : Number(token);
  const tb = N % 1000;
  const value = decodeBase(sc % 1000, tb);
  // [UNDET] The specification's counts are unbounded, but the state is a uint16. The spec decoder therefore stops at
  // count 65535 (a token further up the chain gives -1) instead of wrapping as the shipped C does.
  const limit = Math.min(0xffff, M + (value === COUNTER_SYNC_VALUE ? MAX_TOKEN_JUMP_COUNTER_SYNC : MAX_TOKEN_JUMP));
  const m = new Uint8Array(8);
  let found = false;
  let T = putBaseInToken(sc, tb);
  for (let count = 0; count <= limit; count++) {
    if (putBaseInToken(T, tb) === N) {
      if (isAcceptableSpec(count, M, U, value)) {
        const after = markUsedSpec(count, M, U, value);
        return { value, count, maxCountAfter: after.maxCount, usedCountsAfter: after.usedCounts };
      }
      found = true;
    }
    T = nextTokenBytes(T, key, m);
  }
  return { value: found ? -2 : -1, count: M, maxCountAfter: M, usedCountsAfter: U };
}

function isAcceptableSpec(count: number, M: number, U: number, value: number): boolean {
  if (value === COUNTER_SYNC_VALUE) return count > M - MAX_TOKEN_JUMP;
  if (count > M) return true;
  return count !== 0 && count % 2 === 0 && count > M - MAX_UNUSED_OLDER_TOKENS && count !== M &&
    (U & (1 << (M - count - 1))) === 0;
}

function markUsedSpec(count: number, M: number, U: number, value: number): DecoderState {
  let used: number;
  if (count % 2 === 1 || value === PAYG_DISABLE_VALUE || value === COUNTER_SYNC_VALUE) {
    used = 0xffff; // SET, disable and sync: every older count becomes used
  } else if (count > M) {
    const R = count - M;
    used = R > MAX_UNUSED_OLDER_TOKENS ? 0 : ((U << R) | (1 << (R - 1))) & 0xffff;
  } else {
    used = U | (1 << (M - count - 1)); // an older ADD
  }
  return { maxCount: Math.max(M, count), usedCounts: used };
}

// --- shipped: opaygo_decoder.c, line for line -------------------------------------------------------------------

/** `1 << n` as the Cortex-M3 computes it with LSL (register): the shift amount is the low byte of the register, and
 *  shifts of 32..255 give 0 (ARMv7-M ARM, A7.7.68). C calls shifts >= 32 undefined; this is what the chip does. */
function armShl(v: number, n: number): number {
  const s = n & 0xff;
  return s >= 32 ? 0 : v << s;
}

/** CHECK_BIT(variable, position) ((variable) & (1<<(position))): the masked bit itself, not 0/1. */
function CHECK_BIT(variable: number, position: number): number { return variable & armShl(1, position); }

/** SET_BIT(variable, position, value) (variable & ~(1<<position)) | (value<<position), in 32-bit int. */
function SET_BIT(variable: number, position: number, value: number): number {
  return (variable & ~armShl(1, position)) | armShl(value, position);
}

function isInUsedCountsC(count: number, maxCount: number, usedCounts: number): boolean {
  const relativeCount = (maxCount - count - 1) & 0xffff; // uint16_t RelativeCount
  if (count % 2 !== 0 && count <= maxCount) return true;
  if (CHECK_BIT(usedCounts, relativeCount) !== 0 || count === maxCount) return true;
  return false;
}

function isCountValidC(count: number, maxCount: number, value: number, usedCounts: number): boolean {
  if (value === COUNTER_SYNC_VALUE) {
    if (count > maxCount - MAX_TOKEN_JUMP) return true;
  } else if (count > maxCount) {
    return true;
  } else if (MAX_UNUSED_OLDER_TOKENS > 0 && count !== 0) {
    if (count > maxCount - MAX_UNUSED_OLDER_TOKENS) {
      if (count % 2 === 0 && !isInUsedCountsC(count, maxCount, usedCounts)) return true;
    }
  }
  return false;
}

function markCountAsUsedC(count: number, state: DecoderState, value: number): void {
  let newUsedCount = 0;
  if (count % 2 !== 0 || value === COUNTER_SYNC_VALUE || value === PAYG_DISABLE_VALUE) {
    for (let i = 0; i < MAX_UNUSED_OLDER_TOKENS; i++) state.usedCounts = SET_BIT(state.usedCounts, i, 1) & 0xffff;
  } else if (count > state.maxCount) {
    let relativeCount = (count - state.maxCount) & 0xffff;
    if (relativeCount > MAX_UNUSED_OLDER_TOKENS) {
      relativeCount = MAX_UNUSED_OLDER_TOKENS;
    } else {
      newUsedCount = SET_BIT(newUsedCount, relativeCount - 1, 1) & 0xffff;
    }
    // The shift loop as written: starts at RelativeCount+1, stops at 16-RelativeCount, and writes the masked bit
    // (CHECK_BIT's value, not 0/1) shifted by i, so old bit (i-R) lands on bit 2i-R and bit i is cleared.
    for (let i = relativeCount + 1; i < MAX_UNUSED_OLDER_TOKENS - relativeCount; i++) {
      newUsedCount = SET_BIT(newUsedCount, i, CHECK_BIT(state.usedCounts, i - relativeCount)) & 0xffff;
    }
    state.usedCounts = newUsedCount;
  } else {
    state.usedCounts = SET_BIT(state.usedCounts, state.maxCount - count - 1, 1) & 0xffff;
  }
  if (count > state.maxCount) state.maxCount = count & 0xffff; // uint16_t *MaxCount = int Count
}

function decodeShipped(token: string, state: DecoderState, key: Uint8Array, startingCode: number,
  restricted: boolean): DecodeResult {
  const s: DecoderState = { maxCount: state.maxCount, usedCounts: state.usedCounts };
  // uint64_t InputToken: 9 or 15 digits are below 2^53, so a JS number holds them exactly.
  let inputToken = Number(token);
  if (restricted) inputToken = convertFromFourDigitTokenC(inputToken); // #ifdef RESTRICTED_DIGIT_SET_MODE
  const startingCodeBase = getTokenBase(startingCode);
  const tokenBase = getTokenBase(inputToken % 0x1_0000_0000); // GetTokenBase((uint32_t)InputToken)
  let currentToken = putBaseInToken(startingCode, tokenBase) >>> 0;
  const value = decodeBase(startingCodeBase, tokenBase);
  const maxCountTry = s.maxCount + (value === COUNTER_SYNC_VALUE ? MAX_TOKEN_JUMP_COUNTER_SYNC : MAX_TOKEN_JUMP);
  const m = new Uint8Array(8);
  let validOlderToken = false;
  for (let count = 0; count <= maxCountTry; count++) {
    const maskedToken = putBaseInToken(currentToken, tokenBase) >>> 0; // uint32_t
    if (maskedToken === inputToken) { // uint32 == uint64: a 15-digit input above 2^32 never matches
      if (isCountValidC(count, s.maxCount, value, s.usedCounts)) {
        markCountAsUsedC(count, s, value);
        return { value, count: count & 0xffff, maxCountAfter: s.maxCount, usedCountsAfter: s.usedCounts };
      }
      validOlderToken = true;
    }
    currentToken = nextTokenBytes(currentToken, key, m);
  }
  return { value: validOlderToken ? -2 : -1, count: s.maxCount, maxCountAfter: s.maxCount, usedCountsAfter: s.usedCounts };
}
