import { describe, expect, it } from 'vitest';
import {
  type DeployInfo,
  deployPluginOutput,
  evaluateDeployCheck,
  formatAge,
} from '../../collector/src/check/deploy.js';
import { CRITICAL, OK, UNKNOWN, WARNING } from '../../collector/src/check/state.js';
import type { SeriesImpact, Verdict } from '../../collector/src/deploys/impact.js';

const deploy: DeployInfo = { id: 7, what: 'api 1.5.0', when: 1000, tags: ['deploy', 'service:api'] };
const policy = { worse: CRITICAL, onMissing: UNKNOWN } as const;

function impact(
  target: string,
  verdict: Verdict,
  mean: number | null = 40.123,
  reason = `why ${verdict}`,
): SeriesImpact {
  const w = { count: 10, mean: 1, p50: 1, p99: 1 };
  return {
    target,
    tags: { name: target },
    step: 10,
    before: w,
    after: w,
    change: { mean, p50: mean, p99: mean },
    test: null,
    verdict,
    reason,
  };
}

describe('deploy check verdicts', () => {
  it('worse is CRITICAL, or WARNING when configured; better and unchanged are OK', () => {
    expect(evaluateDeployCheck(deploy, [impact('a', 'worse')], true, policy).state).toBe(CRITICAL);
    expect(evaluateDeployCheck(deploy, [impact('a', 'worse')], true, { ...policy, worse: WARNING }).state).toBe(
      WARNING,
    );
    expect(evaluateDeployCheck(deploy, [impact('a', 'better')], true, policy).state).toBe(OK);
    expect(evaluateDeployCheck(deploy, [impact('a', 'unchanged')], true, policy).state).toBe(OK);
  });

  it('unknown is OK while the after window fills, then the onMissing state', () => {
    const pending = evaluateDeployCheck(deploy, [impact('a', 'unknown')], false, policy);
    expect(pending.state).toBe(OK);
    expect(pending.series[0]).toMatchObject({ pending: true, state: OK });
    expect(evaluateDeployCheck(deploy, [impact('a', 'unknown')], true, policy).state).toBe(UNKNOWN);
    expect(evaluateDeployCheck(deploy, [impact('a', 'unknown')], true, { ...policy, onMissing: CRITICAL }).state).toBe(
      CRITICAL,
    );
  });

  it('no deploy and no series are the onMissing state', () => {
    expect(evaluateDeployCheck(undefined, [], false, policy)).toMatchObject({ state: UNKNOWN, missing: 'no-deploy' });
    expect(evaluateDeployCheck(deploy, [], true, { ...policy, onMissing: OK })).toMatchObject({
      state: OK,
      missing: 'no-series',
    });
  });

  it('several series: worst wins', () => {
    const v = evaluateDeployCheck(
      deploy,
      [impact('a', 'better'), impact('b', 'worse'), impact('c', 'unknown')],
      true,
      policy,
    );
    expect(v.series.map((s) => s.state)).toEqual([OK, CRITICAL, UNKNOWN]);
    expect(v).toMatchObject({ state: CRITICAL, decisive: 1 });
  });
});

describe('deploy check output', () => {
  const ctx = { service: 'api', targets: ['a'], now: 1000 + 12 * 60 };
  it('names the deploy, the verdict and its reason; perfdata is the change of the mean in %', () => {
    const out = deployPluginOutput(evaluateDeployCheck(deploy, [impact('a', 'worse')], true, policy), ctx);
    expect(out).toBe(
      `TRENDLINE CRITICAL - deploy "api 1.5.0" (id 7, 12 min ago): a worse: why worse | 'a'=40.12%;;;;\n`,
    );
  });
  it('writes U when the mean has no change to show', () => {
    const out = deployPluginOutput(evaluateDeployCheck(deploy, [impact('a', 'unknown', null)], false, policy), ctx);
    expect(out).toBe(
      `TRENDLINE OK - deploy "api 1.5.0" (id 7, 12 min ago): a not judged yet: why unknown | 'a'=U;;;;\n`,
    );
  });
  it('several series: one line and one perfdata pair each', () => {
    const v = evaluateDeployCheck(deploy, [impact('a', 'unchanged', 0.000001), impact('b', 'worse', 80)], true, policy);
    expect(deployPluginOutput(v, ctx)).toBe(
      [
        `TRENDLINE CRITICAL - deploy "api 1.5.0" (id 7, 12 min ago): b worse (2 series: 1 critical, 1 ok) | 'a'=0%;;;;`,
        'OK: a unchanged: why unchanged',
        "CRITICAL: b worse: why worse | 'b'=80%;;;;",
        '',
      ].join('\n'),
    );
  });
  it('no deploy, no series', () => {
    expect(deployPluginOutput(evaluateDeployCheck(undefined, [], false, policy), ctx)).toBe(
      'TRENDLINE UNKNOWN - no deploy of service "api" found\n',
    );
    expect(deployPluginOutput(evaluateDeployCheck(deploy, [], true, policy), { ...ctx, targets: ['x.*'] })).toBe(
      'TRENDLINE UNKNOWN - deploy "api 1.5.0" (id 7, 12 min ago): no series matched "x.*"\n',
    );
  });
  it.each([
    [5, '5 s'],
    [119, '119 s'],
    [120, '2 min'],
    [7199, '120 min'],
    [7200, '2 h'],
    [172_800, '2 d'],
  ])('age %i s reads %s', (sec, text) => {
    expect(formatAge(sec)).toBe(text);
  });
});
