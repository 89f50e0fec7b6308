/**
 * Builds the Hono app: security headers, identity, CSRF, the areas, errors. `main.ts` only wires
 * it to a server; tests call `app.request()` on it.
 * @module
 */
import { Hono } from "hono";
import { getConnInfo } from "hono/deno";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Db, Health } from "../db/connection.ts";
import {
  DatabaseUnavailableError,
  noteHealth,
  QueryTimeoutError,
  ReadCancelledError,
} from "../db/connection.ts";
import { AuthError, type NameResolver, type TokenResolver, type User } from "../lib/auth.ts";
import type { Config } from "../lib/config.ts";
import { ASSETS } from "../lib/assets.ts";
import { logError, logLine } from "../lib/log.ts";
import { Metrics } from "../lib/metrics.ts";
import { RateLimiter } from "../lib/rate_limit.ts";
import { turn } from "../lib/turns.ts";
import { Poller, type Snapshot } from "../lib/poller.ts";
import { DbBanner } from "../templates/layout.tsx";
import { constants } from "./constants.tsx";
import { credentials } from "./credentials.tsx";
import { dashboard } from "./dashboard.tsx";
import { forecastRoutes } from "./forecast.tsx";
import { health } from "./health.tsx";
import { logs } from "./logs.tsx";
import { metricsRoute, timeRequests } from "./metrics.tsx";
import { csrf, identity, type PeerOf, readBody, securityHeaders } from "./middleware.ts";
import { queues } from "./queues.tsx";
import { failed, notFound } from "./render.tsx";
import { schedulers } from "./schedulers.tsx";
import { search } from "./search.tsx";
import { settings } from "./settings.tsx";
import { triggers } from "./triggers.tsx";

declare module "hono" {
  interface ContextVariableMap {
    user: User;
    db: Db;
    config: Config;
    health: Health;
    snapshot: Snapshot;
    poller: Poller;
    revealLimiter: RateLimiter;
    /** The moment the request is answered at: read once, so one page shows one "now". */
    now: Date;
    /** The nonce of this answer's script tags, named in its Content-Security-Policy. */
    nonce: string;
  }
}

/** What the app is built from. */
export type AppOptions = {
  db: Db;
  config: Config;
  /** The aggregates loop (default: one that is not started; tests call its `tick()`). */
  poller?: Poller;
  /** The peer address (default: the socket's remote address). */
  peerOf?: PeerOf;
  /** Resolves IIS Windows tokens (default: refuses: set by main.ts on Windows). */
  resolveToken?: TokenResolver;
  /** Resolves `OO_ADMINS` / `OO_VIEWERS` for the iis mode (default: the names as they are). */
  resolveNames?: NameResolver;
  /** Writes one line a request to stdout (IIS keeps them). */
  logRequests?: boolean;
};

function socketPeer(c: Parameters<PeerOf>[0]): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

function noResolver(): never {
  throw new Error("Cannot resolve Windows identity: no resolver is configured");
}

/** Builds the app. */
export function createApp(options: AppOptions): Hono {
  const poller = options.poller ??
    new Poller(options.db, { outage: null }, { intervalMs: options.config.pollSeconds * 1000 });
  const dbHealth = poller.health;
  const revealLimiter = new RateLimiter(5, 60_000);
  const app = new Hono();
  const metrics = options.config.metricsToken ? new Metrics() : null;
  if (metrics) app.use(timeRequests(metrics));
  if (options.logRequests) {
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      const ms = (performance.now() - started).toFixed(1);
      // The path as sent (still percent-encoded), so it cannot hold spaces or line breaks.
      const path = new URL(c.req.url).pathname;
      logLine(`${c.req.method} ${path} ${c.res.status} ${ms}ms ${c.get("user")?.name ?? "-"}`);
    });
  }

  app.use(securityHeaders);
  app.use(async (c, next) => {
    c.set("db", options.db);
    c.set("config", options.config);
    c.set("health", dbHealth);
    c.set("snapshot", poller.snapshot);
    c.set("poller", poller);
    c.set("revealLimiter", revealLimiter);
    c.set("now", new Date());
    await next();
  });
  // Identity comes first for every path, assets included, before anything else can answer (a
  // 413 too): in iis mode each request carries a Windows token handle that must be closed.
  app.use(identity(options.config, {
    peerOf: options.peerOf ?? socketPeer,
    resolveToken: options.resolveToken ?? noResolver,
    resolveNames: options.resolveNames ?? ((names) => names),
  }));
  app.use(csrf(options.config));
  // The largest form is a queue element (2,000 characters of data): 1 MiB is plenty.
  app.use(readBody(1024 * 1024));
  app.get("/static/:version/:name", (c) => {
    const name = c.req.param("name");
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return c.text("Not found", 404);
    return c.body(asset.body, 200, {
      "Content-Type": asset.type,
      "Cache-Control": asset.version === c.req.param("version")
        ? "public, max-age=31536000, immutable"
        : "no-cache",
    });
  });
  app.route("/", health);
  app.route("/", metricsRoute(metrics));
  // Everything below reads and renders, and takes turns (`lib/turns.ts`). The assets, health
  // checks and metrics above are quick (memory, or one small read): they answer at once. A
  // request closed while it waited (a newer keystroke's took its place) is not answered.
  app.use(async (c, next) => {
    await turn();
    if (c.req.raw.signal.aborted) throw new ReadCancelledError();
    await next();
  });

  app.get("/", (c) => c.redirect("/dashboard"));
  app.route("/dashboard", dashboard);
  app.route("/queues", queues);
  app.route("/logs", logs);
  app.route("/constants", constants);
  app.route("/credentials", credentials);
  app.route("/settings", settings);
  // Before the Triggers area, whose `/:id` would take "forecast" for an id.
  app.route("/triggers/forecast", forecastRoutes);
  app.route("/triggers", triggers);
  app.route("/schedulers", schedulers);
  app.route("/search", search);

  app.notFound((c) => notFound(c, `There is no page at ${c.req.path}.`));

  app.onError((error, c) => {
    let status = 500;
    let message = "The server could not finish this request. It has been logged.";
    if (error instanceof AuthError) {
      status = error.status;
      message = error.message;
    } else if (error instanceof HTTPException) {
      status = error.status;
      message = status === 400 ? "The request body cannot be read." : error.message;
    } else if (error instanceof DatabaseUnavailableError) {
      status = 503;
      message = error.message;
      noteHealth(dbHealth, error);
    } else if (error instanceof ReadCancelledError) {
      // The browser closed the request (a newer keystroke's took its place): nobody reads this.
      return c.body(null, 499 as ContentfulStatusCode);
    } else if (error instanceof QueryTimeoutError) {
      // A slow statement, not an outage: no banner, and the next request may well succeed.
      status = 504;
      message = error.message;
    } else {
      logError(`${c.req.method} ${new URL(c.req.url).pathname} failed`, error);
    }
    if (!(error instanceof DatabaseUnavailableError)) {
      return failed(c, { status: status as ContentfulStatusCode, message });
    }
    // htmx shows the outage in the banner, whatever the request was for.
    c.header("HX-Retarget", "#db-banner");
    c.header("HX-Reswap", "outerHTML");
    return failed(c, { status: 503, message, fragment: <DbBanner health={dbHealth} /> });
  });
  return app;
}
