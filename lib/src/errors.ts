/**
 * The one error type the library hands to `onError`. After construction nothing is thrown into app code:
 * every failure becomes a MetricsError with a stable code and the number of metrics it cost.
 */

export type MetricsErrorCode =
  /** A name that is empty once sanitised. */
  | 'TRENDLINE_INVALID_NAME'
  /** A value that is not a finite number, a negative timing, or an empty set member. */
  | 'TRENDLINE_INVALID_VALUE'
  /** A sample rate outside (0, 1]. */
  | 'TRENDLINE_INVALID_SAMPLE_RATE'
  /** A line longer than the collector accepts (8192 bytes). */
  | 'TRENDLINE_LINE_TOO_LONG'
  /** A datagram the transport could not send (collector down, DNS failure, socket error). */
  | 'TRENDLINE_SEND_FAILED'
  /** Too many datagrams waiting on a slow or stuck transport. */
  | 'TRENDLINE_OVERLOADED'
  /** A metric recorded after close(). */
  | 'TRENDLINE_CLOSED'
  /** A deploy mark that could not be stored after every retry. */
  | 'TRENDLINE_DEPLOY_FAILED'
  /** A bug or an unexpected exception, caught so it never reaches the app. */
  | 'TRENDLINE_INTERNAL';

export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  readonly code: MetricsErrorCode;
  /** Metrics lost to this error (0 for a failed deploy mark). */
  readonly dropped: number;

  constructor(code: MetricsErrorCode, message: string, dropped: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.dropped = dropped;
  }
}

/** Thrown by createMetrics (and only there) for options it cannot use. */
export class MetricsOptionError extends TypeError {
  override readonly name = 'MetricsOptionError';
}
