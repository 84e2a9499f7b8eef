import type { GoldenCase } from '../harness.js';

export const transformCases: GoldenCase[] = [];
