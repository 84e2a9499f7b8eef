import type { FunctionDef } from './define.js';

/** graphite-web's 'Calculate' functions. */
export const calculateFunctions: FunctionDef[] = [];
