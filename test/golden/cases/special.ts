import type { GoldenCase } from '../harness.js';
import { START, STEP } from '../harness.js';

/** Tagged inputs for seriesByTag: the harness's tag source gives every series its key as the `name` tag. */
const tagged = {
  // Deliberately not in name order: seriesByTag returns its series sorted by name.
  'cpu.b': { values: [10, null, 30], tags: { dc: 'eu', env: 'prod' } },
  'cpu.a': { values: [1, 2, 3], tags: { dc: 'us-east', env: 'prod' } },
  'cpu.c': { values: [100, 200, 300], tags: { env: 'dev' } },
  'mem.a': { values: [5, 5, 5], tags: { dc: 'us-east', env: 'prod' } },
};
const cpuA = { name: 'cpu.a', values: [1, 2, 3], tags: { dc: 'us-east', env: 'prod', name: 'cpu.a' } };
const cpuB = { name: 'cpu.b', values: [10, null, 30], tags: { dc: 'eu', env: 'prod', name: 'cpu.b' } };
const cpuC = { name: 'cpu.c', values: [100, 200, 300], tags: { env: 'dev', name: 'cpu.c' } };
const memA = { name: 'mem.a', values: [5, 5, 5], tags: { dc: 'us-east', env: 'prod', name: 'mem.a' } };

const range = { from: START, until: START + 4 * STEP };

export const specialCases: GoldenCase[] = [
  // constantLine / threshold: three points (start, middle, end), named str(value).
  {
    title: 'constantLine draws three points across the range, named str(value)',
    target: 'constantLine(100)',
    input: {},
    ...range,
    expect: [{ name: '100', values: [100, 100, 100], start: START, step: 2 * STEP }],
  },
  {
    title: 'constantLine names a fraction as Python str() does',
    target: 'constantLine(0.00001)',
    input: {},
    ...range,
    expect: [{ name: '1e-05', values: [0.00001, 0.00001, 0.00001], start: START, step: 2 * STEP }],
  },
  {
    title: "constantLine's pathExpression is constantLine(value), which aggregates print",
    target: 'sumSeries(constantLine(2.5))',
    input: {},
    ...range,
    expect: [
      {
        name: 'sumSeries(constantLine(2.5))',
        values: [2.5, 2.5, 2.5],
        step: 2 * STEP,
        // graphite keeps a `name` tag common to every input (here the one series' '2.5').
        tags: { aggregatedBy: 'sum', name: '2.5' },
      },
    ],
  },
  {
    title: 'constantLine requires a value',
    target: 'constantLine()',
    input: {},
    ...range,
    error: /Missing required parameter "value"/,
  },
  {
    title: 'threshold is a constant line named by its label (the name tag stays the value, as in graphite)',
    target: 'threshold(123.456, "omgwtfbbq", "red")',
    input: {},
    ...range,
    expect: [
      {
        name: 'omgwtfbbq',
        values: [123.456, 123.456, 123.456],
        start: START,
        step: 2 * STEP,
        tags: { name: '123.456' },
      },
    ],
  },
  {
    title: 'threshold without a label is named after the value',
    target: 'threshold(5, color="red")',
    input: {},
    ...range,
    expect: [{ name: '5', values: [5, 5, 5], start: START, step: 2 * STEP }],
  },
  {
    title: 'threshold wants a number',
    target: 'threshold("high")',
    input: {},
    ...range,
    error: /Invalid "float" value specified for function "threshold" parameter "value"/,
  },

  // events: one point per second of [from, until), the count of events in it, else null.
  {
    title: 'events counts events per second, null elsewhere; events outside the range or at until are left out',
    target: 'events("deploy")',
    input: {},
    from: START,
    until: START + 10,
    events: [START - 5, START + 1, START + 1.5, START + 4, START + 10],
    expect: [
      {
        name: 'events("deploy")',
        values: [null, 2, null, null, 1, null, null, null, null, null],
        start: START,
        step: 1,
        tags: { name: 'events("deploy")' },
      },
    ],
  },
  {
    title: 'events joins several tags into its name with ", "',
    target: 'events("deploy", "api")',
    input: {},
    from: START,
    until: START + 3,
    events: [START + 2],
    expect: [{ name: 'events("deploy", "api")', values: [null, null, 1], start: START, step: 1 }],
  },
  {
    title: 'events("*") with no events is all null',
    target: 'events("*")',
    input: {},
    from: START,
    until: START + 3,
    events: [],
    expect: [{ name: 'events("*")', values: [null, null, null], start: START, step: 1 }],
  },
  {
    title: 'events needs at least one tag',
    target: 'events()',
    input: {},
    error: /Missing required parameter "tags"/,
  },
  {
    title: 'events refuses a range with too many one-second points',
    target: 'events("*")',
    input: {},
    from: START,
    until: START + 10_000_001,
    error: /events\("\*"\) over 10000001 s/,
  },

  // drawAsInfinite: renamed and tagged; the values are unchanged (graphite only draws them differently).
  {
    title: 'drawAsInfinite renames and tags the series and leaves every value (0, negative, null) as it is',
    target: 'drawAsInfinite(a.x)',
    input: { 'a.x': [0, 1, null, -2, 3.5] },
    expect: [
      {
        name: 'drawAsInfinite(a.x)',
        values: [0, 1, null, -2, 3.5],
        tags: { name: 'a.x', drawAsInfinite: '1' },
      },
    ],
  },
  {
    title: 'drawAsInfinite keeps the pathExpression, so an aggregate is named after the original path',
    target: 'sumSeries(drawAsInfinite(a.*))',
    input: { 'a.x': [1, null], 'a.y': [2, null] },
    expect: [
      {
        name: 'sumSeries(a.*)',
        values: [3, null],
        tags: { aggregatedBy: 'sum', drawAsInfinite: '1', name: 'sumSeries(a.*)' },
      },
    ],
  },
  {
    title: 'drawAsInfinite over events marks deploys',
    target: 'drawAsInfinite(events("deploy"))',
    input: {},
    from: START,
    until: START + 2,
    events: [START + 1],
    expect: [
      {
        name: 'drawAsInfinite(events("deploy"))',
        values: [null, 1],
        step: 1,
        tags: { name: 'events("deploy")', drawAsInfinite: '1' },
      },
    ],
  },

  // seriesByTag.
  {
    title: 'seriesByTag returns the matching series sorted by name',
    target: "seriesByTag('name=~cpu\\..*', 'env=prod')",
    input: tagged,
    expect: [cpuA, cpuB],
  },
  {
    title: 'seriesByTag regexes are anchored at the start only',
    target: "seriesByTag('dc=~us')",
    input: tagged,
    expect: [cpuA, memA],
  },
  {
    title: 'seriesByTag: an expression that matches the empty string also matches series without the tag',
    target: "seriesByTag('name=~cpu', 'dc!=eu')",
    input: tagged,
    expect: [cpuA, cpuC],
  },
  {
    title: 'seriesByTag with double quotes in the target',
    target: 'seriesByTag("name=mem.a")',
    input: tagged,
    expect: [memA],
  },
  {
    title: 'seriesByTag matching nothing returns no series',
    target: "seriesByTag('name=disk')",
    input: tagged,
    expect: [],
  },
  {
    title: 'aggregates name themselves after the seriesByTag call and keep the common tags',
    target: "sumSeries(seriesByTag('name=~cpu','env=prod'))",
    input: tagged,
    expect: [
      {
        name: "sumSeries(seriesByTag('name=~cpu','env=prod'))",
        values: [11, 2, 33],
        tags: { env: 'prod', aggregatedBy: 'sum', name: "sumSeries(seriesByTag('name=~cpu','env=prod'))" },
      },
    ],
  },
  {
    title: 'seriesByTag needs one expression that does not match the empty string',
    target: "seriesByTag('env!=dev')",
    input: tagged,
    error: /Invalid parameters \(at least one tag expression must not match the empty string\)/,
  },
  {
    title: 'seriesByTag: a regex that matches the empty string does not count as selective',
    target: "seriesByTag('dc=~.*', 'env!=prod')",
    input: tagged,
    error: /Invalid parameters \(at least one tag expression must not match the empty string\)/,
  },
  {
    title: 'seriesByTag refuses an expression without an operator',
    target: "seriesByTag('name')",
    input: tagged,
    error: /Invalid parameters \(invalid tag expression "name"/,
  },
  {
    title: 'seriesByTag refuses an invalid regex',
    target: "seriesByTag('name=~(')",
    input: tagged,
    error: /Invalid regular expression/,
  },
  {
    title: 'seriesByTag takes strings only',
    target: 'seriesByTag(1)',
    input: tagged,
    error: /Invalid "string" value specified for function "seriesByTag"/,
  },
];
