/**
 * The static assets, embedded at build time (text imports, so `deno compile` carries them and
 * nothing is read from the working directory): our CSS, JS and icon, and htmx and Alpine's CSP
 * build straight from their npm packages. Each URL carries a content hash, so the files can be
 * cached for a year.
 * @module
 */
import htmx from "htmx.org/dist/htmx.min.js" with { type: "text" };
import alpine from "@alpinejs/csp/dist/cdn.min.js" with { type: "text" };
import css from "../static/app.css" with { type: "text" };
import js from "../static/app.js" with { type: "text" };
import icon from "../static/icon.svg" with { type: "text" };

/** One servable file. */
export type Asset = { body: string; type: string; version: string };

function hash(text: string): string {
  // FNV-1a: enough to tell versions apart; no security meaning.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function asset(body: string, type: string): Asset {
  return { body, type, version: hash(body) };
}

/** The assets by file name. */
export const ASSETS: Record<string, Asset> = {
  "app.css": asset(css, "text/css; charset=utf-8"),
  "app.js": asset(js, "text/javascript; charset=utf-8"),
  "icon.svg": asset(icon, "image/svg+xml"),
  "htmx.min.js": asset(htmx, "text/javascript; charset=utf-8"),
  "alpine.min.js": asset(alpine, "text/javascript; charset=utf-8"),
};

/** The versioned URL of an asset. */
export function assetUrl(name: string): string {
  const found = ASSETS[name];
  if (!found) throw new Error(`Cannot find asset: ${name}`);
  return `/static/${found.version}/${name}`;
}
