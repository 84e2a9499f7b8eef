import type { GoldenCase } from '../harness.js';

/**
 * graphite-web's 'Alias' group: names change, values, tags and path expressions do not. aliasSub follows
 * Python's re.sub, which is what graphite-web calls.
 */

const tagged = {
  'cpu.a': { values: [1, null], tags: { dc: 'east' } },
  'cpu.b': { values: [2, 3], tags: { dc: 'west' } },
};

export const aliasCases: GoldenCase[] = [
  // ---- alias ----------------------------------------------------------------------------------------------
  {
    title: 'alias renames, keeping values (nulls included) and tags',
    target: 'alias(a.x, "Large Blue Widgets")',
    input: { 'a.x': [1, null, 3] },
    expect: [{ name: 'Large Blue Widgets', values: [1, null, 3], tags: { name: 'a.x' } }],
  },
  {
    title: 'alias gives every series of a list the same name',
    target: 'alias(a.*, "all")',
    input: { 'a.x': [1], 'a.y': [2] },
    expect: [
      { name: 'all', values: [1] },
      { name: 'all', values: [2] },
    ],
  },
  {
    title: 'alias of a wrapped series; the path expression stays, so an aggregate of it is named after it',
    target: 'averageSeries(alias(a.*, "x"))',
    input: { 'a.x': [1], 'a.y': [3] },
    expect: [{ name: 'averageSeries(a.*)', values: [2] }],
  },
  {
    title: 'alias needs a name',
    target: 'alias(a.x)',
    input: { 'a.x': [1] },
    error: /Missing required parameter "newName" for function "alias"/,
  },
  {
    title: 'alias rejects a number as the name',
    target: 'alias(a.x, 5)',
    input: { 'a.x': [1] },
    error: /Invalid "string" value specified for function "alias" parameter "newName": 5/,
  },

  // ---- aliasByNode ----------------------------------------------------------------------------------------
  {
    title: 'aliasByNode picks one node (0-based)',
    target: 'aliasByNode(ganglia.*.cpu.load5, 1)',
    input: { 'ganglia.web1.cpu.load5': [1, null], 'ganglia.web2.cpu.load5': [2, 3] },
    expect: [
      { name: 'web1', values: [1, null], tags: { name: 'ganglia.web1.cpu.load5' } },
      { name: 'web2', values: [2, 3] },
    ],
  },
  {
    title: 'aliasByNode joins several nodes with "."; negative nodes count from the end',
    target: 'aliasByNode(ganglia.web1.cpu.load5, 1, -1, 0)',
    input: { 'ganglia.web1.cpu.load5': [1] },
    expect: [{ name: 'web1.load5.ganglia', values: [1] }],
  },
  {
    title: 'aliasByNode with a node beyond the name gives an empty part',
    target: 'aliasByNode(a.b.c, 0, 9)',
    input: { 'a.b.c': [1] },
    expect: [{ name: 'a.', values: [1] }],
  },
  {
    title: 'aliasByNode with a string node takes that tag; a missing tag is empty',
    target: 'aliasByNode(cpu.*, "dc", 1, "rack")',
    input: tagged,
    expect: [
      { name: 'east.a.', values: [1, null], tags: { name: 'cpu.a', dc: 'east' } },
      { name: 'west.b.', values: [2, 3] },
    ],
  },
  {
    title: 'aliasByNode reads a function-wrapped name at its first path expression',
    target: 'aliasByNode(divideSeries(srv.web1.cpu, srv.web2.cpu), 1, 2)',
    input: { 'srv.web1.cpu': [1], 'srv.web2.cpu': [2] },
    expect: [{ name: 'web1.cpu', values: [0.5] }],
  },
  {
    title: 'aliasByNode of an aggregate reads its path expression, glob and all',
    target: 'aliasByNode(sumSeries(srv.*.cpu), 0, 1)',
    input: { 'srv.web1.cpu': [1], 'srv.web2.cpu': [2] },
    expect: [{ name: 'srv.*', values: [3] }],
  },
  {
    title: 'aliasByNode of nested functions descends through first arguments',
    target: 'aliasByNode(asPercent(sumSeries(srv.web1.cpu), 10), 1)',
    input: { 'srv.web1.cpu': [1] },
    expect: [{ name: 'web1', values: [10] }],
  },
  {
    title: 'aliasByNode needs a node',
    target: 'aliasByNode(a.b)',
    input: { 'a.b': [1] },
    error: /Missing required parameter "nodes" for function "aliasByNode"/,
  },
  {
    title: 'aliasByNode rejects a fractional node',
    target: 'aliasByNode(a.b, 1.5)',
    input: { 'a.b': [1] },
    error: /Invalid "nodeOrTag" value specified for function "aliasByNode" parameter "nodes": 1.5/,
  },

  // ---- aliasByMetric --------------------------------------------------------------------------------------
  {
    title: 'aliasByMetric keeps the last node',
    target: 'aliasByMetric(carbon.agents.*)',
    input: { 'carbon.agents.creates': [1, null], 'carbon.agents.updates': [2, 3], carbon: [4] },
    expect: [
      { name: 'creates', values: [1, null], tags: { name: 'carbon.agents.creates' } },
      { name: 'updates', values: [2, 3] },
    ],
  },
  {
    title: 'aliasByMetric of a one-node name is that name',
    target: 'aliasByMetric(carbon)',
    input: { carbon: [4] },
    expect: [{ name: 'carbon', values: [4] }],
  },
  {
    title: 'aliasByMetric of a wrapped name drops the function and any trailing arguments',
    target: 'aliasByMetric(asPercent(a.b.c, 10))',
    input: { 'a.b.c': [1] },
    expect: [{ name: 'c', values: [10] }],
  },
  {
    title: 'aliasByMetric of a two-series name takes the last node of the innermost text, as graphite-web does',
    target: 'aliasByMetric(divideSeries(x.y.z, w.v))',
    input: { 'x.y.z': [4], 'w.v': [2] },
    expect: [{ name: 'v', values: [2] }],
  },

  // ---- aliasSub -------------------------------------------------------------------------------------------
  {
    title: 'aliasSub as Grafana wraps every target: \\1 back-reference to the whole name',
    target: 'aliasSub(prod1.count, "(^.*$)", "\\1 A")',
    input: { 'prod1.count': [1, null, 3] },
    expect: [{ name: 'prod1.count A', values: [1, null, 3], tags: { name: 'prod1.count' } }],
  },
  {
    title: "Grafana's wrapper around an aggregate",
    target: 'aliasSub(sumSeries(prod*.count), "(^.*$)", "\\1 B")',
    input: { 'prod1.count': [1, null], 'prod2.count': [2, null] },
    expect: [{ name: 'sumSeries(prod*.count) B', values: [3, null] }],
  },
  {
    title: "Grafana's wrapper applied with a pipe",
    target: 'prod1.count|aliasSub("(^.*$)", "\\1 C")',
    input: { 'prod1.count': [1] },
    expect: [{ name: 'prod1.count C', values: [1] }],
  },
  {
    title: 'aliasSub with a numbered group',
    target: 'aliasSub(ip.*.*, "^.*TCP(\\d+)", "\\1")',
    input: { 'ip.10_0_0_1.TCP8080': [1], 'ip.10_0_0_2.TCP443': [2] },
    expect: [
      { name: '8080', values: [1] },
      { name: '443', values: [2] },
    ],
  },
  {
    title: 'aliasSub with a Python named group and \\g<name>',
    target: 'aliasSub(ip.*.*, "^.*TCP(?P<port>\\d+)", "port \\g<port>")',
    input: { 'ip.10_0_0_1.TCP8080': [1] },
    expect: [{ name: 'port 8080', values: [1] }],
  },
  {
    title: 'aliasSub replaces every match',
    target: 'aliasSub(a.b.c, "\\.", "_")',
    input: { 'a.b.c': [1] },
    expect: [{ name: 'a_b_c', values: [1] }],
  },
  {
    title: 'aliasSub: a group that did not take part is empty; \\g<0> is the whole match',
    target: 'aliasSub(a.b, "a(x)?\\.(b)", "[\\1]<\\g<0>>\\g<2>")',
    input: { 'a.b': [1] },
    expect: [{ name: '[]<a.b>b', values: [1] }],
  },
  {
    title: 'aliasSub: "$" in the replacement is plain text',
    target: 'aliasSub(a.b, "a", "$1$&")',
    input: { 'a.b': [1] },
    expect: [{ name: '$1$&.b', values: [1] }],
  },
  {
    title: 'aliasSub: empty matches are replaced as Python 3.7+ does',
    target: 'aliasSub(ab, "x*", "-")',
    input: { ab: [1] },
    expect: [{ name: '-a-b-', values: [1] }],
  },
  {
    title: 'aliasSub: a leading (?i) makes the search case-insensitive',
    target: 'aliasSub(Web.x, "(?i)web", "w")',
    input: { 'Web.x': [1] },
    expect: [{ name: 'w.x', values: [1] }],
  },
  {
    title: 'aliasSub leaves a name that does not match alone',
    target: 'aliasSub(a.b, "zzz", "y")',
    input: { 'a.b': [1] },
    expect: [{ name: 'a.b', values: [1] }],
  },
  {
    title: 'aliasSub rejects a reference to a group the search does not have',
    target: 'aliasSub(a.b, "(a)", "\\2")',
    input: { 'a.b': [1] },
    error: /invalid group reference 2/,
  },
  {
    title: 'aliasSub rejects an unknown escape in the replacement, as Python does',
    target: 'aliasSub(a.b, "(a)", "\\q")',
    input: { 'a.b': [1] },
    error: /bad escape \\q/,
  },
  {
    title: 'aliasSub rejects a broken regular expression',
    target: 'aliasSub(a.b, "(", "x")',
    input: { 'a.b': [1] },
    error: /Invalid regular expression "\("/,
  },
  {
    title: 'aliasSub needs a replacement',
    target: 'aliasSub(a.b, "a")',
    input: { 'a.b': [1] },
    error: /Missing required parameter "replace" for function "aliasSub"/,
  },

  // ---- aliasByTags ----------------------------------------------------------------------------------------
  {
    title: 'aliasByTags takes tag values and nodes',
    target: 'aliasByTags(cpu.*, "dc", "name")',
    input: tagged,
    expect: [
      { name: 'east.cpu.a', values: [1, null], tags: { name: 'cpu.a', dc: 'east' } },
      { name: 'west.cpu.b', values: [2, 3] },
    ],
  },
  {
    title: 'aliasByTags with a node index',
    target: 'aliasByTags(cpu.*, 1, "dc")',
    input: tagged,
    expect: [
      { name: 'a.east', values: [1, null] },
      { name: 'b.west', values: [2, 3] },
    ],
  },
  {
    title: 'aliasByTags needs a tag',
    target: 'aliasByTags(cpu.*)',
    input: tagged,
    error: /Missing required parameter "tags" for function "aliasByTags"/,
  },
];
