import type { FunctionDef } from './define.js';

/** graphite-web's 'Sorting' functions. */
export const sortFunctions: FunctionDef[] = [];
