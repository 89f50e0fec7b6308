/**
 * The search of everything: `GET /search?q=` answers the header's list (htmx fragment), the
 * results page (works without JavaScript) and JSON. Processes and queues come from the poller's
 * summaries; the rest is read from the database. The header's list asks for the log messages on
 * their own (`GET /search/messages?q=`), so that names and references show without waiting.
 * @module
 */
import { type Context, Hono } from "hono";
import type { FieldErrors } from "../lib/list.ts";
import { SEARCH_LIMITS, searchEverything, searchMessages } from "../db/search.ts";
import { searchJson } from "./json.ts";
import { rejected, respond, wantsFragment, wantsJson } from "./render.tsx";
import { MessageOptions, SearchOptions, SearchPage, searchPath } from "../templates/search.tsx";

/** The search route. */
export const search = new Hono();

/** The longest search text: longer than any name or reference the schema holds. */
const MAX_QUERY = 200;

/** Reads the search text: trimmed, and at most {@linkcode MAX_QUERY} characters. */
function searchText(c: Context): { q: string; errors?: FieldErrors } {
  const q = (c.req.query("q") ?? "").trim();
  return q.length > MAX_QUERY
    ? { q, errors: { q: `Search text can be at most ${MAX_QUERY} characters.` } }
    : { q };
}

search.get("/", async (c) => {
  const { q, errors } = searchText(c);
  const box = wantsFragment(c);
  if (errors && (box || wantsJson(c))) return rejected(c, { status: 400, errors });
  const snapshot = c.get("snapshot");
  const db = c.get("db");
  if (q && !errors) {
    await c.get("poller").ensure("queues");
    await c.get("poller").ensure("logs");
  }
  const results = await searchEverything(db, errors ? "" : q, {
    limit: box ? SEARCH_LIMITS.box : SEARCH_LIMITS.page,
    messages: !box,
    processes: snapshot.logs?.processes.map((p) => p.process) ?? [],
    queues: snapshot.queues?.rows.map((r) => r.name) ?? [],
    signal: c.req.raw.signal,
  });
  if (errors) {
    return respond(c, {
      status: 400,
      title: "Search",
      page: <SearchPage results={{ ...results, q }} errors={errors} />,
    });
  }
  return respond(c, {
    title: q ? `Search: ${q}` : "Search",
    page: <SearchPage results={results} />,
    fragment: <SearchOptions results={results} />,
    json: searchJson(results),
  });
});

/** The header list's log messages; anything but htmx is sent to the results page. */
search.get("/messages", async (c) => {
  const { q, errors } = searchText(c);
  if (!wantsFragment(c)) return c.redirect(searchPath(q), 303);
  if (errors) return rejected(c, { status: 400, errors });
  // Each keystroke replaces the last one's request: a scan it left waiting is dropped.
  const found = await searchMessages(c.get("db"), q, {
    limit: SEARCH_LIMITS.box,
    signal: c.req.raw.signal,
  });
  return c.html(<MessageOptions q={q} found={found} limit={SEARCH_LIMITS.box} />);
});
