import fc from 'fast-check';
import { tokenSoup } from './fuzz-params.js';

/** StatsD-shaped inputs for the fuzz tests: the grammar's tokens and lines with hostile pieces in every slot. */

export const STATSD_TOKENS = [
  'foo',
  'a.b',
  '.',
  '..',
  ':',
  '::',
  '|',
  '||',
  'c',
  'ms',
  'g',
  's',
  'h',
  'd',
  'x',
  '|@',
  '@0.5',
  '@0',
  '@1e-3',
  '|T',
  'T1700000000',
  '|#',
  '#env:prod',
  ',',
  ';',
  '=',
  'k=v',
  '+',
  '-',
  '1',
  '1.5',
  '1e308',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x1f',
  '\n',
  '\r\n',
  ' ',
  '\t',
  '/',
  '_e{',
  '_e{5,4}:',
  '}',
  '{',
  '_sc|',
  '|d:',
  '|h:',
  '|p:low',
  '|t:error',
  '|m:',
  '\u00e9',
  '\u{1F4A9}',
  '\u0000',
  '\ud800',
];

/** Lines shaped like StatsD (name, values, type, fields), with hostile pieces in every slot. */
export const statsdLine: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.constantFrom('foo', 'a.b.c', 'api.req-1_x', 'a..b', '.a', 'a.', ''), tokenSoup(STATSD_TOKENS, 4)),
    fc.option(fc.constantFrom(';env=prod', ';a=b;c=d', ';=', ';k=', ';é=ü'), { nil: '' }),
    fc.array(
      fc.oneof(
        fc.double().map(String),
        fc.integer().map(String),
        fc.constantFrom('+1', '-1', '1e3', '.5', '', 'x', '1e400', '0'),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    fc.constantFrom('c', 'ms', 'g', 's', 'h', 'd', 'x', ''),
    fc.array(
      fc.constantFrom('|@0.1', '|@1', '|@0', '|@2', '|T1700000000', '|T0', '|#env:prod,az:b', '|#', '|c:x', '|'),
      {
        maxLength: 3,
      },
    ),
    fc.option(fc.constantFrom(':2|c', ':1:2|ms|@0.5', ':|g'), { nil: '' }),
  )
  .map(
    ([name, tags, values, type, fields, more]) => `${name}${tags}:${values.join(':')}|${type}${fields.join('')}${more}`,
  );
