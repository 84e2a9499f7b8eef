import { aliasFunctions } from './alias.js';
import { calculateFunctions } from './calculate.js';
import { combineFunctions } from './combine.js';
import { filterFunctions } from './filter.js';
import { FunctionRegistry } from './registry.js';
import { sortFunctions } from './sort.js';
import { specialFunctions } from './special.js';
import { transformFunctions } from './transform.js';

/** Every Graphite function Trendline implements, registered once. */
export function createRegistry(): FunctionRegistry {
  return new FunctionRegistry().register(
    ...combineFunctions,
    ...transformFunctions,
    ...calculateFunctions,
    ...aliasFunctions,
    ...filterFunctions,
    ...sortFunctions,
    ...specialFunctions,
  );
}
