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

/** One SHA-256 compression of the 64-byte block at `off` into the state `H`. */
function compress(H: Int32Array, W: Int32Array, M: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const j = off + t * 4;
    W[t] = (M[j] << 24) | (M[j + 1] << 16) | (M[j + 2] << 8) | M[j + 3];
  }
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
  private block = new Uint8Array(128);

  constructor(key: string | Uint8Array) {
    let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (k.length > 64) k = createHash('sha256').update(k).digest();
    const pad = new Uint8Array(64);
    for (const [state, byte] of [[this.inner, 0x36], [this.outer, 0x5c]] as const) {
      for (let i = 0; i < 64; i++) pad[i] = (i < k.length ? k[i] : 0) ^ byte;
      state.set(IV);
      compress(state, this.W, pad, 0);
    }
    pad.fill(0);
    k.fill(0);
  }

  /** Writes the 64 lower-case hex characters of HMAC(key, msg[start, end)) into `out` at `pos`. */
  hexInto(msg: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): void {
    const { H, W } = this;
    const len = end - start;
    const blockFor = len + 9 > this.block.length ? (this.block = new Uint8Array((len + 72) & ~63)) : this.block;
    // inner hash: keyed state, then the message padded to whole blocks
    H.set(this.inner);
    let n = 0;
    for (let i = start; i < end; i++) blockFor[n++] = msg[i];
    blockFor[n++] = 0x80;
    const total = (n + 8 + 63) & ~63;
    while (n < total - 4) blockFor[n++] = 0;
    const bits = (len + 64) * 8; // the keyed block counts; uploads keep values far below 2^29 bytes
    blockFor[n++] = bits >>> 24; blockFor[n++] = bits >>> 16; blockFor[n++] = bits >>> 8; blockFor[n++] = bits;
    for (let off = 0; off < total; off += 64) compress(H, W, blockFor, off);
    // outer hash: keyed state, then the 32-byte inner digest (one block)
    for (let i = 0; i < 8; i++) {
      const v = H[i];
      blockFor[i * 4] = v >>> 24; blockFor[i * 4 + 1] = v >>> 16; blockFor[i * 4 + 2] = v >>> 8; blockFor[i * 4 + 3] = v;
    }
    blockFor[32] = 0x80;
    for (let i = 33; i < 62; i++) blockFor[i] = 0;
    blockFor[62] = 0x03; // (64 + 32) * 8 = 768 bits
    blockFor[63] = 0x00;
    H.set(this.outer);
    compress(H, W, blockFor, 0);
    for (let i = 0, p = pos; i < 8; i++) {
      const v = H[i];
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
