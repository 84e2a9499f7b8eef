/**
 * The one way values enter ClickHouse SQL. ClickHouse 18.16 has no server-side query parameters, so
 * every interpolated value is escaped here by its type: `sql\`... WHERE id IN ${ids} AND name = ${name}\``.
 * Strings become quoted literals, finite numbers plain literals, arrays parenthesised lists, and table or
 * database names pass only through ident(), which accepts plain identifiers and nothing else.
 */

export class SqlIdent {
  constructor(readonly text: string) {}
}

/** Raw SQL from this module's own callers (e.g. a sub-expression built with sql``), never user input. */
export class SqlFragment {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type SqlValue = string | number | bigint | boolean | SqlIdent | SqlFragment | readonly SqlValue[];

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function ident(name: string): SqlIdent {
  if (!IDENT.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return new SqlIdent(name);
}

/** A quoted string literal: backslash and quote escaped, as ClickHouse's parser reads them. */
export function quoteString(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/\0/g, '\\0')}'`;
}

export function literal(value: SqlValue): string {
  if (value instanceof SqlIdent) return `\`${value.text}\``;
  if (value instanceof SqlFragment) return value.text;
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot place ${value} in SQL`);
    return String(value);
  }
  if (value.length === 0) throw new Error('cannot place an empty list in SQL');
  return `(${value.map(literal).join(', ')})`;
}

export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += literal(values[i]) + strings[i + 1];
  return new SqlFragment(out);
}
