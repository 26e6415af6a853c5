// `GetDataFromToken(InputToken, &TokenCount, &UsedTokens, StartingCode, SECRET_KEY)` (lib/opaygo_decoder; firmware-
// behaviour.md §6.3): the decoder of twin/tokens/opaygo.ts on the firmware's uint64 token and its uint16 state.
//
// The token reaches the decoder as a number, not as typed text: the entry adds the keys up as `key × 10^(n−1−i)`
// (token-entry.ts), so what is decoded is that number's decimal form, zero-padded to the token length.
// - A number of 10 digits or more can never equal a chain element (each is below 10^9 once its base is put back):
//   the decoder finds no match, value −1, state unchanged. This is also the D42 case: a 15-digit entry given to a
//   decoder built without RESTRICTED_DIGIT_SET_MODE is compared as a uint64 against uint32 chain values.
// - The decoder's search costs CPU time: one SipHash per count tried (`chainStepUs` each).
import type { FirmwareContext } from '../firmware-context.ts';
import {
  COUNTER_SYNC_VALUE, MAX_TOKEN_JUMP, MAX_TOKEN_JUMP_COUNTER_SYNC, RESTRICTED_TOKEN_LENGTH, TOKEN_LENGTH,
  decodeBase, decodeToken, fromRestrictedDigits, getTokenBase,
} from '../../tokens/opaygo.ts';
import { decoderBehaviourFor, type OpaygoConfig } from './config.ts';

/** `TokenData`: what the decoder returns. */
export interface TokenData {
  /** Activation value 0..999, or −1 (invalid) / −2 (valid but already used or too old). */
  Value: number;
  /** The count the token was found at, or the unchanged TokenCount for −1/−2. */
  Count: number;
}

/** Digits the entry reads: 15 when the build defines RESTRICTED_DIGIT_SET_MODE, else 9 (opaygo_token.hpp:20-26). */
export function tokenLength(config: OpaygoConfig): number {
  return config.restrictedDigitSet ? RESTRICTED_TOKEN_LENGTH : TOKEN_LENGTH;
}

/** The decoder reads restricted-digit tokens only when the define reaches opaygo_decoder.c (D42 fixed). */
function decoderRestricted(fw: FirmwareContext, config: OpaygoConfig): boolean {
  return config.restrictedDigitSet && !fw.has('D42');
}

export function GetDataFromToken(fw: FirmwareContext, InputToken: number, config: OpaygoConfig): TokenData {
  const s = fw.state;
  const M = s.TokenCount & 0xffff;
  const U = s.UsedTokens & 0xffff;
  const restricted = decoderRestricted(fw, config);
  const digits = restricted ? RESTRICTED_TOKEN_LENGTH : TOKEN_LENGTH;
  if (!Number.isSafeInteger(InputToken) || InputToken < 0) {
    throw new Error(`GetDataFromToken: the token must be a whole number ≥ 0, got ${InputToken}`);
  }
  const text = String(InputToken);
  // The token base and value the search runs with, for its CPU time.
  const chainInput = restricted && text.length <= digits ? fromRestrictedDigits(text.padStart(digits, '0')) : InputToken;
  const value = decodeBase(getTokenBase(config.startingCode), getTokenBase(chainInput % 0x1_0000_0000));
  const limit = M + (value === COUNTER_SYNC_VALUE ? MAX_TOKEN_JUMP_COUNTER_SYNC : MAX_TOKEN_JUMP);
  if (text.length > digits || (!restricted && InputToken > 999_999_999)) {
    // No chain element can match: the whole search runs and finds nothing.
    fw.board.delayMicroseconds((limit + 1) * config.chainStepUs);
    return { Value: -1, Count: M };
  }
  const r = decodeToken(text.padStart(digits, '0'), { maxCount: M, usedCounts: U }, {
    key: config.secretKey,
    startingCode: config.startingCode,
    behaviour: decoderBehaviourFor(fw.cfg, config.decoder),
    restricted,
  });
  const steps = r.value >= 0 ? r.count + 1 : limit + 1;
  fw.board.delayMicroseconds(steps * config.chainStepUs);
  s.TokenCount = r.maxCountAfter & 0xffff;
  s.UsedTokens = r.usedCountsAfter & 0xffff;
  return { Value: r.value, Count: r.count };
}
