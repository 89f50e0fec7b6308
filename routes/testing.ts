/**
 * HTTP test helpers: an app over a temp database, and requests shaped like the browser's
 * (same-origin, with the HX-Request header that unsafe requests need).
 * @module
 */
import type { Hono } from "hono";
import { type Config, DEMO_KEY, loadConfig } from "../lib/config.ts";
import { PYTHON_DATABASES, tempDatabase, type TempDb } from "../db/testing.ts";
import { createApp } from "./app.tsx";
import { Poller } from "../lib/poller.ts";

/** A test app, its database, and request helpers. */
export type TestApp = TempDb & {
  app: Hono;
  config: Config;
  /** The app's poller, not started: `tick()` does a round. */
  poller: Poller;
  /** A GET; `headers` adds to or overrides the defaults. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** A GET for the JSON interface. */
  json(path: string): Promise<Response>;
  /** A form POST as htmx sends it from the app's own page. */
  post(
    path: string,
    form?: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** A DELETE as htmx sends it. */
  del(path: string, headers?: Record<string, string>): Promise<Response>;
};

const HTMX = {
  "HX-Request": "true",
  "Origin": "http://localhost",
  "Sec-Fetch-Site": "same-origin",
};

/**
 * Builds an app over a fresh temp database (seeded with the demo data unless told otherwise),
 * its reads answered on a reader Worker as the server's are (`readers`, default 1).
 */
export async function testApp(
  options: {
    from?: keyof typeof PYTHON_DATABASES;
    seed?: boolean;
    empty?: boolean;
    env?: Record<string, string>;
    peer?: string;
    readers?: number;
  } = {},
): Promise<TestApp> {
  const temp = await tempDatabase({ seed: options.seed ?? !options.from, readers: 1, ...options });
  const config = loadConfig({
    OpenOrchestratorSQL: `sqlite:///${temp.path}`,
    OpenOrchestratorKey: DEMO_KEY,
    ...options.env,
  });
  const poller = new Poller(temp.db, { outage: null }, { intervalMs: config.pollSeconds * 1000 });
  const app = createApp({
    db: temp.db,
    config,
    poller,
    peerOf: () => options.peer ?? "127.0.0.1",
  });
  const base = "http://localhost";
  const send = async (path: string, init: RequestInit) => await app.request(base + path, init);
  return {
    ...temp,
    app,
    config,
    poller,
    get: (path, headers = {}) => send(path, { headers }),
    json: (path) => send(path, { headers: { Accept: "application/json" } }),
    post(path, form = {}, headers = {}) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) {
        for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
      }
      return send(path, { method: "POST", body, headers: { ...HTMX, ...headers } });
    },
    del: (path, headers = {}) => send(path, { method: "DELETE", headers: { ...HTMX, ...headers } }),
  };
}
