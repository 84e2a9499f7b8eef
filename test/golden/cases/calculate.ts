import type { GoldenCase } from '../harness.js';

export const calculateCases: GoldenCase[] = [];
