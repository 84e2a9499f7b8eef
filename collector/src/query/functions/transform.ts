import type { FunctionDef } from './define.js';

/** graphite-web's 'Transform' functions. */
export const transformFunctions: FunctionDef[] = [];
