import { grantedFreshness, isFresh } from '../../../src/tokens/freshness';

const NOW = 1_800_000_000;

describe('isFresh', () => {
  it('takes true as fresh and false as not', () => {
    expect(isFresh({ fresh: true }, NOW)).toBe(true);
    expect(isFresh({ fresh: false }, NOW)).toBe(false);
  });

  it('takes a "fresh until" time as fresh strictly before it, with no leeway', () => {
    expect(isFresh({ fresh: NOW + 1 }, NOW)).toBe(true);
    expect(isFresh({ fresh: NOW }, NOW)).toBe(false);
    expect(isFresh({ fresh: NOW - 1 }, NOW)).toBe(false);
  });

  it('with a max age, also requires the password check to be at most that old', () => {
    expect(isFresh({ fresh: true, auth_time: NOW - 300 }, NOW, 300)).toBe(true);
    expect(isFresh({ fresh: true, auth_time: NOW - 301 }, NOW, 300)).toBe(false);
    expect(isFresh({ fresh: NOW + 600, auth_time: NOW - 301 }, NOW, 300)).toBe(false);
  });

  it('never satisfies a max age without auth_time', () => {
    expect(isFresh({ fresh: true }, NOW, 300)).toBe(false);
    expect(isFresh({ fresh: true }, NOW)).toBe(true);
  });

  it('takes only true or a number as fresh: a string that reads as a time is not one', () => {
    const claims = (fresh: unknown) => ({ fresh }) as Parameters<typeof isFresh>[0];
    expect(isFresh(claims(String(NOW + 600)), NOW)).toBe(false);
    expect(isFresh(claims('true'), NOW)).toBe(false);
    expect(isFresh(claims(1), NOW)).toBe(false);
  });

  it('does not let a recent password check make a non-fresh token fresh', () => {
    expect(isFresh({ fresh: false, auth_time: NOW }, NOW, 300)).toBe(false);
  });
});

describe('grantedFreshness', () => {
  it('grants true without a window and "fresh until" with one', () => {
    expect(grantedFreshness(NOW, 0)).toBe(true);
    expect(grantedFreshness(NOW, 600)).toBe(NOW + 600);
  });
});
