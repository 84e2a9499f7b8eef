import type { GoldenCase } from '../harness.js';

export const filterCases: GoldenCase[] = [];
