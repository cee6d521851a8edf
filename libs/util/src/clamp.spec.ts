import { clamp } from './clamp';

describe('clamp', () => {
  it.each([
    [5, 0, 10, 5],
    [-1, 0, 10, 0],
    [11, 0, 10, 10],
    [0.25, 0.25, 4, 0.25],
    [Number.POSITIVE_INFINITY, 0.5, 2, 2],
  ])('clamp(%p, %p, %p) is %p', (value, min, max, expected) => {
    expect(clamp(value, min, max)).toBe(expected);
  });
});
