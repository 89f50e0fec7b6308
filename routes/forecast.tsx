/**
 * The schedule forecast: `GET /triggers/forecast?window=24h|7d` (page, fragment or JSON). On
 * SQLite the poller's rounds compute and render the forecast of each window shown in the last
 * few minutes, on its worker (reading every trigger and computing a week of runs took 35–60 ms,
 * which on the server's thread held up every request), and the pages answer with its texts. The
 * first page of a window, and every page without a poller worker (SQL Server, tests), computes it
 * here, once per poller round; repeats come from memory. The queues' new elements come from the
 * poller's counts (what the scheduler compares with each queue trigger's batch size).
 * @module
 */
import { type Context, Hono } from "hono";
import { raw } from "hono/html";
import { readForecasts } from "../db/forecast.ts";
import {
  type Forecast,
  type ForecastTexts,
  type ForecastWindow,
  isForecastWindow,
} from "../lib/forecast.ts";
import { newElementsOf, type Snapshot } from "../lib/poller.ts";
import { forecastHtml, ForecastPage } from "../templates/forecast.tsx";
import { forecastJson } from "./json.ts";
import { rejected, Rendered, respond, wantsJson } from "./render.tsx";

/** The forecast route (mounted at `/triggers/forecast`). */
export const forecastRoutes = new Hono();

/** A window's view and JSON, each rendered once (and gzipped once, when asked for). */
type Shown = { view?: Rendered; json?: Rendered };

/** A forecast this thread computed, the poller round it is of, and what was shown of it. */
type Computed = Shown & { round?: number; forecast: Forecast };

/** The forecast of each window this thread computed last, per app (its snapshot). */
const computed = new WeakMap<Snapshot, Map<ForecastWindow, Computed>>();

/** The rounds' texts as shown: one per round and window. */
const shown = new WeakMap<ForecastTexts, Shown>();

/**
 * The forecast of `window` as computed here, for a page that came before the rounds had it (the
 * first time, and without a poller worker): once a round, repeats from memory.
 */
async function computedHere(c: Context, window: ForecastWindow): Promise<Computed> {
  const snapshot = c.get("snapshot");
  const round = snapshot.at?.getTime(); // no poller (tests): every time
  let windows = computed.get(snapshot);
  if (!windows) computed.set(snapshot, windows = new Map());
  const done = windows.get(window);
  if (round !== undefined && done?.round === round) return done;
  await c.get("poller").ensure("queues");
  const forecasts = await readForecasts(c.get("db"), {
    now: c.get("now"),
    windows: [window],
    newElements: newElementsOf(snapshot),
  });
  const fresh = { round, forecast: forecasts[window]! };
  windows.set(window, fresh);
  return fresh;
}

/** The forecast's view and JSON: the round's (see `Poller.wantForecast`), or made here. */
async function rendered(c: Context, window: ForecastWindow): Promise<Shown> {
  c.get("poller").wantForecast(window);
  const ready = c.get("snapshot").forecasts?.[window];
  if (ready) {
    let texts = shown.get(ready);
    if (!texts) {
      shown.set(ready, texts = { view: new Rendered(ready.view), json: new Rendered(ready.json) });
    }
    return texts;
  }
  const done = await computedHere(c, window);
  if (wantsJson(c)) done.json ??= new Rendered(JSON.stringify(forecastJson(done.forecast)));
  else done.view ??= new Rendered(forecastHtml(done.forecast));
  return done;
}

forecastRoutes.get("/", async (c) => {
  const window = c.req.query("window") ?? "24h";
  if (!isForecastWindow(window)) {
    return rejected(c, {
      status: 400,
      errors: { window: `Cannot show the window ${window}: choose 24h or 7d.` },
    });
  }
  const { view, json } = await rendered(c, window);
  return respond(c, {
    title: "Forecast",
    page: <ForecastPage view={raw(view?.text ?? "")} />,
    fragment: view,
    json,
  });
});
