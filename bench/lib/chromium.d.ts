/** Types for chromium.js, which the browser tests import. */
import type { Browser } from 'playwright-core';

export const CHROMIUM: string;
export function launchChromium(): Promise<Browser>;
