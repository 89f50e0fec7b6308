/**
 * The poller's rounds on a Deno Worker with an SQLite connection of its own, so that the
 * aggregate reads (full scans of `Logs` and `Queues` at millions of rows) and the schedule
 * forecast never hold up a request: `node:sqlite` is synchronous, and on the server's thread each
 * of those stalled every request.
 *
 * Protocol: the main thread sends `{ type: "open", target }` once, then `{ type: "round",
 * recount, forget, forecasts }` per round (`forget`: the queues whose history a change made wrong;
 * `forecasts`: the forecast windows pages show); each round is answered with
 * {@linkcode RoundReply}. The worker keeps the incremental state (the log counts) between rounds.
 * It opens the file read-only: it never writes.
 *
 * The forecast is handed over rendered, as the view's HTML and the JSON text: a week's forecast
 * as objects took 5–40 ms to copy to the server's thread, as much as computing it there; text
 * is copied in a fraction of a millisecond.
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import {
  DatabaseUnavailableError,
  type Db,
  type ErrorReply,
  errorReply,
} from "../db/connection.ts";
import { detect } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import type { DatabaseTarget } from "./config.ts";
import { readForecasts } from "../db/forecast.ts";
import { forecastJson } from "../routes/json.ts";
import { forecastHtml } from "../templates/forecast.tsx";
import type { ForecastWindow } from "./forecast.ts";
import { logError } from "./log.ts";
import { newElementsOf, readRound, type Snapshot } from "./poller.ts";

/** A message to the worker: every one but `open` is answered. */
export type RoundRequest =
  | { type: "open"; target: Extract<DatabaseTarget, { kind: "sqlite" }> }
  | { type: "round"; recount: boolean; forget: string[]; forecasts: ForecastWindow[] }
  | { type: "close" };

/**
 * The worker's answer to a round: the new snapshot, or why the database did not answer; to a
 * close, `{ ok: true }` once its connection is closed.
 */
export type RoundReply = { ok: true; snapshot?: Snapshot } | ErrorReply;

let target: Extract<DatabaseTarget, { kind: "sqlite" }> | null = null;
let db: Db | null = null;
const snapshot: Snapshot = {};

/** The forecast of each of `windows` as the pages show it (none: the last ones go). */
async function forecastTexts(db: Db, windows: ForecastWindow[]): Promise<Snapshot["forecasts"]> {
  if (windows.length === 0) return {};
  try {
    const forecasts = await readForecasts(db, {
      now: new Date(),
      windows,
      newElements: newElementsOf(snapshot),
    });
    return Object.fromEntries(
      Object.entries(forecasts).map(([window, forecast]) => [
        window,
        { view: forecastHtml(forecast), json: JSON.stringify(forecastJson(forecast)) },
      ]),
    );
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) throw error;
    // A fault of the forecast's own is no fault of the round: pages compute it and show why.
    logError("The poller's worker could not compute the forecast", error);
    return {};
  }
}

async function round(
  { recount, forget, forecasts }: Extract<RoundRequest, { type: "round" }>,
): Promise<RoundReply> {
  try {
    if (!db) {
      db = openSqlite(target!, { readOnly: true });
      await detect(db);
    }
    if (recount && snapshot.logs) snapshot.logs.stale = true;
    await readRound(db, { snapshot, forget });
    snapshot.forecasts = await forecastTexts(db, forecasts);
    return { ok: true, snapshot };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError && error.problem === "unreachable") {
      // Open again next round: the file may have been replaced or come back.
      await db?.close();
      db = null;
    }
    return errorReply(error);
  }
}

self.onmessage = async (event: MessageEvent<RoundRequest>) => {
  const request = event.data;
  if (request.type === "open") {
    target = request.target;
    return;
  }
  if (request.type === "close") {
    await db?.close();
    db = null;
    self.postMessage({ ok: true } satisfies RoundReply);
    return;
  }
  self.postMessage(await round(request));
};
