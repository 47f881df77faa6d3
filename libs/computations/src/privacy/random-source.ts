import { createHash, randomBytes } from 'node:crypto';

/** Uniform integers: the only randomness the privacy mechanisms use. */
export interface RandomSource {
  /** A uniform integer in [0, n), n ≥ 1. */
  uniform(n: bigint): bigint;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** Rejection sampling over `bytes()`: exact uniformity, no modulo bias. */
function uniformFrom(bytes: (count: number) => Buffer, n: bigint): bigint {
  if (n < 1n) throw new RangeError('uniform(n) needs n ≥ 1');
  if (n === 1n) return 0n;
  const bits = bitLength(n - 1n);
  const count = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const value = BigInt(`0x${bytes(count).toString('hex')}`) & mask;
    if (value < n) return value;
  }
}

/** The operating system's CSPRNG (node:crypto). The only source used for released results. */
export class CryptoRandomSource implements RandomSource {
  uniform(n: bigint): bigint {
    return uniformFrom(randomBytes, n);
  }
}

/**
 * A deterministic stream (SHA-256 in counter mode over a seed). For statistical
 * calibration tests only: never wired into the application.
 */
export class SeededRandomSource implements RandomSource {
  private counter = 0;
  private buffer = Buffer.alloc(0);

  constructor(private readonly seed: string) {}

  uniform(n: bigint): bigint {
    return uniformFrom((count) => this.take(count), n);
  }

  private take(count: number): Buffer {
    while (this.buffer.length < count) {
      const block = createHash('sha256').update(`${this.seed}:${this.counter++}`).digest();
      this.buffer = Buffer.concat([this.buffer, block]);
    }
    const out = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    return out;
  }
}

/** A uniform double in [0, 1) with 53 random bits. */
export function uniformUnit(random: RandomSource): number {
  return Number(random.uniform(1n << 53n)) / 2 ** 53;
}
