/**
 * Health: `GET /healthz` (JSON for IIS and monitoring) and the banner fragment that pages poll
 * while the database is away. Both answer without identity, and show nothing secret.
 * @module
 */
import { type Context, Hono } from "hono";
import type { Health } from "../db/connection.ts";
import { detect } from "../db/schema.ts";
import { DbBanner, SchedulerStatus } from "../templates/layout.tsx";
import { formatDbTime, jsonTime } from "../lib/time.ts";
import { VERSION } from "../lib/version.ts";

/** The health routes. */
export const health = new Hono();

async function check(c: Context): Promise<Health> {
  const db = c.get("db");
  const state = c.get("health");
  try {
    await detect(db);
    state.outage = null;
  } catch (error) {
    state.outage = (error as Error).message;
  }
  return state;
}

health.get("/healthz", async (c) => {
  const state = await check(c);
  const info = c.get("db").info;
  const at = c.get("snapshot").at;
  return c.json({
    status: state.outage ? "unavailable" : "ok",
    version: VERSION,
    database: {
      reachable: !state.outage,
      engine: c.get("db").dialect.name,
      name: info.name,
      revision: info.revision,
      missing_tables: info.missingTables,
    },
    poller: { last_round: at ? jsonTime(formatDbTime(at)) : null },
  }, state.outage ? 503 : 200);
});

health.get("/health/banner", async (c) => {
  const state = await check(c);
  if (!state.outage) c.header("HX-Refresh", "true");
  return c.html(<DbBanner outage={state.outage} />);
});

health.get(
  "/health/header",
  (c) => c.html(<SchedulerStatus counts={c.get("snapshot").schedulers ?? null} />),
);
