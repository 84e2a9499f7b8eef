import { type MetricsError, MetricsOptionError } from './errors.js';
import { parseTagSuffix, sanitizePath, type Tags, tagMap } from './format.js';
import { type Metrics, Scope } from './metrics.js';
import { type EventBody, encodeEntry, type MetricKind, type Sink } from './sink.js';

/**
 * createMemoryMetrics(): the same client (same names, tags, validation and errors) recording into arrays
 * instead of a socket, for an app's own tests. Every call is recorded, whatever its sample rate.
 */

export interface MetricRecord {
  kind: MetricKind;
  /** Full sanitised name, prefix included. */
  name: string;
  /** The number, or the (encoded) set member. */
  value: number | string;
  sampleRate: number;
  /** Client and call tags, merged and sanitised. */
  tags: Record<string, string>;
}

/** A recorded deploy mark: the POST /events body. */
export type DeployRecord = EventBody;

export interface MemoryMetricsOptions {
  prefix?: string;
  tags?: Tags;
  sampleRate?: number;
  onError?: (error: MetricsError) => void;
}

export interface MemoryMetrics extends Metrics {
  readonly records: readonly MetricRecord[];
  readonly deploys: readonly DeployRecord[];
  readonly errors: readonly MetricsError[];
  /** The wire lines the socket client would have sent. */
  lines(): string[];
  /** Forgets records, deploys and errors (not the dropped count). */
  clear(): void;
}

class MemorySink implements Sink {
  dropped = 0;
  closed = false;
  readonly records: MetricRecord[] = [];
  readonly deploys: DeployRecord[] = [];
  readonly errors: MetricsError[] = [];
  private readonly wire: string[] = [];

  constructor(private readonly onError: ((error: MetricsError) => void) | undefined) {}

  sample(): boolean {
    return true;
  }

  record(kind: MetricKind, name: string, value: number | string, rate: number, tags: string): void {
    if (this.closed) {
      this.dropped++;
      return;
    }
    this.records.push({ kind, name, value, sampleRate: rate, tags: parseTagSuffix(tags) });
    this.wire.push(encodeEntry(kind, name, value, rate, tags)[0]);
  }

  fail(error: MetricsError): void {
    this.dropped += error.dropped;
    this.errors.push(error);
    try {
      this.onError?.(error);
    } catch {
      // As in the socket client.
    }
  }

  deploy(event: EventBody): Promise<boolean> {
    this.deploys.push(event);
    return Promise.resolve(true);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  lines(): string[] {
    return this.wire.flatMap((entry) => entry.split('\n'));
  }

  clear(): void {
    this.records.length = 0;
    this.deploys.length = 0;
    this.errors.length = 0;
    this.wire.length = 0;
  }
}

class MemoryScope extends Scope implements MemoryMetrics {
  constructor(
    private readonly memory: MemorySink,
    options: MemoryMetricsOptions,
  ) {
    super(memory, sanitizePath(options.prefix ?? ''), tagMap(options.tags), options.sampleRate ?? 1, true);
  }

  get records(): readonly MetricRecord[] {
    return this.memory.records;
  }

  get deploys(): readonly DeployRecord[] {
    return this.memory.deploys;
  }

  get errors(): readonly MetricsError[] {
    return this.memory.errors;
  }

  lines(): string[] {
    return this.memory.lines();
  }

  clear(): void {
    this.memory.clear();
  }
}

export function createMemoryMetrics(options: MemoryMetricsOptions = {}): MemoryMetrics {
  const rate = options.sampleRate ?? 1;
  if (!(rate > 0 && rate <= 1)) throw new MetricsOptionError(`trendline: option "sampleRate" ${rate}: expected (0, 1]`);
  return new MemoryScope(new MemorySink(options.onError), options);
}
