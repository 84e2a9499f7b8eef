import { describe, expect, it } from 'vitest';
import { storedKey } from '../../collector/src/aggregate/stored-key.js';

describe('storedKey', () => {
  it('gives the stored key and the same key back, from any slice of a packet', () => {
    const packet = 'app.api.hits.m17;env=prod:1|c\napp.web.latency.m3:12|ms';
    const key = packet.slice(0, packet.indexOf(':'));
    expect(storedKey('stats.counters.', key)).toEqual({
      stored: 'stats.counters.app.api.hits.m17;env=prod',
      key: 'app.api.hits.m17;env=prod',
    });
    expect(storedKey('stats.timers.', 'é.x')).toEqual({ stored: 'stats.timers.é.x', key: 'é.x' });
  });
});
