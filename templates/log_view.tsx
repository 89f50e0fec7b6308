/**
 * The log view of one process or of all: level, time and message filters, newest first with
 * keyset paging, long messages that expand in place, "around this" (±2 minutes, the row marked,
 * widened to ±10 min or ±1 h), the live tail, and deletes (chosen rows; everything older than a date, after typing the
 * process's name).
 * @module
 */
import type { CountedPage } from "../db/list.ts";
import type { LogRow } from "../db/logs.ts";
import type { Cursor } from "../lib/cursor.ts";
import { aroundWindow, type LogFilter, logFilterQuery } from "../lib/filters.ts";
import { type FieldErrors, type ListDefinition, type ListParams, listQuery } from "../lib/list.ts";
import { type DbTime, displayTime, formatDbTime, parseDbTime } from "../lib/time.ts";
import { FilterForm } from "./filters.tsx";
import { Field, FormError } from "./forms.tsx";
import { type Column, DataTable, type RowAttrs, TableRow } from "./table.tsx";
import { LOG_LEVEL_LABELS, LOG_LEVELS } from "../lib/log_level.ts";
import { logsPath } from "./paths.ts";
import { LevelBadge } from "./badges.tsx";
import { formatCount } from "../lib/format.ts";
import { GLYPHS } from "./glyphs.tsx";

/** Minutes either side of a row in the "around this" view, and the wider windows offered. */
export const AROUND_MINUTES = 2;
const WIDER_MINUTES = [AROUND_MINUTES, 10, 60];

/** The link to the rows `minutes` either side of `time`, with the row `id` marked. */
export function aroundLink(
  base: string,
  { time, id, minutes }: { time: DbTime; id: string; minutes: number },
): string {
  // Built by hand: a page has a link per row, and `URLSearchParams` costs more than the row.
  const { from, to } = aroundWindow(time, minutes);
  const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` +
    `&highlight=${encodeURIComponent(id)}&size=200`;
  return `${base}?${query}#log-${id}`;
}

function minutesWords(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** On an "around this" view: the same row with a wider (or narrower) window. */
function Widen(props: { base: string; filter: LogFilter }) {
  const { filter } = props;
  if (!filter.highlight || !filter.from || !filter.until) return null;
  const from = parseDbTime(filter.fromText).getTime();
  const until = parseDbTime(filter.toText).getTime();
  const center = formatDbTime(new Date((from + until) / 2));
  const shown = Math.round((until - from) / 120_000);
  return (
    <nav class="chips widen" aria-label="Window around the marked row">
      <span>Around the marked row:</span>
      {WIDER_MINUTES.map((minutes) =>
        minutes === shown
          ? <strong class="chip" aria-current="true">{GLYPHS.plusmn}{minutesWords(minutes)}</strong>
          : (
            <a
              class="chip"
              href={aroundLink(props.base, { time: center, id: filter.highlight!, minutes })}
            >
              {GLYPHS.plusmn}
              {minutesWords(minutes)}
            </a>
          )
      )}
    </nav>
  );
}

/** One state of a log view. */
export type LogViewProps = {
  /** The process, or null for all processes. */
  process: string | null;
  filter: LogFilter;
  list: ListDefinition<never>;
  paging: ListParams;
  errors: FieldErrors;
  page: CountedPage<LogRow>;
  canWrite: boolean;
  now: Date;
};

function Message(props: { text: string }) {
  const { text } = props;
  if (text.length <= 300 && !text.includes("\n")) return <span class="wrap">{text}</span>;
  const first = text.split("\n", 1)[0];
  return (
    <details class="message">
      <summary>
        {first.length > 200 ? <>{first.slice(0, 200)}{GLYPHS.hellip}</> : first}{" "}
        <small class="muted">({formatCount(text.length)} characters)</small>
      </summary>
      <pre class="wrap">{text}</pre>
    </details>
  );
}

function sameId(a: string, b: string | null): boolean {
  return b !== null && a.replaceAll("-", "").toLowerCase() === b.replaceAll("-", "").toLowerCase();
}

function columns(props: Pick<LogViewProps, "process" | "canWrite">): Column<LogRow>[] {
  const base = logsPath(props.process);
  return [
    ...(props.canWrite
      ? [{
        key: "select",
        label: "Select",
        class: "select",
        cell: (r: LogRow) => (
          <input
            type="checkbox"
            name="id"
            value={r.id}
            form="logs-actions"
            aria-label={`Select the row of ${r.log_time.slice(0, 19)}`}
          />
        ),
      }]
      : []),
    {
      key: "log_time",
      class: "nowrap",
      cell: (r) => (
        <time datetime={r.log_time.slice(0, 23).replace(" ", "T")}>
          {r.log_time.slice(0, 10)} <strong>{r.log_time.slice(11, 23)}</strong>
        </time>
      ),
    },
    { key: "log_level", cell: (r) => <LevelBadge level={r.log_level} /> },
    ...(props.process === null
      ? [{
        key: "process_name",
        cell: (r: LogRow) => <a href={logsPath(r.process_name)}>{r.process_name}</a>,
      }]
      : []),
    { key: "log_message", cell: (r) => <Message text={r.log_message} /> },
    {
      key: "around",
      label: "Around",
      class: "nowrap",
      cell: (r) => (
        <a
          href={aroundLink(base, { time: r.log_time, id: r.id, minutes: AROUND_MINUTES })}
          title={`The rows ${AROUND_MINUTES} minutes either side of this one`}
          aria-label={`Logs around ${displayTime(r.log_time).slice(11)}${
            props.process === null ? ` (${r.process_name})` : ""
          }`}
        >
          Around
        </a>
      ),
    },
  ];
}

function rowAttrs(highlight: string | null, extra?: string) {
  return (r: LogRow): RowAttrs => ({
    id: `log-${r.id}`,
    class: [sameId(r.id, highlight) ? "highlight" : "", extra ?? ""].join(" ").trim() || undefined,
    "aria-current": sameId(r.id, highlight) ? "true" : undefined,
  });
}

/** The hidden element the live tail's requests start from: rows newer than `cursor`. */
function TailSource(
  props: { process: string | null; filter: LogFilter; cursor: Cursor | null; oob?: boolean },
) {
  const url = `${logsPath(props.process)}/tail${
    listQuery({ after: props.cursor }, { filters: logFilterQuery(props.filter) })
  }`;
  return (
    <span
      id="log-tail"
      hidden
      hx-get={url}
      hx-trigger="oo-tail from:body"
      hx-target="#log-rows"
      hx-swap="afterbegin"
      hx-swap-oob={props.oob ? "true" : undefined}
    >
    </span>
  );
}

/** True when the view shows the newest rows, so the live tail can add to it. */
function tailable(props: Pick<LogViewProps, "paging" | "filter" | "errors">): boolean {
  return props.paging.after === null && props.paging.before === null &&
    props.paging.dir === "desc" && props.filter.until === null &&
    Object.keys(props.errors).length === 0;
}

/** The log list fragment. */
export function LogsTable(props: LogViewProps & { oob?: boolean }) {
  const { page, filter } = props;
  const filtered = filter.levels.length > 0 || filter.q || filter.from || filter.until;
  return (
    <DataTable<LogRow>
      list={props.list}
      base={logsPath(props.process)}
      caption={props.process === null ? "Logs of all processes" : `Logs of ${props.process}`}
      page={page}
      columns={columns(props)}
      filters={logFilterQuery(filter)}
      params={props.paging}
      bodyId="log-rows"
      oob={props.oob}
      rowAttrs={rowAttrs(filter.highlight)}
      errors={props.errors}
      empty={filtered ? "No log row matches these filters." : "No log rows."}
    >
      {tailable(props) && (
        <TailSource
          process={props.process}
          filter={filter}
          cursor={page.rows[0] ? { time: page.rows[0].log_time, id: page.rows[0].id } : null}
        />
      )}
    </DataTable>
  );
}

/** The rows the live tail brings (newest first), and the tail's next starting point. */
export function TailRows(
  props: Pick<LogViewProps, "process" | "canWrite" | "filter"> & {
    rows: LogRow[];
    cursor: Cursor | null;
    more: boolean;
  },
) {
  const cols = columns(props);
  const attrs = rowAttrs(null, "new");
  return (
    <>
      {props.rows.map((row) => <TableRow row={row} columns={cols} rowAttrs={attrs} />)}
      {props.more && (
        <tr class="new gap">
          <td colspan={cols.length}>
            More rows arrived than the tail shows at once: reload to see them all.
          </td>
        </tr>
      )}
      <TailSource process={props.process} filter={props.filter} cursor={props.cursor} oob />
      {props.rows.length > 0 && (
        <p id="logs-table-empty" class="empty" hidden hx-swap-oob="true"></p>
      )}
    </>
  );
}

/**
 * A delete-older under way: how many rows are gone so far, checked every second, and a button
 * that stops it after the batch under way (once pressed, it says it is stopping). It stands where
 * the form stood.
 */
export function DeleteOlderProgress(
  props: { process: string; deleted: number; stopping: boolean },
) {
  const action = `${logsPath(props.process)}/actions/delete-older`;
  return (
    <div
      id="delete-older-form"
      class="form"
      role="status"
      hx-get={action}
      hx-trigger="every 1s"
      hx-target="this"
      hx-swap="outerHTML"
    >
      <p>
        {props.stopping
          ? `Stopping the delete of old rows of ${props.process} after the batch under way: ${
            formatCount(props.deleted)
          } deleted so far`
          : `Deleting old rows of ${props.process}: ${formatCount(props.deleted)} so far`}
        {GLYPHS.hellip}
      </p>
      {!props.stopping && (
        <div class="buttons">
          <button
            type="button"
            class="danger"
            hx-post={`${action}/stop`}
            hx-target="#delete-older-form"
            hx-swap="outerHTML"
          >
            Stop
          </button>
        </div>
      )}
    </div>
  );
}

/** The form that deletes everything older than a date for one process. */
export function DeleteOlderForm(
  props: { process: string; values: { before: string; confirm: string }; errors?: FieldErrors },
) {
  const action = `${logsPath(props.process)}/actions/delete-older`;
  return (
    <form
      id="delete-older-form"
      class="form"
      method="post"
      action={action}
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <FormError errors={props.errors} />
      <div class={props.errors?.before ? "field invalid" : "field"}>
        <label for="delete-older-before">Delete every row older than</label>
        <input
          type="date"
          id="delete-older-before"
          name="before"
          value={props.values.before}
          required
          aria-invalid={props.errors?.before ? "true" : undefined}
          aria-describedby={props.errors?.before ? "delete-older-before-error" : undefined}
        />
        {props.errors?.before && (
          <p id="delete-older-before-error" class="field-error">{props.errors.before}</p>
        )}
      </div>
      <Field
        form="delete-older"
        name="confirm"
        label={`Type the process name (${props.process}) to confirm`}
        value={props.values.confirm}
        errors={props.errors}
        maxlength={100}
        required
        autocomplete="off"
      />
      <div class="buttons">
        <button type="submit" class="danger">Delete old rows</button>
      </div>
    </form>
  );
}

/** The whole log view page. */
export function LogViewPage(props: LogViewProps) {
  const { process, filter } = props;
  const base = logsPath(process);
  const id = "logs-table";
  return (
    <>
      <p class="crumbs">
        <a href="/logs">Logs</a> /
      </p>
      <div class="page-head">
        <h1>{process ?? "All processes"}</h1>
        <label class="inline live-toggle" x-data="liveTail">
          <input type="checkbox" x-on:change="toggle" />{" "}
          Live tail: new rows appear at the top every 5 s
        </label>
      </div>
      <section id="editor" aria-live="polite"></section>
      <FilterForm
        id={id}
        base={base}
        label="Search messages"
        filter={filter}
        query={logFilterQuery(filter)}
        choices={{
          name: "level",
          legend: "Levels",
          values: LOG_LEVELS,
          labels: LOG_LEVEL_LABELS,
          chosen: filter.levels,
        }}
        errors={props.errors}
        now={props.now}
      >
        {filter.highlight && <input type="hidden" name="highlight" value={filter.highlight} />}
      </FilterForm>
      <Widen base={base} filter={filter} />
      {props.canWrite && (
        <form id="logs-actions" class="bulk" method="post" action={`${base}/actions/delete`}>
          <label class="inline" x-data="selectAll" data-form="logs-actions">
            <input type="checkbox" x-on:change="toggle" /> All on this page
          </label>
          <button
            type="button"
            class="danger"
            hx-post={`${base}/actions/delete`}
            hx-target="#editor"
            hx-swap="innerHTML"
            hx-confirm="Delete the selected log rows? This cannot be undone."
          >
            Delete selected
          </button>
        </form>
      )}
      <LogsTable {...props} />
      {props.canWrite && process !== null && (
        <details class="card danger-zone">
          <summary>Delete old rows of {process}{GLYPHS.hellip}</summary>
          <DeleteOlderForm process={process} values={{ before: "", confirm: "" }} />
        </details>
      )}
    </>
  );
}
