import type { GoldenCase } from '../harness.js';

export const aliasCases: GoldenCase[] = [];
