import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * `Authorization: Bearer TOKEN` for the routes that write, when `--token` is set (DESIGN §5). Used as an
 * `onRequest` hook, so a refused request is answered 401 before its body is even read, and nothing is stored.
 * Tokens are compared through their SHA-256 digests in constant time.
 */
export function requireToken(token: string | null) {
  const expected = token === null ? null : digest(token);
  // Returning the reply after sending tells fastify the request is answered and goes no further.
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (expected === null) return undefined;
    const header = request.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    if (m === null) return refuse(reply, 'missing bearer token: this collector requires "Authorization: Bearer TOKEN"');
    if (!timingSafeEqual(digest(m[1]), expected)) return refuse(reply, 'wrong bearer token');
    return undefined;
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function refuse(reply: FastifyReply, reason: string): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer realm="trendline"').type('text/plain').send(`${reason}\n`);
}
