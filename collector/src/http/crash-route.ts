import type { FastifyInstance } from 'fastify';
import { CRASH_WAYS, type ThreadCrash } from '../thread-crash.js';

/**
 * Test hook, registered only when the collector starts with TRENDLINE_TEST_HOOKS=1 (never in production):
 * `POST /debug/crash/:thread?how=throw|exit` makes the ingest or writer thread die as a bug would, so the
 * tests can prove it is restarted and what survives (test/integration/thread-restart.test.ts).
 */
export function crashRoute(app: FastifyInstance, threads: Record<string, (how: ThreadCrash['how']) => void>): void {
  app.post<{ Params: { thread: string }; Querystring: { how?: string } }>(
    '/debug/crash/:thread',
    async (request, reply) => {
      const crash = Object.hasOwn(threads, request.params.thread) ? threads[request.params.thread] : undefined;
      const how = (request.query.how ?? 'throw') as ThreadCrash['how'];
      if (!crash) return reply.code(404).send(`no thread ${request.params.thread}\n`);
      if (!CRASH_WAYS.includes(how)) return reply.code(400).send(`how must be one of ${CRASH_WAYS.join(', ')}\n`);
      crash(how);
      return reply.code(202).send({ crashing: request.params.thread, how });
    },
  );
}
