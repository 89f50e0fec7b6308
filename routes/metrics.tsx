/**
 * `GET /metrics`: the Prometheus exposition of the poller's snapshot (no query on read) and the
 * request durations. Prometheus cannot log in to Windows: the path takes no identity, only the
 * bearer token of `OO_METRICS_TOKEN`; without one set, there is no such page (404).
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Metrics } from "../lib/metrics.ts";

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** The metrics route for an app (`metrics` null: metrics are off, the path is not found). */
export function metricsRoute(metrics: Metrics | null): Hono {
  const route = new Hono();
  route.get("/metrics", async (c) => {
    const token = c.get("config").metricsToken;
    if (!metrics || !token) return c.text("Not found", 404);
    const sent = c.req.header("Authorization") ?? "";
    if (!timingSafeEqual(digest(sent), digest(`Bearer ${token}`))) {
      c.header("WWW-Authenticate", 'Bearer realm="metrics"');
      return c.text("The metrics need the bearer token of OO_METRICS_TOKEN.", 401);
    }
    const text = await metrics.render(c.get("snapshot"), c.get("health"));
    return c.body(text, 200, { "Content-Type": metrics.contentType, "Cache-Control": "no-store" });
  });
  return route;
}

/**
 * Times every request into the histogram, labelled with the pattern of the route that answered
 * (`/queues/:name`), never the path as sent; a request no route answered is `unmatched`.
 */
export function timeRequests(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const handler = matchedRoutes(c).findLast((r) => r.method !== "ALL");
      metrics.observeRequest({
        method: c.req.method,
        route: handler?.path ?? "unmatched",
        status: c.res.status,
        seconds: (performance.now() - started) / 1000,
      });
    }
  };
}
