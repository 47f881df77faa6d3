import { median, quantile } from './stats';

describe('bench statistics', () => {
  it('takes the median of an odd and an even sample', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates quantiles between order statistics', () => {
    const xs = Array.from({ length: 101 }, (_, i) => i);
    expect(quantile(xs, 0.95)).toBe(95);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
