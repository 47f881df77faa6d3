import { bernoulliExpNeg, discreteGaussian, discreteLaplace, gaussianNoise, laplaceNoise, zcdpFromApproxDp } from './discrete-mechanisms';
import { dpQuantile } from './quantile';
import { CryptoRandomSource, SeededRandomSource } from './random-source';

const DRAWS = 20_000;
function moments(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('discrete mechanisms (statistical calibration, seeded source)', () => {
  it('Bernoulli(exp(−γ)) hits its probability, for γ below and above 1', () => {
    const random = new SeededRandomSource('bernoulli');
    for (const [num, den] of [[1n, 2n], [5n, 2n]] as const) {
      let ones = 0;
      for (let i = 0; i < DRAWS; i++) if (bernoulliExpNeg(num, den, random)) ones++;
      const p = Math.exp(-Number(num) / Number(den));
      const se = Math.sqrt((p * (1 - p)) / DRAWS);
      expect(Math.abs(ones / DRAWS - p)).toBeLessThan(4 * se);
    }
  });

  it('discrete Laplace of scale 1/ε: mean ≈ 0, variance ≈ 2/ε² (exactly 2p/(1−p)², p = e^−ε)', () => {
    const random = new SeededRandomSource('laplace');
    const epsilon = 0.5;
    const xs = Array.from({ length: DRAWS }, () => Number(laplaceNoise(epsilon, 1, random)));
    const { mean, variance } = moments(xs);
    const p = Math.exp(-epsilon);
    const exact = (2 * p) / (1 - p) ** 2; // 7.83 for ε = 0.5
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(exact / DRAWS));
    expect(Math.abs(variance / exact - 1)).toBeLessThan(0.06);
    expect(Math.abs(variance / (2 / epsilon ** 2) - 1)).toBeLessThan(0.08);
    expect(xs.every(Number.isInteger)).toBe(true);
  });

  it('discrete Laplace scales with the sensitivity', () => {
    const random = new SeededRandomSource('laplace-sensitivity');
    const xs = Array.from({ length: DRAWS }, () => Number(laplaceNoise(1, 10, random)));
    const p = Math.exp(-1 / 10);
    expect(Math.abs(moments(xs).variance / ((2 * p) / (1 - p) ** 2) - 1)).toBeLessThan(0.06);
  });

  it('discrete Gaussian: mean ≈ 0, variance ≈ σ²', () => {
    const random = new SeededRandomSource('gaussian');
    const sigma2 = 9;
    const xs = Array.from({ length: DRAWS }, () => Number(gaussianNoise(sigma2, random)));
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(sigma2 / DRAWS));
    expect(Math.abs(variance / sigma2 - 1)).toBeLessThan(0.05);
    // Symmetric: as many positive as negative draws.
    const pos = xs.filter((x) => x > 0).length;
    const neg = xs.filter((x) => x < 0).length;
    expect(Math.abs(pos - neg)).toBeLessThan(4 * Math.sqrt(DRAWS));
  });

  it('samples with rational σ² and small scales without hanging', () => {
    const random = new SeededRandomSource('small');
    expect(typeof discreteGaussian(1n, 4n, random)).toBe('bigint');
    expect(typeof discreteLaplace(3n, 1n, random)).toBe('bigint');
  });

  it('draws from the operating system CSPRNG in production', () => {
    const random = new CryptoRandomSource();
    const xs = Array.from({ length: 2000 }, () => Number(random.uniform(10n)));
    expect(new Set(xs).size).toBe(10);
    expect(xs.every((x) => x >= 0 && x < 10)).toBe(true);
  });

  it('converts (ε, δ) to the ρ-zCDP that implies it', () => {
    const rho = zcdpFromApproxDp(1, 1e-6);
    expect(rho + 2 * Math.sqrt(rho * Math.log(1e6))).toBeCloseTo(1, 10);
  });
});

describe('dpQuantile (exponential mechanism over the declared grid)', () => {
  it('lands near the true median with a generous epsilon, and always on the grid', () => {
    const random = new SeededRandomSource('quantile');
    // 100 persons with values 0..99 on a grid of step 1 over [0, 100]: histogram of ones.
    const histogram = [...Array(100).fill(1), 0];
    const outs = Array.from({ length: 200 }, () => dpQuantile(histogram, { min: 0, max: 100, steps: 100, q: 0.5, epsilon: 2 }, random));
    const median = outs.sort((a, b) => a - b)[100];
    expect(Math.abs(median - 50)).toBeLessThanOrEqual(2);
    expect(outs.every((x) => Number.isInteger(x) && x >= 0 && x <= 100)).toBe(true);
  });
});
