/** A query the user must fix (bad target, range or parameter): answered with a 400 and this one-line message. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}
