/**
 * How a handler answers: one responder (`respond`) picks the full page, the fragment for htmx or
 * JSON for scripts; rejections, changes and errors are answers like any other.
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { FieldErrors } from "../lib/list.ts";
import type { Poller } from "../lib/poller.ts";
import { gzipSync } from "node:zlib";
import { changeJson, type Json } from "./json.ts";
import { Flash, type Frame, Layout } from "../templates/layout.tsx";
import { ErrorView } from "../templates/errors.tsx";

/** True when the client asked for JSON (the scripting interface). */
export function wantsJson(c: Context): boolean {
  const accept = c.req.header("Accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** True when htmx asked for a fragment (not a boosted page load or history restore). */
export function wantsFragment(c: Context): boolean {
  return c.req.header("HX-Request") === "true" && c.req.header("HX-History-Restore-Request") !==
      "true" &&
    c.req.header("HX-Boosted") !== "true";
}

/** The frame of the current request. */
function frameOf(c: Context): Frame {
  return {
    user: c.get("user") ?? null,
    info: c.get("db").info,
    health: c.get("health"),
    schedulers: c.get("snapshot").schedulers ?? null,
    nonce: c.get("nonce") ?? "",
    path: c.req.path,
  };
}

/**
 * A body rendered once and answered many times (a fragment or JSON made once a poller round), with
 * its gzip once a client accepted one: a large view is sent as a tenth of its size.
 */
export class Rendered {
  gzip?: Uint8Array<ArrayBuffer>;
  constructor(readonly text: string) {}
}

/** What a rendered body's answer depends on: a 304 for it names the same (RFC 9110, 15.4.5). */
export const RENDERED_VARY = "HX-Request, Accept, Accept-Encoding";

/** Answers with a rendered body, gzipped when the client accepts it. */
function sendRendered(
  c: Context,
  body: Rendered,
  options: { status: ContentfulStatusCode; type: string },
): Response {
  c.header("Vary", RENDERED_VARY);
  c.header("Content-Type", options.type);
  if (!/\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")) {
    return c.body(body.text, options.status);
  }
  body.gzip ??= new Uint8Array(gzipSync(body.text));
  c.header("Content-Encoding", "gzip");
  return c.body(body.gzip, options.status);
}

/** How long a body made from the snapshot alone is answered again at most ("3 min ago" in it). */
const KEPT_MS = 10_000;
/** The most such bodies kept at once (one per URL and kind): what any number of URLs can cost. */
const KEPT_BODIES = 64;
const keptBodies = new WeakMap<Poller, { stamp: string; bodies: Map<string, Rendered> }>();

/**
 * The body a request asks for (the page's body, the fragment or the JSON, made by `make`) of a
 * view made from the poller's snapshot alone: made once per URL while the snapshot stays the same
 * (`Poller.version`), for at most {@linkcode KEPT_MS}, and answered from memory meanwhile. Every
 * open console refreshes such a list on each round, so it is made once for them all.
 */
export function keptBody(
  c: Context,
  make: (kind: "page" | "fragment" | "json") => string,
): Rendered {
  const poller = c.get("poller");
  const stamp = `${poller.version} ${Math.floor(c.get("now").getTime() / KEPT_MS)}`;
  let kept = keptBodies.get(poller);
  if (kept?.stamp !== stamp) keptBodies.set(poller, kept = { stamp, bodies: new Map() });
  const kind = wantsJson(c) ? "json" : wantsFragment(c) ? "fragment" : "page";
  const key = `${kind} ${c.req.url}`;
  let body = kept.bodies.get(key);
  if (!body) {
    body = new Rendered(make(kind));
    if (kept.bodies.size < KEPT_BODIES) kept.bodies.set(key, body);
  }
  return body;
}

/** What a handler answers with; `respond` sends the part the request asked for. */
export type Answer = {
  status?: ContentfulStatusCode;
  /** The JSON body, from a serializer in `json.ts`; without one a script gets the HTML. */
  json?: Json | Rendered;
  /** The full page's title and body; without them every HTML answer is the fragment. */
  title?: string;
  page?: Child | Rendered;
  /** What htmx swaps in (default: the page body). */
  fragment?: Child | Rendered;
};

/**
 * The one place that decides how a request is answered: JSON for scripts (`Accept:
 * application/json`), the fragment for htmx (`HX-Request`), the full page otherwise.
 */
export function respond(c: Context, answer: Answer): Response | Promise<Response> {
  const status = answer.status ?? 200;
  c.header("Vary", "HX-Request, Accept");
  if (answer.json !== undefined && wantsJson(c)) {
    return answer.json instanceof Rendered
      ? sendRendered(c, answer.json, { status, type: "application/json" })
      : c.json(answer.json, status);
  }
  if (answer.page === undefined || (wantsFragment(c) && answer.fragment !== undefined)) {
    const body = answer.fragment ?? answer.page;
    return body instanceof Rendered
      ? sendRendered(c, body, { status, type: "text/html; charset=UTF-8" })
      : c.html(<>{body}</>, status);
  }
  return c.html(
    <>
      {raw("<!DOCTYPE html>")}
      <Layout title={answer.title ?? ""} frame={frameOf(c)}>
        {answer.page instanceof Rendered ? raw(answer.page.text) : answer.page}
      </Layout>
    </>,
    status,
  );
}

/** The error page, the flash htmx shows, and `{"errors": …}` for scripts. */
function errorAnswer(status: ContentfulStatusCode, errors: FieldErrors): Answer {
  const message = Object.values(errors).join(" ");
  return {
    status,
    json: { errors },
    title: status === 404 ? "Not found" : "Error",
    page: <ErrorView status={status} message={message} />,
    fragment: <Flash message={message} kind="error" />,
  };
}

/**
 * Answers a request that cannot be done: `{"errors": …}` for scripts; for htmx the `form` with
 * its messages (or a flash); the error page otherwise. `extra` adds keys to the JSON (a count).
 */
export function rejected(
  c: Context,
  answer: {
    status: 400 | 403 | 404 | 409 | 422 | 429;
    errors: FieldErrors;
    form?: Child;
    extra?: Json;
  },
): Response | Promise<Response> {
  const base = errorAnswer(answer.status, answer.errors);
  return respond(c, {
    ...base,
    json: { errors: answer.errors, ...answer.extra },
    fragment: answer.form ?? base.fragment,
  });
}

/** Answers a 404 with `message`. */
export function notFound(c: Context, message: string): Response | Promise<Response> {
  return respond(c, errorAnswer(404, { _form: message }));
}

/**
 * Answers a request that failed with `message`, never a stack trace; htmx gets `fragment` when
 * given (the database banner), else a flash.
 */
export function failed(
  c: Context,
  failure: { status: ContentfulStatusCode; message: string; fragment?: Child },
): Response | Promise<Response> {
  const answer = errorAnswer(failure.status, { _form: failure.message });
  return respond(c, { ...answer, fragment: failure.fragment ?? answer.fragment });
}

/**
 * Answers a change, the same way everywhere: for htmx what replaces the form (`swap`, empty by
 * default: the editor closes), a flash with `message`, and the parts the change altered as they
 * are now (`oob`: the list the page shows, the counts), swapped out of band in the same answer;
 * for scripts `json` (default `{"ok": true, "message": …}`).
 */
export function changed(
  c: Context,
  change: {
    message: string;
    status?: 200 | 201 | 409;
    swap?: Child;
    oob?: Child;
    json?: Json;
  },
): Response | Promise<Response> {
  const ok = change.status !== 409;
  return respond(c, {
    status: change.status,
    json: change.json ?? changeJson(change.message),
    fragment: (
      <>
        {change.swap}
        <Flash message={change.message} kind={ok ? "ok" : "error"} />
        {change.oob}
      </>
    ),
  });
}

/**
 * The query of what the page shows when its path is `base` (the page sends its URL with every
 * change as the `OO-View` header), or null: a change answers with that view as it is now.
 */
export function shownView(c: Context, base: string): URLSearchParams | null {
  const sent = c.req.header("OO-View");
  if (!sent?.startsWith("/")) return null;
  const url = new URL(sent, "http://app");
  return url.pathname === base ? url.searchParams : null;
}
