/**
 * The page frame: navigation, database and user, dark mode, the database banner, flash messages.
 * @module
 */
import type { Child } from "hono/jsx";
import type { User } from "../lib/auth.ts";
import type { DbInfo, Health } from "../db/connection.ts";
import type { SchedulerCounts } from "../db/schedulers.ts";
import { assetUrl } from "../lib/assets.ts";
import { GLYPHS } from "./glyphs.tsx";

/** The areas in the navigation, in order. */
const NAV: { href: string; label: string }[] = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/triggers", label: "Triggers" },
  { href: "/queues", label: "Queues" },
  { href: "/logs", label: "Logs" },
  { href: "/schedulers", label: "Schedulers" },
  { href: "/constants", label: "Constants" },
  { href: "/credentials", label: "Credentials" },
  { href: "/settings", label: "Settings" },
];

/** What every page's frame needs to know. */
export type Frame = {
  user: User | null;
  info: DbInfo;
  /** The database's state: the banner's message while it cannot serve requests. */
  health: Health;
  /** Scheduler machines by state, from the poller (null before its first round). */
  schedulers: SchedulerCounts | null;
  nonce: string;
  path: string;
};

/**
 * htmx settings: no eval, our own indicator styles (CSP), swap 4xx forms and the 503 banner. The
 * settle step copies no `style` attribute (the CSP refuses inline styles: a textarea the user
 * resized, say, would be refused on every re-render).
 */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  attributesToSettle: ["class", "width", "height"],
  selfRequestsOnly: true,
  historyCacheSize: 0,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "(400|403|404|409|422|429|503)", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ],
});

/**
 * The database banner: shown while the database cannot serve requests (unreachable, busy, disk
 * full, read-only); it checks again by itself. A `notice` (the file was replaced and opened again)
 * shows without the checking.
 */
export function DbBanner(props: { health: Health }) {
  const { outage, problem, notice } = props.health;
  if (!outage) {
    if (!notice) return <div id="db-banner" hidden></div>;
    return <div id="db-banner" class="banner" role="status">{notice}</div>;
  }
  return (
    <div
      id="db-banner"
      class="banner banner-error"
      role="alert"
      hx-get="/health/banner"
      hx-trigger="every 5s"
      hx-target="this"
      hx-swap="outerHTML"
    >
      {!problem || problem === "unreachable"
        ? (
          <>
            <strong>The database cannot be reached.</strong> {outage}
          </>
        )
        : <strong>{outage}</strong>}{" "}
      <span class="muted">Checking again every 5 seconds; this page reloads when it is back.</span>
    </div>
  );
}

/** The scheduler count in the header; it refreshes itself on every live tick. */
export function SchedulerStatus(props: { counts: SchedulerCounts | null }) {
  const { counts } = props;
  const total = counts ? counts.online + counts.stale + counts.offline : 0;
  const state = !counts
    ? "unknown"
    : counts.online === 0
    ? "down"
    : counts.online < total
    ? "partial"
    : "up";
  return (
    <a
      id="scheduler-status"
      class={`scheduler-status status-${state}`}
      href="/schedulers"
      hx-get="/health/header"
      hx-trigger="oo-tick from:body"
      hx-target="this"
      hx-swap="outerHTML"
      title="Scheduler machines that pinged in the last minute"
    >
      <span class="dot" aria-hidden="true"></span>
      {counts
        ? `${counts.online} of ${total} schedulers online`
        : <>Schedulers: checking{GLYPHS.hellip}</>}
    </a>
  );
}

/** A flash message, swapped out of band into `#flash`. */
export function Flash(props: { message: string; kind?: "ok" | "error" }) {
  return (
    <div id="flash" hx-swap-oob="true" role="status" aria-live="polite">
      <p class={`flash flash-${props.kind ?? "ok"}`} x-data="flash">{props.message}</p>
    </div>
  );
}

/**
 * The search box of the header: a combobox whose listbox fills as you type (htmx, debounced);
 * arrows move through the results, Enter opens one (or, with none chosen, the results page),
 * Escape closes the list, and `/` anywhere but in a field comes here (`searchBox` in app.js).
 * Without JavaScript it is a plain GET form to the results page.
 */
function HeaderSearch() {
  return (
    <form
      class="find"
      action="/search"
      method="get"
      role="search"
      x-data="searchBox"
      x-on:keydown="key"
      x-on:focusout="leave"
    >
      <input
        type="search"
        name="q"
        id="find-q"
        x-ref="input"
        x-on:focus="reopen"
        role="combobox"
        aria-label="Search everything"
        aria-autocomplete="list"
        aria-expanded="false"
        aria-controls="find-results"
        aria-keyshortcuts="/"
        autocomplete="off"
        maxlength={200}
        placeholder="Search"
        title="Search everything (press /)"
        hx-get="/search"
        hx-trigger="input changed delay:200ms, search"
        hx-target="#find-results"
        hx-swap="innerHTML"
        hx-sync="this:replace"
      />
      <div
        id="find-results"
        x-ref="list"
        class="find-results"
        role="listbox"
        hidden
        aria-label="Search results"
      >
      </div>
    </form>
  );
}

/** The whole page around a view. */
export function Layout(props: { title: string; frame: Frame; children?: Child }) {
  const { frame } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{props.title} {GLYPHS.middot} OpenOrchestrator</title>
        <link rel="stylesheet" href={assetUrl("app.css")} />
        <link rel="icon" href={assetUrl("icon.svg")} type="image/svg+xml" />
        <script nonce={frame.nonce} src={assetUrl("app.js")}></script>
        <script nonce={frame.nonce} src={assetUrl("htmx.min.js")} defer></script>
        <script nonce={frame.nonce} src={assetUrl("alpine.min.js")} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        {/* Shown by app.js when the page has a list: past the filters, straight to the rows. */}
        <a class="skip" href="#main" data-skip-list hidden>Skip to the list</a>
        <header class="top">
          <a class="brand" href="/dashboard">OpenOrchestrator</a>
          <nav aria-label="Areas">
            {NAV.map((item) => (
              <a
                href={item.href}
                aria-current={frame.path.startsWith(item.href) ? "page" : undefined}
              >
                {item.label}
              </a>
            ))}
          </nav>
          <HeaderSearch />
          <div class="who">
            <SchedulerStatus counts={frame.schedulers} />
            {frame.user && (
              <span class="db" title="Database and schema revision">
                {frame.info.name || "database"}{" "}
                <code class="rev">{frame.info.revision ?? "no revision"}</code>
              </span>
            )}
            {frame.user && (
              <span class="user" title={`Role: ${frame.user.role}`}>
                {frame.user.name}
                {frame.user.role === "viewer" && <small class="badge">read-only</small>}
              </span>
            )}
            <button
              type="button"
              class="icon-button"
              x-data="themeToggle"
              x-on:click="toggle"
              aria-label="Toggle dark mode"
              aria-pressed="false"
            >
              {GLYPHS.halfCircle}
            </button>
          </div>
        </header>
        <DbBanner health={frame.health} />
        <div id="flash" role="status" aria-live="polite"></div>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}
