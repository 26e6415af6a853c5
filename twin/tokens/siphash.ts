// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", INDOCRYPT 2012), the keyed hash at the heart
// of OpenPAYGO Token (docs/tokens.md "Making a token"; firmware `lib/opaygo_decoder/siphash.c`).
//
// Every 64-bit word is carried as two unsigned 32-bit halves (hi, lo) so the hash stays plain, fast JavaScript with
// no BigInt per round; `sipHash24` returns the 64-bit result as a bigint for callers that want one number.
// Key: 16 bytes; k0 is the little-endian word of bytes 0-7, k1 of bytes 8-15 (paper §2, "Initialization").

/** Number of compression rounds per message block (the "2" of SipHash-2-4). */
export const SIP_C_ROUNDS = 2;
/** Number of finalization rounds (the "4" of SipHash-2-4). */
export const SIP_D_ROUNDS = 4;

// Initialization constants of the paper: "somepseudorandomlygeneratedbytes" in ASCII, as (hi, lo) halves.
const IV0_HI = 0x736f6d65, IV0_LO = 0x70736575;
const IV1_HI = 0x646f7261, IV1_LO = 0x6e646f6d;
const IV2_HI = 0x6c796765, IV2_LO = 0x6e657261;
const IV3_HI = 0x74656462, IV3_LO = 0x79746573;

/** A 64-bit hash value as two unsigned 32-bit halves. */
export interface Word64 { hi: number; lo: number }

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) {
    throw new Error(`SipHash key must be 16 bytes, got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}`);
  }
}

function le32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/**
 * SipHash-2-4 of `message` under `key`, as two 32-bit halves: `hi` = bits 63..32, `lo` = bits 31..0.
 * State words v0..v3 live in s[0..7] as (hi, lo) pairs.
 */
export function sipHash24Halves(key: Uint8Array, message: Uint8Array): Word64 {
  checkKey(key);
  const k0lo = le32(key, 0), k0hi = le32(key, 4), k1lo = le32(key, 8), k1hi = le32(key, 12);
  const s = new Uint32Array(8);
  s[0] = IV0_HI ^ k0hi; s[1] = IV0_LO ^ k0lo;
  s[2] = IV1_HI ^ k1hi; s[3] = IV1_LO ^ k1lo;
  s[4] = IV2_HI ^ k0hi; s[5] = IV2_LO ^ k0lo;
  s[6] = IV3_HI ^ k1hi; s[7] = IV3_LO ^ k1lo;

  const len = message.length;
  const end = len - (len % 8);
  for (let i = 0; i < end; i += 8) absorb(s, le32(message, i + 4), le32(message, i));

  // Last block: the remaining 0..7 bytes, little-endian, with (len mod 256) in the most significant byte.
  let mlo = 0, mhi = ((len & 0xff) << 24) >>> 0;
  for (let i = end, k = 0; i < len; i++, k++) {
    if (k < 4) mlo = (mlo | (message[i]! << (8 * k))) >>> 0;
    else mhi = (mhi | (message[i]! << (8 * (k - 4)))) >>> 0;
  }
  absorb(s, mhi, mlo);

  s[5] = s[5]! ^ 0xff; // v2 ^= 0xff
  for (let r = 0; r < SIP_D_ROUNDS; r++) sipRound(s);
  return { hi: (s[0]! ^ s[2]! ^ s[4]! ^ s[6]!) >>> 0, lo: (s[1]! ^ s[3]! ^ s[5]! ^ s[7]!) >>> 0 };
}

/** SipHash-2-4 of `message` under `key`, as an unsigned 64-bit bigint. */
export function sipHash24(key: Uint8Array, message: Uint8Array): bigint {
  const h = sipHash24Halves(key, message);
  return (BigInt(h.hi) << 32n) | BigInt(h.lo);
}

/** v3 ^= m; c rounds; v0 ^= m. */
function absorb(s: Uint32Array, mhi: number, mlo: number): void {
  s[6] = s[6]! ^ mhi; s[7] = s[7]! ^ mlo;
  for (let r = 0; r < SIP_C_ROUNDS; r++) sipRound(s);
  s[0] = s[0]! ^ mhi; s[1] = s[1]! ^ mlo;
}

// One SipRound (paper Fig. 2.1):
//   v0 += v1; v1 <<<= 13; v1 ^= v0; v0 <<<= 32;  v2 += v3; v3 <<<= 16; v3 ^= v2;
//   v0 += v3; v3 <<<= 21; v3 ^= v0;              v2 += v1; v1 <<<= 17; v1 ^= v2; v2 <<<= 32.
function sipRound(s: Uint32Array): void {
  let v0h = s[0]!, v0l = s[1]!, v1h = s[2]!, v1l = s[3]!, v2h = s[4]!, v2l = s[5]!, v3h = s[6]!, v3l = s[7]!;
  let lo: number, t: number;

  // v0 += v1
  lo = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0; v0l = lo;
  // v1 <<<= 13
  t = v1h; v1h = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (t >>> 19)) >>> 0;
  // v1 ^= v0
  v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
  // v0 <<<= 32
  t = v0h; v0h = v0l; v0l = t;

  // v2 += v3
  lo = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0; v2l = lo;
  // v3 <<<= 16
  t = v3h; v3h = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (t >>> 16)) >>> 0;
  // v3 ^= v2
  v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;

  // v0 += v3
  lo = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0; v0l = lo;
  // v3 <<<= 21
  t = v3h; v3h = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (t >>> 11)) >>> 0;
  // v3 ^= v0
  v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;

  // v2 += v1
  lo = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0; v2l = lo;
  // v1 <<<= 17
  t = v1h; v1h = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (t >>> 15)) >>> 0;
  // v1 ^= v2
  v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
  // v2 <<<= 32
  t = v2h; v2h = v2l; v2l = t;

  s[0] = v0h; s[1] = v0l; s[2] = v1h; s[3] = v1l; s[4] = v2h; s[5] = v2l; s[6] = v3h; s[7] = v3l;
}
