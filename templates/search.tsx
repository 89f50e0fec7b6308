/**
 * The search of everything: the header's list of results (a combobox's listbox, filled as you
 * type) and the results page at `/search?q=`, which works without JavaScript. Both show the same
 * groups, each result a link to its own view.
 * @module
 */
import type { Child } from "hono/jsx";
import type { FieldErrors } from "../lib/list.ts";
import { type DbTime, displayTime, inputTime } from "../lib/time.ts";
import { statusLabel, typeLabel } from "../lib/trigger_status.ts";
import { MESSAGE_HOURS, type MessageResults, type SearchResults } from "../db/search.ts";
import { FieldError } from "./filters.tsx";
import { AROUND_MINUTES, aroundLink } from "./log_view.tsx";
import { elementPath, logsPath, queuePath, triggerPath } from "./paths.ts";
import { LevelBadge, QueueStatusBadge } from "./badges.tsx";
import { GLYPHS, Quoted } from "./glyphs.tsx";

/** One result: where it leads, what it is called, and a line about it. */
type Hit = { href: string; title: Child; detail?: Child };

/**
 * One group of results, as both the list and the page show it; a search that stopped at its
 * slice of rows says how far back it read, and where it goes on.
 */
type HitGroup = {
  key: string;
  label: string;
  hits: Hit[];
  more: boolean;
  searched?: { to: DbTime; onward: string };
};

/** The characters of a message shown around the first match. */
const SNIPPET = 120;

/** The part of `message` around the first `q` (any case), with the match marked. */
function Snippet(props: { message: string; q: string }) {
  const { message, q } = props;
  const at = message.toLowerCase().indexOf(q.toLowerCase());
  if (at < 0) {
    return <>{message.slice(0, SNIPPET)}{message.length > SNIPPET ? GLYPHS.hellip : ""}</>;
  }
  const start = Math.max(0, at - Math.floor((SNIPPET - q.length) / 2));
  const end = Math.min(message.length, start + SNIPPET);
  return (
    <>
      {start > 0 ? GLYPHS.hellip : ""}
      {message.slice(start, at)}
      <mark>{message.slice(at, at + q.length)}</mark>
      {message.slice(at + q.length, end)}
      {end < message.length ? GLYPHS.hellip : ""}
    </>
  );
}

/** A list page filtered to one name. */
function listedAs(area: string, name: string): string {
  return `/${area}?${new URLSearchParams({ q: name })}`;
}

/** The log messages found, as a group of links to the rows around each. */
function messageGroup(q: string, found: MessageResults): HitGroup {
  const { messages, since } = found;
  const onward = `${logsPath(null)}?${new URLSearchParams({ q, from: inputTime(since) })}`;
  return {
    key: "messages",
    label: `Log messages of the last ${MESSAGE_HOURS} hours`,
    hits: messages.rows.map((m) => ({
      href: aroundLink(logsPath(m.process_name), {
        time: m.log_time,
        id: m.id,
        minutes: AROUND_MINUTES,
      }),
      title: <>{m.process_name} {GLYPHS.middot} {displayTime(m.log_time)}</>,
      detail: (
        <>
          <LevelBadge level={m.log_level} /> <Snippet message={m.log_message} q={q} />
        </>
      ),
    })),
    more: messages.more,
    searched: messages.searchedTo ? { to: messages.searchedTo, onward } : undefined,
  };
}

/** The results as groups of links, in the order both views show them. */
function hitGroups(results: SearchResults): HitGroup[] {
  const named = (area: string, group: { rows: string[]; more: boolean }) => ({
    hits: group.rows.map((name) => ({ href: listedAs(area, name), title: name })),
    more: group.more,
  });
  const groups: HitGroup[] = [
    {
      key: "elements",
      label: "Queue elements by reference",
      hits: results.elements.rows.map((e) => ({
        href: elementPath(e.queue_name, e.id),
        title: e.reference,
        detail: (
          <>
            {e.queue_name} <QueueStatusBadge status={e.status} /> created{" "}
            {displayTime(e.created_date)}
            {e.start_date && <>, started {displayTime(e.start_date)}</>}
            {e.end_date && <>, ended {displayTime(e.end_date)}</>}
          </>
        ),
      })),
      more: results.elements.more,
    },
    {
      key: "triggers",
      label: "Triggers",
      hits: results.triggers.rows.map((t) => ({
        href: triggerPath(t.id),
        title: t.trigger_name,
        detail: (
          <>
            {t.process_name} {GLYPHS.middot} {typeLabel(t.type)} {GLYPHS.middot}{" "}
            {statusLabel(t.process_status)}
          </>
        ),
      })),
      more: results.triggers.more,
    },
    {
      key: "processes",
      label: "Processes",
      hits: results.processes.rows.map((p) => ({ href: logsPath(p), title: p, detail: "Logs" })),
      more: results.processes.more,
    },
    {
      key: "queues",
      label: "Queues",
      hits: results.queues.rows.map((q) => ({ href: queuePath(q), title: q })),
      more: results.queues.more,
    },
    { key: "constants", label: "Constants", ...named("constants", results.constants) },
    { key: "credentials", label: "Credentials", ...named("credentials", results.credentials) },
    {
      key: "schedulers",
      label: "Scheduler machines",
      hits: results.schedulers.rows.map((s) => ({
        href: listedAs("schedulers", s.machine_name),
        title: s.machine_name,
        detail: `${s.state}, last seen ${displayTime(s.last_update)}`,
      })),
      more: results.schedulers.more,
    },
    messageGroup(results.q, results),
  ];
  return groups.filter((g) => g.hits.length > 0 || g.searched);
}

/** What a group holding more than it shows (or that stopped searching) says. */
function moreText(group: HitGroup, limit: number): string {
  if (group.searched) return `searched back to ${displayTime(group.searched.to)} only`;
  return group.key === "messages"
    ? `the newest ${limit} only`
    : `the first ${limit} only: type more to narrow`;
}

/** The link to the results page of `q`. */
export function searchPath(q: string): string {
  return `/search?${new URLSearchParams({ q })}`;
}

/** One group of the header's list: its label, then its results as options. */
function OptionGroup(props: { group: HitGroup; limit: number }) {
  const { group } = props;
  return (
    <div role="group" aria-labelledby={`find-g-${group.key}`}>
      <p class="find-head" id={`find-g-${group.key}`} role="presentation">
        {group.label}
        {(group.more || group.searched) && <small>, {moreText(group, props.limit)}</small>}
      </p>
      {group.hits.map((hit, i) => (
        <a role="option" id={`find-${group.key}-${i}`} href={hit.href} tabindex={-1}>
          <strong>{hit.title}</strong>
          {hit.detail && <small class="muted block">{hit.detail}</small>}
        </a>
      ))}
    </div>
  );
}

/** A line of the header's list that is no result. */
function Note(props: { id: string; children: Child }) {
  return (
    <div role="option" id={props.id} class="find-empty" aria-disabled="true">{props.children}</div>
  );
}

/**
 * The header's results for `q`: the options of the listbox `#find-results`, in groups; the log
 * messages, which load after the rest; then the option that opens the results page. Empty when
 * `q` is.
 */
export function SearchOptions(props: { results: SearchResults }) {
  const { results } = props;
  if (!results.q) return null;
  const groups = hitGroups(results);
  return (
    <>
      {groups.length === 0 && (
        <Note id="find-none">
          No name or reference matches <Quoted>{results.q}</Quoted>.
        </Note>
      )}
      {groups.map((group) => <OptionGroup group={group} limit={results.limit} />)}
      <div
        id="find-messages"
        hx-get={`/search/messages?${new URLSearchParams({ q: results.q })}`}
        hx-trigger="load"
        hx-swap="outerHTML"
      >
        <Note id="find-messages-wait">
          Searching the log messages of the last {MESSAGE_HOURS} hours{GLYPHS.hellip}
        </Note>
      </div>
      <a role="option" id="find-all" href={searchPath(results.q)} tabindex={-1}>
        All results for <Quoted>{results.q}</Quoted> {GLYPHS.rarr}
      </a>
    </>
  );
}

/** The log messages of the header's list, in place of their placeholder. */
export function MessageOptions(props: { q: string; found: MessageResults; limit: number }) {
  const group = messageGroup(props.q, props.found);
  if (group.hits.length) return <OptionGroup group={group} limit={props.limit} />;
  const q = <Quoted>{props.q}</Quoted>;
  return (
    <Note id="find-messages-none">
      {group.searched
        ? (
          <>
            No log message back to {displayTime(group.searched.to)} contains{" "}
            {q}; the results page searches on.
          </>
        )
        : <>No log message of the last {MESSAGE_HOURS} hours contains {q}.</>}
    </Note>
  );
}

/** The results page: the search form and every group, or what is wrong with the text. */
export function SearchPage(props: { results: SearchResults; errors?: FieldErrors }) {
  const { results, errors } = props;
  const groups = hitGroups(results);
  return (
    <section class="search-page">
      <h1>Search</h1>
      <form class="search" action="/search" method="get" role="search">
        <input
          type="search"
          name="q"
          value={results.q}
          maxlength={200}
          aria-label="Search everything"
          aria-invalid={errors?.q ? "true" : undefined}
          aria-describedby={errors?.q ? "search-q-error" : "search-scope"}
        />
        <button type="submit">Search</button>
        {errors && <FieldError id="search" errors={errors} name="q" />}
      </form>
      <p class="muted" id="search-scope">
        Queue elements by the start of their reference, in every queue; triggers by trigger or
        process name; processes, queues, constants, credentials and scheduler machines by name; log
        messages that contain the text, from the last {MESSAGE_HOURS} hours only.
      </p>
      {results.q && groups.length === 0 && !errors && (
        <p>
          Nothing matches <Quoted>{results.q}</Quoted>.
        </p>
      )}
      {groups.map((group) => (
        <section class="search-group" aria-labelledby={`search-${group.key}`}>
          <h2 id={`search-${group.key}`}>
            {group.label}
            {(group.more || group.searched) && (
              <small class="muted">: {moreText(group, results.limit)}</small>
            )}
          </h2>
          <ul>
            {group.hits.map((hit) => (
              <li>
                <a href={hit.href}>{hit.title}</a>
                {hit.detail && <div class="muted">{hit.detail}</div>}
              </li>
            ))}
          </ul>
          {group.searched && (
            <p>
              <a href={group.searched.onward}>Search on in the logs {GLYPHS.rarr}</a>
            </p>
          )}
        </section>
      ))}
    </section>
  );
}
