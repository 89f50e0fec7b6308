/**
 * How a handler answers: the full page, the fragment for htmx, or JSON for scripts; and the
 * shapes of errors.
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { FieldErrors } from "../lib/list.ts";
import { jsonTime } from "../lib/time.ts";
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
export function frameOf(c: Context): Frame {
  return {
    user: c.get("user") ?? null,
    info: c.get("db").info,
    health: c.get("health"),
    schedulers: c.get("snapshot").schedulers ?? null,
    nonce: c.get("secureHeadersNonce") ?? "",
    path: c.req.path,
  };
}

/** Answers with the full page. */
export function page(c: Context, title: string, body: Child, status = 200) {
  c.header("Vary", "HX-Request, Accept");
  return c.html(
    <>
      {raw("<!DOCTYPE html>")}
      <Layout title={title} frame={frameOf(c)}>{body}</Layout>
    </>,
    status as 200,
  );
}

/** Answers a GET with the fragment for htmx, the full page otherwise. */
export function pageOrFragment(c: Context, title: string, body: Child, fragment: Child) {
  if (wantsFragment(c)) {
    c.header("Vary", "HX-Request, Accept");
    return c.html(<>{fragment}</>);
  }
  return page(c, title, body);
}

/** Turns stored rows into the JSON interface's shape: times as `YYYY-MM-DDTHH:MM:SS`. */
export function jsonRows<T extends Record<string, unknown>>(
  rows: T[],
  timeColumns: (keyof T)[],
): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = { ...row };
    for (const key of timeColumns) out[key as string] = jsonTime(row[key] as string | null);
    return out;
  });
}

/** Answers a rejected request: JSON errors, a fragment with the form, or a full error page. */
export function rejected(
  c: Context,
  status: 400 | 403 | 404 | 409 | 422 | 429,
  errors: FieldErrors,
  form?: Child,
) {
  if (wantsJson(c)) return c.json({ errors }, status);
  if (form !== undefined && c.req.header("HX-Request") === "true") {
    return c.html(<>{form}</>, status);
  }
  const message = Object.values(errors).join(" ");
  if (c.req.header("HX-Request") === "true") {
    return c.html(<Flash message={message} kind="error" />, status);
  }
  return page(c, "Bad request", <ErrorView status={status} message={message} />, status);
}

/** Answers a 404: JSON, a flash for htmx, or the error page. */
export function notFound(c: Context, message: string) {
  if (wantsJson(c)) return c.json({ errors: { _form: message } }, 404);
  if (c.req.header("HX-Request") === "true") {
    return c.html(<Flash message={message} kind="error" />, 404);
  }
  return page(c, "Not found", <ErrorView status={404} message={message} />, 404);
}

/**
 * Answers a successful change: for htmx, an empty editor, a flash message, the counts the change
 * affected (`counts`, swapped out of band) and the event that makes the table `tableId` reload
 * itself; JSON for scripts; a redirect to the list otherwise.
 */
export function changed(
  c: Context,
  tableId: string,
  message: string,
  options: { status?: 200 | 201; counts?: Child } = {},
) {
  const status = options.status ?? 200;
  if (wantsJson(c)) return c.json({ ok: true, message }, status);
  if (c.req.header("HX-Request") !== "true") {
    return c.redirect(`/${tableId.replace(/-table$/, "")}`, 303);
  }
  c.header("HX-Trigger", `${tableId}-changed`);
  return c.html(
    <>
      <Flash message={message} />
      {options.counts}
    </>,
    status,
  );
}
