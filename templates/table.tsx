/**
 * The one table mechanism's markup: a search box, sortable headers, a pager and page sizes.
 * The table `div` is the fragment: it replaces itself (outerHTML) on every search, sort and page,
 * and pushes its URL; it carries that URL in `data-url`, which the page sends with a change so
 * the answer can bring the table as it is now (out of band, `oob`).
 * @module
 */
import type { Child } from "hono/jsx";
import { type ListParams, listQuery, type ListSpec, PAGE_SIZES } from "../lib/list.ts";
import { displayTime } from "../lib/time.ts";

/** One column of a list. */
export type Column<T> = {
  key: string;
  label: string;
  /** True when the column is in the list's sort allowlist. */
  sortable?: boolean;
  cell: (row: T) => Child;
  class?: string;
};

/** Everything a table needs to render one state. */
export type TableProps<T> = {
  /** The element id (the fragment's target), e.g. `constants-table`. */
  id: string;
  /** The list's URL, e.g. `/constants`. */
  base: string;
  caption: string;
  params: ListParams;
  spec: ListSpec;
  rows: T[];
  total: number;
  columns: Column<T>[];
  /** Filters other than the list parameters, kept in every link. */
  filters?: Record<string, string | string[]>;
  /** Shown when there are no rows. */
  empty: string;
  /** Reload on the live tick too (every 10 s while the tab is visible). */
  live?: boolean;
  /** A row's identity (`data-key`): the focus returns to the row after an action on it. */
  rowKey?: (row: T) => string;
  /** Rendered into the answer to a change: it replaces the table shown (out of band). */
  oob?: boolean;
};

/** A link that swaps the table `#id` for its target and pushes the URL (a plain link without JS). */
export function SwapLink(
  props: { id: string; href: string; children: Child; label?: string; rel?: string },
) {
  return (
    <a
      href={props.href}
      hx-get={props.href}
      hx-target={`#${props.id}`}
      hx-swap="outerHTML"
      hx-push-url="true"
      aria-label={props.label}
      rel={props.rel}
    >
      {props.children}
    </a>
  );
}

/** One row of a table (also re-rendered alone after an action on it). */
function TableRow<T>(props: { row: T; columns: Column<T>[]; rowKey?: (row: T) => string }) {
  return (
    <tr data-key={props.rowKey?.(props.row)}>
      {props.columns.map((col) => <td class={col.class}>{col.cell(props.row)}</td>)}
    </tr>
  );
}

/** The table fragment. */
export function DataTable<T>(props: TableProps<T>) {
  const { params, spec, id, base } = props;
  const url = (change: Partial<ListParams>) =>
    base + listQuery({ ...params, ...change }, spec, props.filters);
  const pages = Math.max(1, Math.ceil(props.total / params.size));
  const first = props.total === 0 ? 0 : (params.page - 1) * params.size + 1;
  const last = Math.min(props.total, params.page * params.size);
  return (
    <div
      id={id}
      class="table-wrap"
      data-url={url({})}
      hx-get={props.live ? url({}) : undefined}
      hx-trigger={props.live ? "oo-tick from:body" : undefined}
      hx-target="this"
      hx-swap="outerHTML"
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      <input type="hidden" form={`${id}-search`} name="sort" value={params.sort} />
      <input type="hidden" form={`${id}-search`} name="dir" value={params.dir} />
      <input type="hidden" form={`${id}-search`} name="size" value={String(params.size)} />
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((col) => {
              if (!col.sortable) return <th scope="col" class={col.class}>{col.label}</th>;
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
                  <SwapLink id={id} href={url({ sort: col.key, dir, page: 1 })}>
                    {col.label}
                    <span class="sort-mark" aria-hidden="true">
                      {active ? (params.dir === "asc" ? " ▲" : " ▼") : ""}
                    </span>
                  </SwapLink>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0
            ? (
              <tr>
                <td colspan={props.columns.length} class="empty">{props.empty}</td>
              </tr>
            )
            : props.rows.map((row) => (
              <TableRow row={row} columns={props.columns} rowKey={props.rowKey} />
            ))}
        </tbody>
      </table>
      <nav class="pager" aria-label={`${props.caption} pages`}>
        <span class="count">
          {props.total === 0
            ? "No rows"
            : `${first}–${last} of ${props.total.toLocaleString("en")}`}
        </span>
        <span class="pages">
          {params.page > 1
            ? (
              <SwapLink id={id} href={url({ page: params.page - 1 })} rel="prev">
                ← Previous
              </SwapLink>
            )
            : <span class="disabled">← Previous</span>}
          <span>Page {params.page} of {pages}</span>
          {params.page < pages
            ? <SwapLink id={id} href={url({ page: params.page + 1 })} rel="next">Next →</SwapLink>
            : <span class="disabled">Next →</span>}
        </span>
        <span class="sizes">
          Show {PAGE_SIZES.map((size) =>
            size === params.size
              ? <strong aria-current="true">{size}</strong>
              : (
                <SwapLink id={id} href={url({ size, page: 1 })} label={`Show ${size} rows`}>
                  {size}
                </SwapLink>
              )
          )}
        </span>
      </nav>
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
      hx-target={`#${props.id}`}
      hx-swap="outerHTML"
      hx-push-url="true"
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
        hx-target={`#${props.id}`}
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="input changed delay:250ms, search"
      />
      {props.children}
      <button type="submit" class="secondary">Search</button>
    </form>
  );
}

/** The sortable "Changed" column of a table whose rows carry `changed_at`. */
export function changedColumn<T extends { changed_at: string }>(): Column<T> {
  return {
    key: "changed_at",
    label: "Changed",
    sortable: true,
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
