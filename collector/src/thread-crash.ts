/**
 * The test hook that makes a worker thread die as a bug would (enabled only with TRENDLINE_TEST_HOOKS=1,
 * see http/crash-route.ts): the tests prove with it that a dead thread is restarted and what survives.
 */

export interface ThreadCrash {
  type: 'crash';
  /** `throw`: an uncaught exception; `exit`: process.exit inside the thread (as a native abort would end it). */
  how: 'throw' | 'exit';
}

export const CRASH_WAYS: ReadonlyArray<ThreadCrash['how']> = ['throw', 'exit'];

/** Called on the thread itself: it dies after the message handler returns, outside any try. */
export function crashThisThread(how: ThreadCrash['how']): void {
  setImmediate(() => {
    if (how === 'exit') process.exit(70);
    throw new Error('crash requested by the test hook');
  });
}
