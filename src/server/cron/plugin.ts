// The cron ticker as part of an application: started when the app is ready, stopped (after the
// pass in progress) when it closes. `hangar server` adds it to its app; test apps may too.
import type { App, RouteContext } from '../app.js';
import { triggerDepsOf } from '../http/hooks/services.js';
import { CronTicker } from './ticker.js';

/** A route module with no routes: runs the cron ticker every `config.cronIntervalSeconds` (0 = never). */
export function cronTickerPlugin(app: App, ctx: RouteContext): void {
  const seconds = ctx.config.cronIntervalSeconds;
  if (seconds <= 0) return;
  const ticker = new CronTicker(
    { trigger: triggerDepsOf(ctx), clock: () => ctx.clock.now(), log: ctx.logger },
    seconds * 1000,
  );
  app.addHook('onReady', async () => {
    ticker.start();
  });
  app.addHook('onClose', async () => {
    await ticker.stop();
  });
}
