/**
 * The schedule forecast: `GET /triggers/forecast?window=24h|7d` (page, fragment or JSON). The
 * poller's rounds compute the forecast of each window shown in the last few minutes (on its
 * worker for SQLite: reading every trigger and computing a week of runs took 35–60 ms, which on
 * the server's thread held up every request); it is rendered once per window after each round,
 * and repeats are answered from memory, like the dashboard. The queues' new elements come from
 * the poller's counts (what the scheduler compares with each queue trigger's batch size).
 * @module
 */
import { type Context, Hono } from "hono";
import { raw } from "hono/html";
import { readForecasts } from "../db/forecast.ts";
import { type Forecast, type ForecastWindow, isForecastWindow } from "../lib/forecast.ts";
import { newElementsOf, type Snapshot } from "../lib/poller.ts";
import { ForecastPage, ForecastView } from "../templates/forecast.tsx";
import { forecastJson, type Json } from "./json.ts";
import { rejected, respond, wantsJson } from "./render.tsx";

/** The forecast route (mounted at `/triggers/forecast`). */
export const forecastRoutes = new Hono();

/** A window's forecast, the poller round it was computed in, and its rendered forms. */
type Computed = { round?: number; forecast: Forecast; view?: string; json?: Json };

/** The latest forecast of each window, per app (its snapshot). */
const computed = new WeakMap<Snapshot, Map<ForecastWindow, Computed>>();

/**
 * The forecast of `window`: the one the last round computed (see `Poller.wantForecast`), else
 * read and computed now (the first time a page shows it, and without a poller).
 */
async function compute(c: Context, window: ForecastWindow): Promise<Forecast> {
  const poller = c.get("poller");
  poller.wantForecast(window);
  const snapshot = c.get("snapshot");
  const ready = snapshot.forecasts?.[window];
  if (ready) return ready;
  await poller.ensure("queues");
  const read = await readForecasts(c.get("db"), {
    now: c.get("now"),
    windows: [window],
    newElements: newElementsOf(snapshot),
  });
  return read[window]!;
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
  if (wantsJson(c)) done.json ??= forecastJson(done.forecast);
  else done.view ??= String(<ForecastView forecast={done.forecast} />);
  const view = raw(done.view ?? "");
  return respond(c, {
    title: "Forecast",
    page: <ForecastPage view={view} />,
    fragment: view,
    json: done.json,
  });
});
