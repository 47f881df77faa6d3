import { hash } from 'node:crypto';

/** SHA-256 round constants (FIPS 180-4, 4.2.2). */
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** SHA-256 initial hash value (FIPS 180-4, 5.3.3). */
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const BLOCK = 64;
/** The longest message that fits one block with SHA-256's padding (0x80 and the 8-byte length). */
export const SHORT_HMAC_MAX_BYTES = BLOCK - 9;

/** The message schedule, shared (single-threaded, nothing awaits inside `compress`). */
const W = new Int32Array(64);

/** One SHA-256 compression (FIPS 180-4, 6.2.2): `out` = `state` + rounds over the 16 words `block`. */
function compress(state: Int32Array, block: Int32Array, out: Int32Array): void {
  for (let i = 0; i < 16; i++) W[i] = block[i];
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7]; // prettier-ignore
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (state[0] + a) | 0;
  out[1] = (state[1] + b) | 0;
  out[2] = (state[2] + c) | 0;
  out[3] = (state[3] + d) | 0;
  out[4] = (state[4] + e) | 0;
  out[5] = (state[5] + f) | 0;
  out[6] = (state[6] + g) | 0;
  out[7] = (state[7] + h) | 0;
}

/** The state after hashing one block of key ⊕ pad (RFC 2104). */
function padState(key: Buffer, pad: number): Int32Array {
  const block = new Int32Array(16);
  for (let i = 0; i < 16; i++) {
    const at = 4 * i;
    block[i] = (((key[at] ?? 0) ^ pad) << 24) | (((key[at + 1] ?? 0) ^ pad) << 16) | (((key[at + 2] ?? 0) ^ pad) << 8) | ((key[at + 3] ?? 0) ^ pad);
  }
  const state = new Int32Array(8);
  compress(IV, block, state);
  return state;
}

/**
 * HMAC-SHA-256 (RFC 2104) of short ASCII values under one key, as hex: what
 * `createHmac('sha256', key).update(value).digest('hex')` gives, for a third of its CPU.
 *
 * Why by hand: a pseudonym is an HMAC of a value of a dozen bytes, a million times an upload.
 * HMAC hashes the key's inner and outer pad blocks first, the same for every value; here they
 * are hashed once, and each value then costs two SHA-256 compressions (its one block, then the
 * inner digest's) and no allocation but the hex string. Every node:crypto call costs ~1.5 µs
 * whatever its input (two a value), @noble/hashes' cloned HMAC ~3 µs, hash-wasm ~2.5 µs; this,
 * ~0.8 µs (measured on the project's machine kind). Only the compression is ours: key
 * preparation (a key longer than a block is hashed, as RFC 2104 says) is node:crypto's, and a
 * value that is not ASCII or longer than one block answers `null` for the caller's native path.
 * short-hmac.spec.ts checks it against node:crypto on RFC 4231's vectors and random keys and values.
 */
export class ShortHmacSha256 {
  private readonly inner: Int32Array;
  private readonly outer: Int32Array;
  private readonly block = new Int32Array(16);
  private readonly digest = new Int32Array(8);
  private readonly bytes = Buffer.alloc(32);

  constructor(key: Buffer) {
    const k = key.length > BLOCK ? (hash('sha256', key, 'buffer') as unknown as Buffer) : key;
    this.inner = padState(k, 0x36);
    this.outer = padState(k, 0x5c);
  }

  /** The hex HMAC of `value`, or null when it is not ASCII or longer than SHORT_HMAC_MAX_BYTES. */
  hex(value: string): string | null {
    const n = value.length;
    if (n > SHORT_HMAC_MAX_BYTES) return null;
    const w = this.block;
    w.fill(0);
    for (let i = 0; i < n; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) return null;
      w[i >> 2] |= code << (24 - 8 * (i & 3));
    }
    w[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
    w[15] = (BLOCK + n) * 8; // bit length of ipad block ‖ value
    const d = this.digest;
    compress(this.inner, w, d);
    for (let i = 0; i < 8; i++) w[i] = d[i];
    w[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK + 32) * 8; // bit length of opad block ‖ inner digest
    compress(this.outer, w, d);
    // Big-endian words to bytes, then node's hex: a flat string (joining 32 pieces cost twice as much).
    for (let i = 0; i < 8; i++) this.bytes.writeInt32BE(d[i], 4 * i);
    return this.bytes.toString('hex');
  }
}
