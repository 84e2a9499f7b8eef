import type { GoldenCase } from '../harness.js';

export const sortCases: GoldenCase[] = [];
