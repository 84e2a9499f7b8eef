import type { FunctionDef } from './define.js';

/** graphite-web's 'Filter Series' functions. */
export const filterFunctions: FunctionDef[] = [];
