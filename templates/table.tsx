/**
 * The one table mechanism's markup: sortable headers, rows, a pager and page sizes, and the
 * "Export CSV" link, all from the list's definition. The table `div` is the fragment: it replaces
 * itself (outerHTML) on every search, sort and page, and pushes its URL; it carries that URL in
 * `data-url`, which the page sends with a change so the answer can bring the table as it is now
 * (out of band, `oob`). A page-paged list has a pager by page number; a cursor list (logs, queue
 * elements) one of First / Previous / Next and a count that may stop at a cap.
 * @module
 */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type CappedCount, type CountedPage, type Page, SEARCH_SLICE_ROWS } from "../db/list.ts";
import {
  type FieldErrors,
  type ListDefinition,
  type ListParams,
  listQuery,
  PAGE_SIZES,
  sortKeys,
} from "../lib/list.ts";
import { displayTime } from "../lib/time.ts";
import { formatCount } from "../lib/format.ts";
import { Moment } from "./time.tsx";
import { GLYPHS } from "./glyphs.tsx";

/** One column of a table: a column of the list's definition (by key) or one of its own. */
export type Column<T> = {
  key: string;
  /** Defaults to the definition's label. */
  label?: string;
  cell: (row: T) => Child;
  class?: string;
};

/** Everything a table needs to render one state. */
export type TableProps<T> = {
  /** The list's definition: its name, sortable columns, labels and defaults. */
  list: ListDefinition<never>;
  /** The list's URL, e.g. `/constants`. */
  base: string;
  caption: string;
  params: ListParams;
  /** The rows and total (page lists), or the rows, cursors and capped count (cursor lists). */
  page: Page<T> | CountedPage<T>;
  columns: Column<T>[];
  /** Filters other than the list parameters, kept in every link. */
  filters?: Record<string, string | string[]>;
  /** Shown when there are no rows. */
  empty: string;
  /** What is wrong with the list's input (shown instead of rows). */
  errors?: FieldErrors;
  /** Reload on the live tick too (every 10 s while the tab is visible). */
  live?: boolean;
  /** A row's identity (`data-key`): the focus returns to the row after an action on it. */
  rowKey?: (row: T) => string;
  /** Attributes of a row (an id, a class). */
  rowAttrs?: (row: T) => RowAttrs;
  /** The id of the `tbody` (the live tail adds rows to it). */
  bodyId?: string;
  /** More content inside the fragment, after the pager. */
  children?: Child;
  /** Rendered into the answer to a change: it replaces the table shown (out of band). */
  oob?: boolean;
};

/**
 * The attributes a table's row may have besides its key. They are written out, not spread: an
 * element with a spread is built at run time, not from precompiled markup.
 */
export type RowAttrs = { id?: string; class?: string; "aria-current"?: "true" };

/** The id of a list's table element (the fragment's target). */
function tableId(list: ListDefinition<never>): string {
  return `${list.name}-table`;
}

/** Says how many rows match: "12,345", or "10,000+" when the count stopped at the cap. */
function countText(total: CappedCount): string {
  return `${formatCount(total.count)}${total.capped ? "+" : ""}`;
}

/** The URL of a list's CSV export: the list's URL with its filters, search and order. */
function exportHref(
  base: string,
  state: {
    list: ListDefinition<never>;
    params: ListParams;
    filters?: Record<string, string | string[]>;
  },
): string {
  const { params } = state;
  const query = listQuery(
    { q: params.q, sort: params.sort, dir: params.dir },
    { list: state.list, filters: state.filters },
  );
  return `${base}${query}${query ? "&" : "?"}format=csv`;
}

/** A link that swaps the table `#id` for its target and pushes the URL (a plain link without JS). */
function SwapLink(
  props: { id: string; href: string; children: Child; label?: string; rel?: string },
) {
  return (
    <a
      href={props.href}
      hx-get={props.href}
      {...replacesTable(props.id)}
      aria-label={props.label}
      rel={props.rel}
    >
      {props.children}
    </a>
  );
}

/** How a request a table makes by itself waits: dropped while any is under way. */
const OWN_SYNC = "body:drop";

/**
 * The htmx attributes of a request that replaces table `id` (a page, a search, a filter, a
 * search's next slice) and puts its address in the bar: pushed as a new history entry, or in
 * place of the current one when `replaceUrl`. The requests meet on the page's `body`, as the
 * table itself is replaced by each answer: what the admin asks for waits for the request under
 * way and then goes, only the last of those that waited (`queue last`), so an older answer never
 * lands after a newer one, and nothing is cancelled (htmx would log that as an error). What the
 * table asks for by itself (`own`: its next slice) is dropped while any is under way.
 */
export function replacesTable(id: string, options: { own?: boolean; replaceUrl?: boolean } = {}) {
  return {
    "hx-target": `#${id}`,
    "hx-swap": "outerHTML",
    ...(options.replaceUrl ? { "hx-replace-url": "true" } : { "hx-push-url": "true" }),
    "hx-sync": options.own ? OWN_SYNC : "body:queue last",
  };
}

/**
 * Reads a search's next slice at once, in place of a slice that found nothing (so nothing shown
 * is lost); the address follows without a new history entry. It gives way to the admin's own
 * requests (see {@linkcode replacesTable}).
 */
function SearchOn(props: { id: string; href: string }) {
  return (
    <span
      hidden
      hx-get={props.href}
      hx-trigger="load"
      {...replacesTable(props.id, { own: true, replaceUrl: true })}
    />
  );
}

/**
 * The same markup, stored as one flat string (why: design.md, "Architecture"). `trim` reads the
 * string whole, which makes V8 flatten it and keep it flat; markup begins and ends with a tag, so
 * nothing is trimmed.
 */
function flat(
  markup: HtmlEscapedString | Promise<HtmlEscapedString>,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (markup instanceof Promise) return markup;
  return raw(markup.toString().trim(), markup.callbacks);
}

/**
 * One row of a table (also re-rendered alone after an action on it). It is made flat as soon as it
 * is done: the 200-row queue page renders in two thirds of the time (design.md, "Architecture").
 */
export function TableRow<T>(
  props: {
    row: T;
    columns: Column<T>[];
    rowKey?: (row: T) => string;
    rowAttrs?: (row: T) => RowAttrs;
  },
) {
  const attrs = props.rowAttrs?.(props.row);
  return flat(
    <tr
      data-key={props.rowKey?.(props.row)}
      id={attrs?.id}
      class={attrs?.class}
      aria-current={attrs?.["aria-current"]}
    >
      {props.columns.map((col) => <td class={col.class}>{col.cell(props.row)}</td>)}
    </tr>,
  );
}

function PagePager(
  props: { id: string; params: ListParams; total: number; url: (c: Partial<ListParams>) => string },
) {
  const { id, params, total, url } = props;
  const pages = Math.max(1, Math.ceil(total / params.size));
  const first = total === 0 ? 0 : (params.page - 1) * params.size + 1;
  const last = Math.min(total, params.page * params.size);
  return (
    <>
      <span class="count">
        {total === 0 ? "No rows" : <>{first}{GLYPHS.ndash}{last} of {formatCount(total)}</>}
      </span>
      <span class="pages">
        {params.page > 1
          ? (
            <SwapLink id={id} href={url({ page: params.page - 1 })} rel="prev">
              {GLYPHS.larr} Previous
            </SwapLink>
          )
          : <span class="disabled">{GLYPHS.larr} Previous</span>}
        <span>Page {params.page} of {pages}</span>
        {params.page < pages
          ? (
            <SwapLink id={id} href={url({ page: params.page + 1 })} rel="next">
              Next {GLYPHS.rarr}
            </SwapLink>
          )
          : <span class="disabled">Next {GLYPHS.rarr}</span>}
      </span>
    </>
  );
}

function CursorPager(
  props: {
    id: string;
    params: ListParams;
    page: CountedPage<unknown>;
    url: (c: Partial<ListParams>) => string;
  },
) {
  const { id, params, page, url } = props;
  const deep = params.after !== null || params.before !== null;
  return (
    <>
      <span class="count">
        {page.total
          ? `${formatCount(page.rows.length)} shown of ${countText(page.total)}`
          : `${formatCount(page.rows.length)} found`}
        {page.searchedTo && (
          <>
            , searched as far as <Moment time={page.searchedTo} />
          </>
        )}
      </span>
      <span class="pages">
        {deep
          ? <SwapLink id={id} href={url({})} rel="first">{GLYPHS.laquo} First</SwapLink>
          : <span class="disabled">{GLYPHS.laquo} First</span>}
        {page.previous
          ? (
            <SwapLink id={id} href={url({ before: page.previous })} rel="prev">
              {GLYPHS.larr} Previous
            </SwapLink>
          )
          : <span class="disabled">{GLYPHS.larr} Previous</span>}
        {page.next
          ? (
            <SwapLink id={id} href={url({ after: page.next })} rel="next">
              Next {GLYPHS.rarr}
            </SwapLink>
          )
          : <span class="disabled">Next {GLYPHS.rarr}</span>}
      </span>
    </>
  );
}

/** The table fragment. */
export function DataTable<T>(props: TableProps<T>) {
  const { params, list, base, page } = props;
  const id = tableId(list);
  const cursor = list.paging === "cursor";
  const url = (change: Partial<ListParams>) =>
    base + listQuery(
      { ...params, page: 1, after: null, before: null, ...change },
      { list, filters: props.filters },
    );
  const here = url({ page: params.page, after: params.after, before: params.before });
  const sortable = sortKeys(list);
  const labelOf = (col: Column<T>) =>
    col.label ?? list.columns.find((c) => c.key === col.key)?.label ?? col.key;
  return (
    <div
      id={id}
      class="table-wrap"
      data-url={here}
      hx-get={props.live ? here : undefined}
      hx-trigger={props.live ? "oo-tick from:body" : undefined}
      hx-sync={props.live ? OWN_SYNC : undefined}
      hx-target="this"
      hx-swap="outerHTML"
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      {!cursor && <input type="hidden" form={`${id}-search`} name="sort" value={params.sort} />}
      <input type="hidden" form={`${id}-search`} name="dir" value={params.dir} />
      <input type="hidden" form={`${id}-search`} name="size" value={String(params.size)} />
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((col) => {
              if (!sortable.includes(col.key)) {
                return <th scope="col" class={col.class}>{labelOf(col)}</th>;
              }
              const active = params.sort === col.key;
              const dir = active && params.dir === "asc" ? "desc" : "asc";
              return (
                <th
                  scope="col"
                  class={col.class}
                  aria-sort={active
                    ? (params.dir === "asc" ? "ascending" : "descending")
                    : undefined}
                >
                  <SwapLink id={id} href={url({ sort: col.key, dir })}>
                    {labelOf(col)}
                    <span class="sort-mark" aria-hidden="true">
                      {active ? <>{" "}{params.dir === "asc" ? GLYPHS.up : GLYPHS.down}</> : ""}
                    </span>
                  </SwapLink>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody id={props.bodyId}>
          {page.rows.map((row) => (
            <TableRow
              row={row}
              columns={props.columns}
              rowKey={props.rowKey}
              rowAttrs={props.rowAttrs}
            />
          ))}
        </tbody>
      </table>
      <p id={`${id}-empty`} class="empty" hidden={page.rows.length > 0}>
        {Object.values(props.errors ?? {}).join(" ") ||
          ("searchedTo" in page && page.searchedTo
            ? (
              <>
                Nothing found in these {formatCount(SEARCH_SLICE_ROWS)}{" "}
                rows; searching on{GLYPHS.hellip}
              </>
            )
            : props.empty)}
      </p>
      {"searchedTo" in page && page.searchedTo && page.rows.length === 0 && (
        <SearchOn
          id={id}
          href={params.before ? url({ before: page.previous }) : url({ after: page.next })}
        />
      )}
      <nav class="pager" aria-label={`${props.caption} pages`}>
        {"next" in page
          ? <CursorPager id={id} params={params} page={page} url={url} />
          : <PagePager id={id} params={params} total={page.total} url={url} />}
        <span class="sizes">
          Show {PAGE_SIZES.map((size) =>
            size === params.size
              ? <strong aria-current="true">{size}</strong>
              : (
                <SwapLink id={id} href={url({ size })} label={`Show ${size} rows`}>
                  {size}
                </SwapLink>
              )
          )}
        </span>
        <a class="export" href={exportHref(base, { list, params, filters: props.filters })}>
          Export CSV
        </a>
      </nav>
      {props.children}
    </div>
  );
}

/** The search box above a table: debounced as you type, and a plain GET form without JS. */
export function SearchBox(props: {
  id: string;
  base: string;
  q: string;
  label: string;
  children?: Child;
}) {
  return (
    <form
      id={`${props.id}-search`}
      class="search"
      action={props.base}
      method="get"
      role="search"
      hx-get={props.base}
      {...replacesTable(props.id)}
      hx-trigger="submit"
    >
      <input
        type="search"
        name="q"
        value={props.q}
        maxlength={200}
        aria-label={props.label}
        placeholder={props.label}
        hx-get={props.base}
        hx-include="closest form"
        {...replacesTable(props.id)}
        hx-trigger="input changed delay:250ms, search"
      />
      {props.children}
      <button type="submit" class="secondary">Search</button>
    </form>
  );
}

/** The "Changed" column of a table whose rows carry `changed_at`. */
export function changedColumn<T extends { changed_at: string }>(): Column<T> {
  return {
    key: "changed_at",
    class: "nowrap",
    cell: (r) => <time datetime={r.changed_at.slice(0, 19)}>{displayTime(r.changed_at)}</time>,
  };
}

/** The "Actions" column, only for users who may change things (viewers get no column). */
export function actionsColumn<T>(
  canWrite: boolean,
  cell: (row: T) => Child,
  className = "actions",
): Column<T>[] {
  return canWrite ? [{ key: "actions", label: "Actions", class: className, cell }] : [];
}
