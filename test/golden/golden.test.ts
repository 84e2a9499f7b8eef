import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../collector/src/query/functions/index.js';
import { aliasCases } from './cases/alias.js';
import { calculateCases } from './cases/calculate.js';
import { combineCases } from './cases/combine.js';
import { filterCases } from './cases/filter.js';
import { sortCases } from './cases/sort.js';
import { specialCases } from './cases/special.js';
import { transformCases } from './cases/transform.js';
import { checkCase, type GoldenCase } from './harness.js';

const groups: Record<string, GoldenCase[]> = {
  combine: combineCases,
  transform: transformCases,
  calculate: calculateCases,
  alias: aliasCases,
  filter: filterCases,
  sort: sortCases,
  special: specialCases,
};

for (const [group, cases] of Object.entries(groups)) {
  describe(`golden: ${group}`, () => {
    for (const c of cases) it(`${c.title} — ${c.target}`, () => checkCase(c));
  });
}

describe('function registry', () => {
  const registry = createRegistry();
  const all = Object.values(groups).flat();

  it.each(registry.all().map((d) => [d.name, d] as const))(
    '%s has a description, typed parameters and a golden case',
    (_name, def) => {
      expect(def.description.length).toBeGreaterThan(20);
      expect(def.description).toContain('Example');
      for (const p of def.params) expect(p.type).toBeTruthy();
      const names = [def.name, ...(def.aliases ?? [])];
      expect(all.some((c) => names.some((n) => c.target.includes(`${n}(`)))).toBe(true);
    },
  );
});
