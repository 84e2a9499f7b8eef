import type { StoredDashboard, StoredEvent } from '../sqlite-reader.js';

/**
 * Events and dashboards as this collector last read them from ClickHouse, plus its own writes since:
 * the routes and the evaluator read them synchronously. Refreshed from the store every few seconds, so
 * another collector's deploy shows up here within one refresh.
 */
export class Catalog {
  private events: StoredEvent[] = [];
  private readonly eventsById = new Map<number, StoredEvent>();
  private readonly dashboards = new Map<string, StoredDashboard>();

  replaceEvents(events: StoredEvent[]): void {
    this.eventsById.clear();
    for (const e of events) this.eventsById.set(e.id, e);
    this.sortEvents();
  }

  replaceDashboards(dashboards: StoredDashboard[]): void {
    this.dashboards.clear();
    for (const d of dashboards) this.dashboards.set(d.id, d);
  }

  putEvent(event: StoredEvent): void {
    this.eventsById.set(event.id, event);
    this.sortEvents();
  }

  removeEvent(id: number): void {
    if (this.eventsById.delete(id)) this.sortEvents();
  }

  putDashboard(d: StoredDashboard): void {
    this.dashboards.set(d.id, d);
  }

  removeDashboard(id: string): void {
    this.dashboards.delete(id);
  }

  listEvents(from: number, until: number): StoredEvent[] {
    return this.events.filter((e) => e.ts >= from && e.ts <= until);
  }

  getEvent(id: number): StoredEvent | undefined {
    return this.eventsById.get(id);
  }

  listDashboards(): StoredDashboard[] {
    return [...this.dashboards.values()].sort((a, b) =>
      a.title === b.title ? (a.id < b.id ? -1 : 1) : a.title < b.title ? -1 : 1,
    );
  }

  getDashboard(id: string): StoredDashboard | undefined {
    return this.dashboards.get(id);
  }

  private sortEvents(): void {
    this.events = [...this.eventsById.values()].sort((a, b) => a.ts - b.ts || a.id - b.id);
  }
}
