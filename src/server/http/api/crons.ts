// Placeholder: the routes of this resource come in the next commit.
import type { App, RouteContext } from '../../app.js';

/** Registers this resource's routes (none yet). */
export function cronRoutes(_app: App, _ctx: RouteContext): void {}
