// The queue's Prometheus metrics, read from the scheduler when scraped: runners waiting for work,
// runners watching for cancels, live log subscribers, dispatch passes and their time.
import { Gauge, type Registry } from 'prom-client';
import type { Scheduler } from './scheduler.js';

/** Registers the queue's metrics on `registry`. */
export function registerQueueMetrics(registry: Registry, scheduler: Scheduler): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge(
    'hangar_queue_waiting_runners',
    'Runner requests waiting for a stage on this server',
    () => scheduler.queue.waiting().length,
  );
  gauge('hangar_queue_watching_runners', 'Runner requests watching builds for cancels on this server', () =>
    scheduler.watchers.count(),
  );
  gauge('hangar_live_log_subscribers', 'Clients following a live step log on this server', () =>
    scheduler.logs.subscribers(),
  );
  gauge(
    'hangar_queue_dispatch_passes',
    'Dispatch passes made by this server since it started',
    () => scheduler.queue.passes,
  );
  gauge(
    'hangar_queue_dispatch_seconds',
    'Time spent in dispatch passes since the server started',
    () => scheduler.queue.passMs / 1000,
  );
}
