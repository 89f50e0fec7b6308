/**
 * The table mechanism for the large lists (logs, queue elements), paged by cursor instead of page
 * number: the same markup as `DataTable` (the div is the fragment, replaces itself on every sort
 * and page, pushes its URL, carries it in `data-url`, is answered out of band after a change, and
 * keeps its order and size in the search form through hidden inputs), with a pager of First /
 * Previous / Next.
 * @module
 */
import type { Child } from "hono/jsx";
import type { Cursor } from "../lib/cursor.ts";
import { pagedQuery, type Paging } from "../lib/filters.ts";
import { PAGE_SIZES } from "../lib/list.ts";
import type { CappedCount } from "../db/keyset.ts";
import { type Column, SwapLink } from "./table.tsx";

/** Everything a keyset table needs to render one state. */
export type KeysetTableProps<T> = {
  /** The element id (the fragment's target), e.g. `logs-table`. */
  id: string;
  /** The list's URL. */
  base: string;
  caption: string;
  rows: T[];
  columns: Column<T>[];
  /** The filters of the list, kept in every link. */
  filters: Record<string, string | string[]>;
  paging: Paging;
  next: Cursor | null;
  previous: Cursor | null;
  total: CappedCount;
  /** The key of the time column (its header switches the direction). */
  sortKey: string;
  /** Shown when there are no rows. */
  empty: string;
  /** The id of the `tbody` (the live tail adds rows to it). */
  bodyId?: string;
  /** Attributes of a row (an id, a class). */
  rowAttrs?: (row: T) => Record<string, string | undefined>;
  /** More content inside the fragment, after the pager. */
  children?: Child;
  /** Rendered into the answer to a change: it replaces the table shown (out of band). */
  oob?: boolean;
};

/** Says how many rows match: "12,345", or "10,000+" when the count stopped at the cap. */
export function countText(total: CappedCount): string {
  return `${total.count.toLocaleString("en")}${total.capped ? "+" : ""}`;
}

/** The keyset table fragment. */
export function KeysetTable<T>(props: KeysetTableProps<T>) {
  const { id, base, paging, filters } = props;
  const url = (change: Partial<Paging>) =>
    base + pagedQuery(filters, { dir: paging.dir, size: paging.size, ...change });
  const here = url({ after: paging.after, before: paging.before });
  const deep = paging.after !== null || paging.before !== null;
  return (
    <div
      id={id}
      class="table-wrap"
      data-url={here}
      hx-swap-oob={props.oob ? "true" : undefined}
    >
      <input type="hidden" form={`${id}-search`} name="dir" value={paging.dir} />
      <input type="hidden" form={`${id}-search`} name="size" value={String(paging.size)} />
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((col) => {
              if (col.key !== props.sortKey) {
                return <th scope="col" class={col.class}>{col.label}</th>;
              }
              const flipped = paging.dir === "desc" ? "asc" : "desc";
              return (
                <th
                  scope="col"
                  class={col.class}
                  aria-sort={paging.dir === "asc" ? "ascending" : "descending"}
                >
                  <SwapLink id={id} href={url({ dir: flipped })}>
                    {col.label}
                    <span class="sort-mark" aria-hidden="true">
                      {paging.dir === "asc" ? " ▲" : " ▼"}
                    </span>
                  </SwapLink>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody id={props.bodyId}>
          {props.rows.map((row) => (
            <tr {...props.rowAttrs?.(row)}>
              {props.columns.map((col) => <td class={col.class}>{col.cell(row)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <p id={`${id}-empty`} class="empty" hidden={props.rows.length > 0}>{props.empty}</p>
      <nav class="pager" aria-label={`${props.caption} pages`}>
        <span class="count">
          {props.rows.length.toLocaleString("en")} shown of {countText(props.total)}
        </span>
        <span class="pages">
          {deep
            ? <SwapLink id={id} href={url({})} rel="first">« First</SwapLink>
            : <span class="disabled">« First</span>}
          {props.previous
            ? (
              <SwapLink id={id} href={url({ before: props.previous })} rel="prev">
                ← Previous
              </SwapLink>
            )
            : <span class="disabled">← Previous</span>}
          {props.next
            ? <SwapLink id={id} href={url({ after: props.next })} rel="next">Next →</SwapLink>
            : <span class="disabled">Next →</span>}
        </span>
        <span class="sizes">
          Show {PAGE_SIZES.map((size) =>
            size === paging.size
              ? <strong aria-current="true">{size}</strong>
              : (
                <SwapLink id={id} href={url({ size })} label={`Show ${size} rows`}>
                  {size}
                </SwapLink>
              )
          )}
        </span>
      </nav>
      {props.children}
    </div>
  );
}
