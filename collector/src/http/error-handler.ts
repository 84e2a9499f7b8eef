import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GlobError } from '../query/glob.js';
import { QueryError } from '../query/query-error.js';
import { TimeParseError } from '../query/time.js';

/**
 * The one place that turns errors into HTTP answers: the user's mistakes get a 4xx with a one-line reason
 * (in graphite-web's `Invalid parameters (...)` wording where Graphite has one); anything else is logged
 * and answered 500 without internals.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof QueryError) {
    void reply.code(error.statusCode).type('text/plain').send(`${error.message}\n`);
    return;
  }
  if (error instanceof TimeParseError || error instanceof GlobError) {
    void reply.code(400).type('text/plain').send(`Invalid parameters (${error.message})\n`);
    return;
  }
  if (error.validation) {
    const first = error.validation[0];
    const where = error.validationContext ?? 'request';
    const field = first?.instancePath
      ? first.instancePath.replace(/^\//, '')
      : (first?.params as { missingProperty?: string })?.missingProperty;
    void reply
      .code(400)
      .type('text/plain')
      .send(`Invalid parameters (${where}${field ? ` "${field}"` : ''} ${first?.message ?? error.message})\n`);
    return;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    void reply
      .code(status)
      .type('text/plain')
      .send(`${error.message.split('\n')[0]}\n`);
    return;
  }
  if (status === 503) {
    // The store is unavailable (a ClickHouse shard down): say so, and that retrying later may help.
    request.log.warn({ err: error, url: request.url }, 'store unavailable');
    void reply
      .code(503)
      .type('text/plain')
      .send(`${error.message.split('\n')[0]}\n`);
    return;
  }
  request.log.error({ err: error, url: request.url }, 'request failed');
  void reply.code(500).type('text/plain').send('internal error\n');
}
