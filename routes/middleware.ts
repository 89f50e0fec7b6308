/**
 * Request middleware: identity and policy, the request body, CSRF, the admin gate.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import {
  AuthError,
  authorize,
  identify,
  type NameResolver,
  type TokenResolver,
} from "../lib/auth.ts";
import type { Config } from "../lib/config.ts";
import { logLine } from "../lib/log.ts";

/** Finds the peer address of a request (injected in tests, where there is no socket). */
export type PeerOf = (c: Context) => string | null;

/**
 * True for the paths an anonymous `<location path="healthz">` or `<location path="metrics">` in
 * IIS may cover: IIS compares without regard to case and includes every path below. No identity
 * is read there, and the `X-IIS-WindowsAuthToken` header is never touched (IIS does not strip a
 * client's own header where anonymous access is on, so it may be a forged handle value).
 */
function isAnonymousPath(path: string): boolean {
  return /^\/+(?:healthz|metrics)[.\s]*(?:\/|$)/i.test(path);
}

/** How the identity of a request is found. */
export type IdentitySources = {
  /** The peer address of a request. */
  peerOf: PeerOf;
  /** Resolves the IIS token header (iis mode). */
  resolveToken: TokenResolver;
  /** Resolves the policy's names to what tokens carry (iis mode: SIDs). */
  resolveNames: NameResolver;
};

/**
 * Sets `c.get("user")` from the configured identity mode and policy; fails closed. It runs
 * before anything else can answer, so the Windows token of every request is closed. The health
 * and metrics paths get no identity: `/healthz` and `/metrics` answer, the rest are not found.
 */
export function identity(config: Config, sources: IdentitySources): MiddlewareHandler {
  const { peerOf, resolveToken, resolveNames } = sources;
  return async (c, next) => {
    if (isAnonymousPath(c.req.path)) {
      const exact = c.req.path === "/healthz" || c.req.path === "/metrics";
      if (exact && ["GET", "HEAD"].includes(c.req.method)) return await next();
      return c.text("Not found", 404);
    }
    const who = identify(config.auth, {
      peer: peerOf(c),
      host: new URL(c.req.url).hostname,
      header: (name) => c.req.header(name),
    }, { header: config.authHeader, resolveToken, origin: config.origin });
    c.set("user", authorize(who, config.auth === "iis" ? policyOf(config, resolveNames) : config));
    await next();
  };
}

/** The policy with its names resolved; a failure is 503 (the lookup may work again soon). */
function policyOf(config: Config, resolveNames: NameResolver) {
  try {
    return { admins: resolveNames(config.admins), viewers: resolveNames(config.viewers) };
  } catch (error) {
    throw new AuthError(503, (error as Error).message);
  }
}

const FORMS = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * Reads the request body once, before any handler: more than `maxBytes` answers 413; a client
 * that stops sending gets one quiet log line (and a 400 nobody reads); a form body that cannot
 * be parsed (a multipart type without a boundary) answers 400. Handlers then parse from memory.
 */
export function readBody(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return await next();
    const tooLarge = () => c.text(`The request body is larger than ${maxBytes} bytes.`, 413);
    if (Number(c.req.header("Content-Length") ?? 0) > maxBytes) return tooLarge();
    let bytes: Uint8Array<ArrayBuffer> | null;
    try {
      bytes = await readAtMost(body, maxBytes);
    } catch {
      logLine(
        `${c.req.method} ${new URL(c.req.url).pathname}: the client stopped sending the body`,
      );
      return c.text("The request body did not arrive.", 400);
    }
    if (bytes === null) return tooLarge();
    c.req.raw = new Request(c.req.raw, { body: bytes });
    const type = c.req.header("Content-Type")?.split(";")[0].trim().toLowerCase() ?? "";
    if (FORMS.has(type)) {
      try {
        await c.req.parseBody({ all: true });
      } catch {
        return c.text(`The request body is not a valid ${type} form.`, 400);
      }
    }
    await next();
  };
}

/** Reads a stream whole; null when it holds more than `maxBytes`. */
async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole;
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
      // Also what a form posted without JavaScript gets: changes need it (see the README).
      throw new AuthError(
        403,
        "Refused a change without the HX-Request header: changes are sent by the page's " +
          "JavaScript, so turn it on to make them (reading works without it).",
      );
    }
    await next();
  };
}

/** The headers every answer carries; the Content-Security-Policy is added per request. */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "same-origin"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "DENY"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

/** Scripts run only from this site's files with the request's nonce; nothing is framed. */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * Sets the security headers, and the nonce the page's script tags carry (`c.get("nonce")`),
 * before the answer is made. Headers added to an answer already made (as Hono's `secureHeaders`
 * does) make Deno encode its body a second time: 4 % of the server's thread under load.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  c.set("nonce", nonce);
  for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
  c.header("Content-Security-Policy", contentSecurityPolicy(nonce));
  await next();
};

/** Lets only admins through (viewers may only read). */
export const requireAdmin: MiddlewareHandler = async (c, next) => {
  if (c.get("user").role !== "admin") {
    throw new AuthError(403, `${c.get("user").name} may only read: changes need an admin.`);
  }
  await next();
};
