/**
 * The search of everything: `GET /search?q=` answers the header's list (htmx fragment), the
 * results page (works without JavaScript) and JSON. Processes and queues come from the poller's
 * summaries; the rest is read from the database.
 * @module
 */
import { Hono } from "hono";
import { SEARCH_LIMITS, searchEverything, type SearchResults } from "../db/search.ts";
import { ensurePolled } from "../lib/poller.ts";
import { jsonTime } from "../lib/time.ts";
import { jsonRows, page, wantsFragment, wantsJson } from "./render.tsx";
import { SearchOptions, SearchPage } from "../templates/search.tsx";

/** The search route. */
export const search = new Hono();

/** The longest search text: longer than any name or reference the schema holds. */
const MAX_QUERY = 200;

/** The results with times as the JSON interface writes them. */
function jsonResults(results: SearchResults) {
  return {
    ...results,
    since: jsonTime(results.since),
    elements: {
      ...results.elements,
      rows: jsonRows(results.elements.rows, ["created_date", "start_date", "end_date"]),
    },
    schedulers: { ...results.schedulers, rows: jsonRows(results.schedulers.rows, ["last_update"]) },
    messages: { ...results.messages, rows: jsonRows(results.messages.rows, ["log_time"]) },
  };
}

search.get("/", async (c) => {
  const q = (c.req.query("q") ?? "").trim();
  const box = wantsFragment(c);
  const snapshot = c.get("snapshot");
  const db = c.get("db");
  const tooLong = q.length > MAX_QUERY;
  if (q && !tooLong) {
    await ensurePolled(db, snapshot, "queues");
    await ensurePolled(db, snapshot, "logs");
  }
  const results = await searchEverything(db, tooLong ? "" : q, {
    limit: box ? SEARCH_LIMITS.box : SEARCH_LIMITS.page,
    processes: snapshot.logs?.processes.map((p) => p.process) ?? [],
    queues: snapshot.queues?.rows.map((r) => r.name) ?? [],
  });
  c.header("Vary", "HX-Request, Accept");
  if (tooLong) {
    const errors = { q: `Search text can be at most ${MAX_QUERY} characters.` };
    if (wantsJson(c)) return c.json({ errors }, 400);
    if (box) return c.html(<p class="find-empty" role="alert">{errors.q}</p>, 400);
    return page(c, "Search", <SearchPage results={{ ...results, q }} errors={errors} />, 400);
  }
  if (wantsJson(c)) return c.json(jsonResults(results));
  if (box) return c.html(<SearchOptions results={results} />);
  return page(c, q ? `Search: ${q}` : "Search", <SearchPage results={results} />);
});
