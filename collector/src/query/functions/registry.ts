import type { FunctionDef } from './define.js';
import { describeParam, type ParamSpec } from './params.js';

/** Functions by name and alias; registering checks what graphite-web checks when it loads a plugin. */
export class FunctionRegistry {
  private readonly byName = new Map<string, FunctionDef>();
  private readonly defs: FunctionDef[] = [];

  register(...defs: FunctionDef[]): this {
    for (const def of defs) {
      if (def.description.trim() === '') throw new Error(`function ${def.name} has no description`);
      const multiple = def.params.findIndex((p) => p.multiple);
      if (multiple !== -1 && multiple !== def.params.length - 1) {
        throw new Error(`function ${def.name}: only the last parameter may take multiple values`);
      }
      for (const name of [def.name, ...(def.aliases ?? [])]) {
        if (this.byName.has(name)) throw new Error(`function ${name} is registered twice`);
        this.byName.set(name, def);
      }
      this.defs.push(def);
    }
    return this;
  }

  get(name: string): FunctionDef | undefined {
    return this.byName.get(name);
  }

  all(): readonly FunctionDef[] {
    return this.defs;
  }

  /** graphite-web's /functions JSON: `{name: {name, function, description, module, group, params}}`. */
  describe(filter: { group?: string; grouped?: boolean } = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const sorted = [...this.byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, def] of sorted) {
      if (filter.group && def.group !== filter.group) continue;
      const entry = describeFunction(name, def);
      if (filter.grouped) {
        const group = (out[def.group] ?? {}) as Record<string, unknown>;
        group[name] = entry;
        out[def.group] = group;
      } else {
        out[name] = entry;
      }
    }
    return out;
  }
}

export function describeFunction(name: string, def: FunctionDef): Record<string, unknown> {
  const signature = def.params.map((p) => {
    if (p.multiple) return `*${p.name}`;
    if (p.required) return p.name;
    return `${p.name}=${pythonRepr(p.default)}`;
  });
  return {
    name,
    function: `${name}(${signature.join(', ')})`,
    description: def.description,
    module: 'graphite.render.functions',
    group: def.group,
    params: def.params.map(describeParam),
  };
}

/** A default as graphite-web's signature shows it: Python's repr. */
function pythonRepr(value: ParamSpec['default']): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  return String(value);
}
