import { pythonRegex } from '../python-regex.js';
import { QueryError } from '../query-error.js';
import type { TimeSeries } from '../series.js';
import { parseTarget } from '../target-parser.js';
import { defineFunction, type FunctionDef } from './define.js';

/** graphite-web's 'Alias' functions: they rename series and leave values, tags and pathExpression alone. */

// ---------------------------------------------------------------------------------------------------------
// Nodes and tags (shared with the Combine group's groupByNode(s) and asPercent)
// ---------------------------------------------------------------------------------------------------------

/**
 * The first metric path inside a function-wrapped name: `scale(a.b.c,2)` → `a.b.c`, descending into the
 * first argument of each call. Null when there is none (or the name does not parse as a target).
 */
export function firstPathExpression(name: string): string | null {
  let expr: ReturnType<typeof parseTarget>;
  try {
    expr = parseTarget(name);
  } catch (err) {
    if (err instanceof QueryError) return null;
    throw err;
  }
  for (;;) {
    if (expr.type === 'path') return expr.value;
    if (expr.type !== 'call' || expr.args.length === 0) return null;
    expr = expr.args[0];
  }
}

/**
 * One node of a series name, or a tag value. An integer picks a dot-separated node of the name (tags cut
 * off; negative counts from the end); a string, or an integer with no such node, is a tag name, and a
 * missing tag gives ''.
 */
export function nodeOrTag(series: TimeSeries, n: number | string, path?: string | null): string {
  if (typeof n === 'number') {
    const nodes = (path || series.name).split(';')[0].split('.');
    const i = n < 0 ? nodes.length + n : n;
    if (i >= 0 && i < nodes.length) return nodes[i];
  }
  return series.tags[String(n)] ?? '';
}

/** graphite-web's aggKey: the given nodes/tags joined by "."; a name ending in `)` is read at its first path. */
export function aggKey(series: TimeSeries, nodes: readonly (number | string)[]): string {
  const path = series.name.endsWith(')') ? firstPathExpression(series.name) : null;
  return nodes.map((n) => nodeOrTag(series, n, path)).join('.');
}

// ---------------------------------------------------------------------------------------------------------
// Python `re.sub` in JavaScript
// ---------------------------------------------------------------------------------------------------------

/** A parsed Python replacement template: literal text and group references (by number or name). */
type TemplatePart = string | number | { name: string };

const TEMPLATE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Parses a Python `re.sub` template (`\1`, `\g<1>`, `\g<name>`, escapes), checking it against the regex. */
function pythonTemplate(template: string, re: RegExp): TemplatePart[] {
  const probe = new RegExp(`${re.source}|`, re.flags).exec('');
  const groupCount = (probe?.length ?? 1) - 1;
  const groupNames = new Set(Object.keys(probe?.groups ?? {}));
  const bad = (msg: string): never => {
    throw new QueryError(`aliasSub: invalid replacement "${template}": ${msg}`);
  };
  const group = (index: number): number => (index > groupCount ? bad(`invalid group reference ${index}`) : index);
  const parts: TemplatePart[] = [];
  let literal = '';
  const push = (p: TemplatePart): void => {
    if (literal) parts.push(literal);
    literal = '';
    parts.push(p);
  };
  const octal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '\\') {
      literal += c;
      continue;
    }
    const e = template[i + 1];
    if (e === undefined) bad('bad escape (end of pattern)');
    i++;
    if (e === 'g') {
      if (template[i + 1] !== '<') bad('missing <');
      const close = template.indexOf('>', i + 2);
      if (close === -1) bad('missing >, unterminated name');
      const name = template.slice(i + 2, close);
      i = close;
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        if (!groupNames.has(name)) bad(`unknown group name '${name}'`);
        push({ name });
      } else if (/^[0-9]+$/.test(name)) {
        push(group(Number(name)));
      } else {
        bad(`bad character in group name '${name}'`);
      }
    } else if (e === '0') {
      let digits = '0';
      while (digits.length < 3 && octal(template[i + 1])) digits += template[++i];
      literal += String.fromCharCode(Number.parseInt(digits, 8) & 0xff);
    } else if (digit(e)) {
      let digits = e;
      if (digit(template[i + 1])) {
        digits += template[++i];
        if (octal(digits[0]) && octal(digits[1]) && octal(template[i + 1])) {
          digits += template[++i];
          const code = Number.parseInt(digits, 8);
          if (code > 0o377) bad(`octal escape value \\${digits} outside of range 0-0o377`);
          literal += String.fromCharCode(code);
          continue;
        }
      }
      push(group(Number(digits)));
    } else if (e in TEMPLATE_ESCAPES) {
      literal += TEMPLATE_ESCAPES[e];
    } else if (/[A-Za-z]/.test(e)) {
      bad(`bad escape \\${e}`);
    } else {
      literal += `\\${e}`;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** Python's `re.sub(search, replace, text)`: every non-overlapping match replaced, unmatched groups as ''. */
export function pythonSub(search: string, replace: string, text: string): string {
  const re = pythonRegex(search);
  const global = new RegExp(re.source, `${re.flags}g`);
  const template = pythonTemplate(replace, re);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(global)) {
    out += text.slice(last, m.index);
    for (const part of template) {
      if (typeof part === 'string') out += part;
      else if (typeof part === 'number') out += m[part] ?? '';
      else out += m.groups?.[part.name] ?? '';
    }
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

// ---------------------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------------------

const withName = (series: TimeSeries, name: string): TimeSeries => ({ ...series, name });

export const alias = defineFunction({
  name: 'alias',
  group: 'Alias',
  description:
    'Takes one metric or a wildcard seriesList and a string in quotes. Prints the string instead of the metric name in the legend.\n\nExample: `&target=alias(Sales.widgets.largeBlue,"Large Blue Widgets")`',
  params: [
    { name: 'seriesList', type: 'seriesList', required: true },
    { name: 'newName', type: 'string', required: true },
  ],
  run(_ctx, seriesList, newName) {
    return seriesList.map((s) => withName(s, newName));
  },
});

export const aliasByNode = defineFunction({
  name: 'aliasByNode',
  group: 'Alias',
  description:
    'Takes a seriesList and applies an alias derived from one or more "node" portion/s of the target name or tags. Node indices are 0 indexed (negative ones count from the end); a string node names a tag. A name that ends in `)` is read at the first path expression inside it.\n\nExample: `&target=aliasByNode(ganglia.*.cpu.load5,1)`',
  params: [
    { name: 'seriesList', type: 'seriesList', required: true },
    { name: 'nodes', type: 'nodeOrTag', required: true, multiple: true },
  ],
  run(_ctx, seriesList, nodes) {
    return seriesList.map((s) => withName(s, aggKey(s, nodes)));
  },
});

export const aliasByTags = defineFunction({
  name: 'aliasByTags',
  group: 'Alias',
  description:
    'Takes a seriesList and applies an alias derived from one or more tags and/or nodes. This is an alias for aliasByNode.\n\nExample: `&target=seriesByTag("name=cpu")|aliasByTags("server","name")`',
  params: [
    { name: 'seriesList', type: 'seriesList', required: true },
    { name: 'tags', type: 'nodeOrTag', required: true, multiple: true },
  ],
  run(_ctx, seriesList, tags) {
    return seriesList.map((s) => withName(s, aggKey(s, tags)));
  },
});

export const aliasByMetric = defineFunction({
  name: 'aliasByMetric',
  group: 'Alias',
  description:
    'Takes a seriesList and applies an alias derived from the base metric name: the last node of the innermost path, without any trailing arguments.\n\nExample: `&target=aliasByMetric(carbon.agents.graphite.creates)`',
  params: [{ name: 'seriesList', type: 'seriesList', required: true }],
  run(_ctx, seriesList) {
    return seriesList.map((s) => {
      // graphite-web's substr(series, -1): the text between the last "(" and the first ")", last node, up to ",".
      const left = s.name.lastIndexOf('(') + 1;
      const close = s.name.indexOf(')');
      const inner = s.name.slice(left, close < 0 ? s.name.length : Math.max(left, close));
      const last = inner.split('.').pop() ?? '';
      return withName(s, last.replace(/,.*$/, ''));
    });
  },
});

export const aliasSub = defineFunction({
  name: 'aliasSub',
  group: 'Alias',
  description:
    'Runs series names through a regex search/replace, with Python `re.sub` semantics: every match is replaced and the replacement may use `\\1` or `\\g<name>` back-references.\n\nExample: `&target=aliasSub(ip.*TCP*,"^.*TCP(\\d+)","\\1")`',
  params: [
    { name: 'seriesList', type: 'seriesList', required: true },
    { name: 'search', type: 'string', required: true },
    { name: 'replace', type: 'string', required: true },
  ],
  run(_ctx, seriesList, search, replace) {
    return seriesList.map((s) => withName(s, pythonSub(search, replace, s.name)));
  },
});

export const aliasFunctions: FunctionDef[] = [alias, aliasByNode, aliasByMetric, aliasSub, aliasByTags];
