/**
 * The schedule forecast: `GET /triggers/forecast?window=24h|7d` (page, fragment or JSON). The
 * triggers, machines and run times are read, and the forecast computed and rendered, once per
 * window after each poller round; repeats are answered from memory, like the dashboard. The
 * queues' new elements come from the poller's counts (what the scheduler compares with each queue
 * trigger's batch size).
 * @module
 */
import { type Context, Hono } from "hono";
import { raw } from "hono/html";
import { readForecast } from "../db/forecast.ts";
import {
  type Forecast,
  forecast,
  type ForecastWindow,
  isForecastWindow,
  usualSeconds,
} from "../lib/forecast.ts";
import type { Snapshot } from "../lib/poller.ts";
import { formatDbTime } from "../lib/time.ts";
import { ForecastPage, ForecastView } from "../templates/forecast.tsx";
import { forecastJson } from "./json.ts";
import { rejected, Rendered, respond, wantsJson } from "./render.tsx";

/** The forecast route (mounted at `/triggers/forecast`). */
export const forecastRoutes = new Hono();

/**
 * A window's forecast, the poller round it was computed in, and its view and JSON, each rendered
 * once (a week's JSON is 1.2 MB: serialized for every request it took 6–20 ms) and gzipped once.
 */
type Computed = { round?: number; forecast: Forecast; view?: Rendered; json?: Rendered };

/** The latest forecast of each window, per app (its snapshot). */
const computed = new WeakMap<Snapshot, Map<ForecastWindow, Computed>>();

/** Reads what the forecast needs and computes it. */
async function compute(c: Context, window: ForecastWindow): Promise<Forecast> {
  const db = c.get("db");
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("queues");
  const now = c.get("now");
  const read = await readForecast(db, now);
  const newElements: Record<string, number> = {};
  for (const queue of snapshot.queues?.rows ?? []) newElements[queue.name] = queue.counts.NEW;
  return forecast({
    triggers: read.triggers,
    machines: read.machines,
    newElements,
    durations: usualSeconds(read.jobs),
  }, { now: formatDbTime(now), window });
}

forecastRoutes.get("/", async (c) => {
  const window = c.req.query("window") ?? "24h";
  if (!isForecastWindow(window)) {
    return rejected(c, {
      status: 400,
      errors: { window: `Cannot show the window ${window}: choose 24h or 7d.` },
    });
  }
  const snapshot = c.get("snapshot");
  // Read again after each poller round (every 10 s); without a poller (tests), every time.
  const round = snapshot.at?.getTime();
  let windows = computed.get(snapshot);
  if (!windows) computed.set(snapshot, windows = new Map());
  let done = windows.get(window);
  if (round === undefined || done?.round !== round) {
    done = { round, forecast: await compute(c, window) };
    windows.set(window, done);
  }
  if (wantsJson(c)) done.json ??= new Rendered(JSON.stringify(forecastJson(done.forecast)));
  else done.view ??= new Rendered(String(<ForecastView forecast={done.forecast} />));
  return respond(c, {
    title: "Forecast",
    page: <ForecastPage view={raw(done.view?.text ?? "")} />,
    fragment: done.view,
    json: done.json,
  });
});
