import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, RestartPolicy, restartPolicyFromEnv } from '../../collector/src/restart-policy.js';

const options = { firstDelayMs: 500, maxDelayMs: 4000, stableMs: 60_000, maxConsecutive: 6 };

describe('RestartPolicy', () => {
  it('doubles the delay for each crash in a row, up to the cap', () => {
    const p = new RestartPolicy(options, 0);
    const delays = [1, 2, 3, 4, 5, 6].map((i) => {
      const d = p.crashed(i * 1000, true);
      p.started(i * 1000 + (d ?? 0));
      return d;
    });
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('gives up after maxConsecutive crashes with no stable run between them', () => {
    const p = new RestartPolicy(options, 0);
    for (let i = 0; i < 6; i++) expect(p.crashed(i, true)).not.toBeNull();
    expect(p.crashed(7, true)).toBeNull();
  });

  it('counts a failed start as a crash in a row, even after a long wait', () => {
    const p = new RestartPolicy(options, 0);
    expect(p.crashed(1000, true)).toBe(500);
    expect(p.crashed(500_000, false)).toBe(1000);
  });

  it('starts over once the thread stayed up for stableMs', () => {
    const p = new RestartPolicy(options, 0);
    expect(p.crashed(1000, true)).toBe(500);
    p.started(1500);
    expect(p.crashed(2000, true)).toBe(1000);
    p.started(3000);
    expect(p.crashed(63_000, true)).toBe(500);
  });

  it('by default: 0.5 s, doubling to 30 s, giving up after 10 in a row (about 2.5 minutes of trying)', () => {
    const p = new RestartPolicy(DEFAULT_RESTART_POLICY, 0);
    const delays: Array<number | null> = [];
    for (let i = 0; i < 11; i++) delays.push(p.crashed(i, true));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000, null]);
  });
});

describe('restartPolicyFromEnv (TRENDLINE_TEST_RESTART_POLICY, test only)', () => {
  const spec = 'firstDelayMs=20,maxDelayMs=160';
  it('is the default policy unless TRENDLINE_TEST_HOOKS=1 is set too', () => {
    expect(restartPolicyFromEnv({})).toEqual(DEFAULT_RESTART_POLICY);
    expect(restartPolicyFromEnv({ TRENDLINE_TEST_RESTART_POLICY: spec })).toEqual(DEFAULT_RESTART_POLICY);
    expect(restartPolicyFromEnv({ TRENDLINE_TEST_HOOKS: '1' })).toEqual(DEFAULT_RESTART_POLICY);
  });

  it('replaces the fields it names', () => {
    expect(restartPolicyFromEnv({ TRENDLINE_TEST_HOOKS: '1', TRENDLINE_TEST_RESTART_POLICY: spec })).toEqual({
      ...DEFAULT_RESTART_POLICY,
      firstDelayMs: 20,
      maxDelayMs: 160,
    });
  });

  it.each([
    ['firstDelayMs', /expected key=value pairs of firstDelayMs, maxDelayMs, stableMs, maxConsecutive/],
    ['speed=2', /expected key=value pairs/],
    ['__proto__=1', /expected key=value pairs/],
    ['firstDelayMs=1=2', /expected key=value pairs/],
    ['firstDelayMs=0', /firstDelayMs must be a whole number, at least 1/],
    ['maxConsecutive=2.5', /maxConsecutive must be a whole number, at least 1/],
    ['firstDelayMs=-5', /must be a whole number/],
    ['firstDelayMs=40000', /firstDelayMs must not exceed maxDelayMs/],
  ])('refuses %s with one line', (value, why) => {
    expect(() => restartPolicyFromEnv({ TRENDLINE_TEST_HOOKS: '1', TRENDLINE_TEST_RESTART_POLICY: value })).toThrow(
      why,
    );
  });
});
