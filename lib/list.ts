/**
 * The one list mechanism's definitions and input. A list is defined once (its columns, which of
 * them sort and how, its defaults, and whether it pages by page number or by cursor); from that
 * definition come the sort allowlist, the order of its read, the table's headers and the CSV
 * export's columns. `parseList` reads a URL's query against it, for every list.
 * @module
 */
import { type Cursor, formatCursor, parseCursor } from "./cursor.ts";

/** The page sizes offered in the pager. */
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** The largest page size a script may ask for. */
export const MAX_PAGE_SIZE = 500;

/** A problem with one query parameter or form field, said so a person can fix it. */
export type FieldErrors = Record<string, string>;

/**
 * A read value and what is wrong with its fields (nothing when `errors` is empty). The value is
 * complete either way (defaults where the input was bad), so a refused request can still show
 * the page with each message next to its field.
 */
export type Parsed<T> = { value: T; errors: FieldErrors };

/** A sort direction. */
export type Dir = "asc" | "desc";

/** A plain cell value: what a CSV cell holds and what a list held in memory sorts by. */
export type CellValue = string | number | null;

/** One column of a list. */
export type ListColumn<T> = {
  key: string;
  label: string;
  /**
   * Present when the list may sort by this column: for a database list the `ORDER BY`
   * expression (written by the query module, never from input); `true` for a list held in
   * memory, which sorts by `value`.
   */
  sort?: string | true;
  /** The column's plain value: what the CSV export writes (absent: not exported). */
  value?: (row: T) => CellValue;
};

/** A column holding the row's own field `key` (sortable when `sort` is given). */
export function field<T>(
  key: keyof T & string,
  label: string,
  sort?: string | true,
): ListColumn<T> {
  return { key, label, sort, value: (row) => row[key] as CellValue };
}

/** One list: its columns, its defaults and how it pages. */
export type ListDefinition<T> = {
  /** Names the table (`<name>-table`) and the export file (`<name>.csv`). */
  name: string;
  /**
   * `page`: paged by page number, sortable by any column with a `sort`. `cursor`: a large list
   * paged by its position in the order of its one sortable (time) column, then the id.
   */
  paging: "page" | "cursor";
  columns: readonly ListColumn<T>[];
  sort: string;
  dir: Dir;
  /** The default page size (25 unless said). */
  size?: number;
};

/** What one list view shows: checked and complete. */
export type ListParams = {
  q: string;
  sort: string;
  dir: Dir;
  size: number;
  /** The page number (page-paged lists; 1 for cursor lists). */
  page: number;
  /** The page starts after this row (cursor lists: the next page). */
  after: Cursor | null;
  /** The page ends before this row (cursor lists: the previous page). */
  before: Cursor | null;
};

/** What a page-number read needs. */
export type PageParams = Pick<ListParams, "q" | "sort" | "dir" | "page" | "size">;

/** What a cursor read needs. */
export type Paging = Pick<ListParams, "size" | "dir" | "after" | "before">;

/** The sort allowlist of a list. */
export function sortKeys(list: ListDefinition<never>): string[] {
  return list.columns.filter((c) => c.sort !== undefined).map((c) => c.key);
}

/** The `ORDER BY` expression (or `true` for a memory list) of an allowlisted sort key. */
export function sortOf<T>(list: ListDefinition<T>, key: string): string | true {
  const sort = list.columns.find((c) => c.key === key)?.sort;
  if (sort === undefined) throw new Error(`Cannot sort by ${key}: not in the allowlist`);
  return sort;
}

function defaultSize(list: ListDefinition<never>): number {
  return list.size ?? PAGE_SIZES[0];
}

function wholeNumber(text: string | null, fallback: number): number | null {
  if (text === null || text === "") return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

/** Reads the search text `q` (at most 200 characters). */
export function readQ(query: URLSearchParams, errors: FieldErrors): string {
  const q = (query.get("q") ?? "").trim();
  if (q.length > 200) errors.q = "Search text can be at most 200 characters.";
  return q;
}

/**
 * Reads and checks the list parameters of a query string: `q`, `sort`, `dir`, `size`, and
 * `page` or the cursors `after`/`before`, as the list pages.
 */
export function parseList(
  query: URLSearchParams,
  list: ListDefinition<never>,
): Parsed<ListParams> {
  const errors: FieldErrors = {};
  const q = readQ(query, errors);
  const allowed = sortKeys(list);
  let sort = query.get("sort") || list.sort;
  if (!allowed.includes(sort)) {
    errors.sort = `Cannot sort by '${sort}': choose one of ${allowed.join(", ")}.`;
    sort = list.sort;
  }
  const dirText = query.get("dir") || list.dir;
  if (dirText !== "asc" && dirText !== "desc") errors.dir = "Direction must be asc or desc.";
  const dir = dirText === "asc" || dirText === "desc" ? dirText : list.dir;
  const fallback = defaultSize(list);
  const size = wholeNumber(query.get("size"), fallback);
  const sizeOk = size !== null && size >= 1 && size <= MAX_PAGE_SIZE;
  if (!sizeOk) errors.size = `Page size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`;
  const value = {
    q,
    sort,
    dir,
    size: sizeOk ? size : fallback,
    page: 1,
    after: null as Cursor | null,
    before: null as Cursor | null,
  };
  if (list.paging === "page") {
    const page = wholeNumber(query.get("page"), 1);
    if (page === null || page < 1) errors.page = "Page must be a whole number from 1.";
    else value.page = page;
  } else {
    const cursor = (name: "after" | "before") => {
      const text = query.get(name);
      if (!text) return null;
      const parsed = parseCursor(text);
      if (!parsed) {
        errors[name] = `The ${name} cursor cannot be read: start again from the first page.`;
      }
      return parsed;
    };
    value.after = cursor("after");
    value.before = cursor("before");
    if (value.after && value.before) errors.before = "Give either after or before, not both.";
  }
  return { value, errors };
}

/**
 * Reads a filtered list's query: its filter (read by `filter`), its list parameters, and what is
 * wrong with either, together.
 */
export function parseFilteredList<F>(
  query: URLSearchParams,
  read: { list: ListDefinition<never>; filter: (query: URLSearchParams) => Parsed<F> },
): { filter: F; paging: ListParams; errors: FieldErrors } {
  const filter = read.filter(query);
  const list = parseList(query, read.list);
  return { filter: filter.value, paging: list.value, errors: { ...filter.errors, ...list.errors } };
}

/**
 * The query string of a list state and its filters, leaving defaults and empty values out so
 * URLs stay short. Without `list`, only the filters and the cursors are written.
 */
export function listQuery(
  params: Partial<ListParams>,
  options: { list?: ListDefinition<never>; filters?: Record<string, string | string[]> } = {},
): string {
  const { list } = options;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.filters ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v) query.append(key, v);
  }
  if (params.q) query.set("q", params.q);
  if (list) {
    if (params.sort && params.sort !== list.sort) query.set("sort", params.sort);
    if (params.dir && params.dir !== list.dir) query.set("dir", params.dir);
    if (params.page && params.page !== 1) query.set("page", String(params.page));
    if (params.size && params.size !== defaultSize(list)) query.set("size", String(params.size));
  }
  if (params.after) query.set("after", formatCursor(params.after));
  if (params.before) query.set("before", formatCursor(params.before));
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** A list held in memory (a poller snapshot): sorted by its columns' values. */
export type MemoryList<T> = ListDefinition<T> & {
  /** The texts the search looks in. */
  search: (row: T) => string[];
};

/** One page of a list held in memory: searched, sorted (null last), and how many match. */
export function memoryPage<T>(
  rows: T[],
  read: { list: MemoryList<T>; params: PageParams },
): { rows: T[]; total: number } {
  const { list, params } = read;
  const q = params.q.toLowerCase();
  const found = q
    ? rows.filter((r) => list.search(r).some((t) => t.toLowerCase().includes(q)))
    : rows;
  sortOf(list, params.sort);
  const key = list.columns.find((c) => c.key === params.sort)!.value!;
  const sign = params.dir === "asc" ? 1 : -1;
  const sorted = [...found].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -sign : sign;
  });
  const start = (params.page - 1) * params.size;
  return { rows: sorted.slice(start, start + params.size), total: found.length };
}

/**
 * Every page of a page-numbered read in turn, {@linkcode MAX_PAGE_SIZE} rows each (the export of
 * a small list, in its order).
 */
export async function* allPages<T>(
  read: (params: Pick<ListParams, "page" | "size">) => Promise<{ rows: T[] }>,
): AsyncGenerator<T[]> {
  for (let page = 1;; page++) {
    const { rows } = await read({ page, size: MAX_PAGE_SIZE });
    if (rows.length) yield rows;
    if (rows.length < MAX_PAGE_SIZE) return;
  }
}
