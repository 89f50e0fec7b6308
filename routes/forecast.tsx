/**
 * The schedule forecast: `GET /triggers/forecast?window=24h|7d` (page, fragment or JSON). The
 * triggers, machines and run times are read for the request; the queues' new elements come from
 * the poller's counts (what the scheduler compares with each queue trigger's batch size).
 * @module
 */
import { Hono } from "hono";
import { readForecast } from "../db/forecast.ts";
import { type Forecast, forecast, isForecastWindow, usualSeconds } from "../lib/forecast.ts";
import { ensurePolled } from "../lib/poller.ts";
import { formatDbTime, jsonTime } from "../lib/time.ts";
import { ForecastPage, ForecastView } from "../templates/forecast.tsx";
import { pageOrFragment, rejected, wantsJson } from "./render.tsx";

/** The forecast route (mounted at `/triggers/forecast`). */
export const forecastRoutes = new Hono();

/** The forecast as the JSON interface spells it: times as `YYYY-MM-DDTHH:MM:SS`. */
function jsonForecast(f: Forecast) {
  return {
    ...f,
    now: jsonTime(f.now),
    until: jsonTime(f.until),
    groups: f.groups.map((g) => ({
      ...g,
      rows: g.rows.map((r) => ({
        ...r,
        runs: r.runs.map(jsonTime),
        bands: r.bands.map((b) => ({ ...b, from: jsonTime(b.from), to: jsonTime(b.to) })),
      })),
    })),
    collisions: f.collisions.map((c) => ({ ...c, at: jsonTime(c.at) })),
  };
}

forecastRoutes.get("/", async (c) => {
  const window = c.req.query("window") ?? "24h";
  if (!isForecastWindow(window)) {
    return rejected(c, 400, { window: `Cannot show the window ${window}: choose 24h or 7d.` });
  }
  const db = c.get("db");
  const snapshot = c.get("snapshot");
  await ensurePolled(db, snapshot, "queues");
  const now = new Date();
  const read = await readForecast(db, now);
  const newElements: Record<string, number> = {};
  for (const queue of snapshot.queues?.rows ?? []) newElements[queue.name] = queue.counts.NEW;
  const result = forecast({
    triggers: read.triggers,
    machines: read.machines,
    newElements,
    durations: usualSeconds(read.jobs),
  }, { now: formatDbTime(now), window });
  if (wantsJson(c)) return c.json(jsonForecast(result));
  return pageOrFragment(
    c,
    "Forecast",
    <ForecastPage forecast={result} />,
    <ForecastView forecast={result} />,
  );
});
