/**
 * Request middleware: identity and policy, CSRF, the admin gate.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { AuthError, authorize, identify, type TokenResolver } from "../lib/auth.ts";
import type { Config } from "../lib/config.ts";

/** Finds the peer address of a request (injected in tests, where there is no socket). */
export type PeerOf = (c: Context) => string | null;

/** Sets `c.get("user")` from the configured identity mode and policy; fails closed. */
export function identity(
  config: Config,
  peerOf: PeerOf,
  resolveToken: TokenResolver,
): MiddlewareHandler {
  return async (c, next) => {
    const who = identify(config.auth, {
      peer: peerOf(c),
      host: new URL(c.req.url).hostname,
      header: (name) => c.req.header(name),
    }, { header: config.authHeader, resolveToken });
    c.set("user", authorize(who, config));
    await next();
  };
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses cross-site unsafe requests: the browser's `Sec-Fetch-Site` must say same-origin, an
 * `Origin` must match the app's origin (from `OO_ORIGIN`, else the request's host: behind IIS the
 * scheme differs, so only the host is compared then), and the `HX-Request` header must be there
 * (a custom header that no cross-site form can send).
 */
export function csrf(config: Config): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return await next();
    const site = c.req.header("Sec-Fetch-Site");
    if (site && site !== "same-origin") {
      throw new AuthError(403, `Refused a cross-site request (Sec-Fetch-Site: ${site}).`);
    }
    const origin = c.req.header("Origin");
    if (origin && origin !== "null") {
      const expected = config.origin ?? new URL(c.req.url).host;
      const actual = config.origin ? origin : origin.replace(/^https?:\/\//, "");
      if (actual !== expected) {
        throw new AuthError(403, `Refused a request from another origin (${origin}).`);
      }
    } else if (origin === "null") {
      throw new AuthError(403, "Refused a request from an opaque origin.");
    }
    if (c.req.header("HX-Request") !== "true") {
      throw new AuthError(403, "Refused a change without the HX-Request header.");
    }
    await next();
  };
}

/** Lets only admins through (viewers may only read). */
export const requireAdmin: MiddlewareHandler = async (c, next) => {
  if (c.get("user").role !== "admin") {
    throw new AuthError(403, `${c.get("user").name} may only read: changes need an admin.`);
  }
  await next();
};
