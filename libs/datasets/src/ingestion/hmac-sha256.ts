import { createHash } from 'node:crypto';

/* FIPS 180-4 round constants. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
/** The two hex characters of every byte value, side by side. */
const HEX_PAIRS = new Uint8Array(Buffer.from(Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0')).join(''), 'latin1'));

/** One SHA-256 compression into the state `H` of the block whose 16 big-endian words the caller put in W[0..15]. */
function compress(H: Int32Array, W: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15];
    const w2 = W[t - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
  }
  let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + (g ^ (e & (f ^ g))) + K[t] + W[t]) | 0; // Ch(e, f, g)
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) | (c & (a | b)))) | 0; // Maj(a, b, c)
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
  H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
}

/**
 * HMAC-SHA-256 (RFC 2104) with the keyed inner and outer states computed once, so that a
 * pseudonym costs two compressions and no allocation. node:crypto's createHmac costs a
 * native object per value (~2 µs, the largest single cost of an upload); the output is
 * byte-for-byte the same (checked against node:crypto in hmac-sha256.spec.ts).
 * Not constant-time, which is irrelevant here: it runs on values the uploader already holds.
 */
export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly H = new Int32Array(8);
  private readonly W = new Int32Array(64);

  constructor(key: string | Uint8Array) {
    let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (k.length > 64) k = createHash('sha256').update(k).digest();
    const W = this.W;
    for (const [state, byte] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      W.fill(0, 0, 16);
      for (let i = 0; i < 64; i++) W[i >> 2] |= ((i < k.length ? k[i] : 0) ^ byte) << (24 - 8 * (i & 3));
      state.set(IV);
      compress(state, W);
    }
    W.fill(0);
    k.fill(0);
  }

  /** Writes the 64 lower-case hex characters of HMAC(key, msg[start, end)) into `out` at `pos`. */
  hexInto(msg: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): void {
    const { H, W } = this;
    // inner hash: keyed state, the message's whole blocks, then its rest with the padding and bit length
    H.set(this.inner);
    let i = start;
    for (; end - i >= 64; i += 64) {
      for (let t = 0, j = i; t < 16; t++, j += 4) W[t] = (msg[j] << 24) | (msg[j + 1] << 16) | (msg[j + 2] << 8) | msg[j + 3];
      compress(H, W);
    }
    const rest = end - i;
    W.fill(0, 0, 16);
    for (let k = 0; k < rest; k++) W[k >> 2] |= msg[i + k] << (24 - 8 * (k & 3));
    W[rest >> 2] |= 0x80 << (24 - 8 * (rest & 3));
    if (rest >= 56) {
      compress(H, W);
      W.fill(0, 0, 16);
    }
    W[15] = (end - start + 64) * 8; // the keyed block counts; values are far below 2^29 bytes, so the high word stays 0
    compress(H, W);
    // outer hash: keyed state, then the 32-byte inner digest, padded (one block of 768 bits)
    for (let t = 0; t < 8; t++) W[t] = H[t];
    W[8] = 0x80000000 | 0;
    W.fill(0, 9, 15);
    W[15] = 768;
    H.set(this.outer);
    compress(H, W);
    for (let t = 0, p = pos; t < 8; t++) {
      const v = H[t];
      for (let s = 24; s >= 0; s -= 8) {
        const x = ((v >>> s) & 255) << 1;
        out[p++] = HEX_PAIRS[x];
        out[p++] = HEX_PAIRS[x + 1];
      }
    }
  }

  /** The hex HMAC of a string's UTF-8 bytes. */
  hex(value: string): string {
    const bytes = Buffer.from(value, 'utf8');
    const out = Buffer.allocUnsafe(64);
    this.hexInto(bytes, 0, bytes.length, out, 0);
    return out.toString('latin1');
  }
}
