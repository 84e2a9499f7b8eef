import type { FunctionDef } from './define.js';

/** graphite-web's 'Alias' functions. */
export const aliasFunctions: FunctionDef[] = [];
