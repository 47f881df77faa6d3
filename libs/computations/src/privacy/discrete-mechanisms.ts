import type { RandomSource } from './random-source';

/**
 * Exact samplers of Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential
 * Privacy" (NeurIPS 2020), Algorithms 1–3. Every step draws uniform integers and compares
 * rationals in BigInt: no floating point touches the noise, so the attacks on textbook
 * floating-point Laplace (Mironov, CCS 2012) do not apply.
 */

/** Bernoulli(num/den). */
function bernoulli(num: bigint, den: bigint, random: RandomSource): boolean {
  return random.uniform(den) < num;
}

/** Bernoulli(exp(−num/den)) for num/den ≥ 0 (Algorithm 1). */
export function bernoulliExpNeg(num: bigint, den: bigint, random: RandomSource): boolean {
  if (num < 0n || den <= 0n) throw new RangeError('bernoulliExpNeg needs num ≥ 0, den > 0');
  if (num <= den) {
    let k = 1n;
    while (bernoulli(num, den * k, random)) k += 1n;
    return k % 2n === 1n;
  }
  for (let i = 0n; i < num / den; i += 1n) if (!bernoulliExpNeg(1n, 1n, random)) return false;
  return bernoulliExpNeg(num % den, den, random);
}

/** Discrete Laplace with P(y) ∝ exp(−|y|·s/t), i.e. scale t/s (Algorithm 2). */
export function discreteLaplace(s: bigint, t: bigint, random: RandomSource): bigint {
  if (s <= 0n || t <= 0n) throw new RangeError('discreteLaplace needs s, t > 0');
  for (;;) {
    const u = random.uniform(t);
    if (!bernoulliExpNeg(u, t, random)) continue;
    let v = 0n;
    while (bernoulliExpNeg(1n, 1n, random)) v += 1n;
    const y = (u + t * v) / s;
    const negative = random.uniform(2n) === 1n;
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** Discrete Gaussian with variance parameter σ² = num/den (Algorithm 3). */
export function discreteGaussian(sigma2Num: bigint, sigma2Den: bigint, random: RandomSource): bigint {
  if (sigma2Num <= 0n || sigma2Den <= 0n) throw new RangeError('discreteGaussian needs σ² > 0');
  const t = isqrt(sigma2Num / sigma2Den) + 1n;
  for (;;) {
    const y = discreteLaplace(1n, t, random);
    const abs = y < 0n ? -y : y;
    const diff = abs * sigma2Den * t - sigma2Num;
    if (bernoulliExpNeg(diff * diff, 2n * sigma2Num * sigma2Den * t * t, random)) return y;
  }
}

/** Rational approximations of the calibration, always on the side of more noise. */
const DENOMINATOR = 1_000_000_000n;

/** Noise for ε-DP at integer sensitivity Δ: discrete Laplace of scale Δ/ε (ε rounded down). */
export function laplaceNoise(epsilon: number, sensitivity: number, random: RandomSource): bigint {
  const s = BigInt(Math.floor(epsilon * Number(DENOMINATOR)));
  if (s <= 0n) throw new RangeError('epsilon too small');
  return discreteLaplace(s, DENOMINATOR * BigInt(Math.ceil(sensitivity)), random);
}

/** Noise of variance parameter σ² (rounded up) from the discrete Gaussian. */
export function gaussianNoise(sigma2: number, random: RandomSource): bigint {
  const num = BigInt(Math.ceil(sigma2 * 1_000_000));
  return discreteGaussian(num, 1_000_000n, random);
}

/**
 * ρ-zCDP that implies (ε, δ)-DP: ε = ρ + 2√(ρ ln(1/δ)) (Bun & Steinke 2016, Prop. 1.3),
 * solved for ρ.
 */
export function zcdpFromApproxDp(epsilon: number, delta: number): number {
  const l = Math.log(1 / delta);
  return (Math.sqrt(l + epsilon) - Math.sqrt(l)) ** 2;
}

/** σ² of the discrete Gaussian giving ρ-zCDP at sensitivity Δ: Δ²/(2ρ) (CKS 2020, Thm 14). */
export function gaussianSigma2(rho: number, sensitivity: number): number {
  return (sensitivity * sensitivity) / (2 * rho);
}
