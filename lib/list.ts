/**
 * The one table mechanism's input: search, sort, direction, page and page size, read from a
 * URL's query and checked against a list's allowlist.
 * @module
 */

/** The page sizes offered in the pager. */
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** The largest page size a script may ask for. */
export const MAX_PAGE_SIZE = 500;

/** What one list view shows: checked and complete. */
export type ListParams = {
  q: string;
  sort: string;
  dir: "asc" | "desc";
  page: number;
  size: number;
};

/** What a list allows. */
export type ListSpec = {
  /** Sortable column names (the allowlist). */
  sortable: readonly string[];
  sort: string;
  dir: "asc" | "desc";
  size?: number;
};

/** A problem with one query parameter, said so a person can fix it. */
export type FieldErrors = Record<string, string>;

/** Either the checked value, or what is wrong with each field. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

function wholeNumber(text: string | null, fallback: number): number | null {
  if (text === null || text === "") return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

/** Reads and checks the list parameters of a query string. */
export function parseListParams(query: URLSearchParams, spec: ListSpec): Checked<ListParams> {
  const errors: FieldErrors = {};
  const q = (query.get("q") ?? "").trim();
  if (q.length > 200) errors.q = "Search text can be at most 200 characters.";
  const sort = query.get("sort") || spec.sort;
  if (!spec.sortable.includes(sort)) {
    errors.sort = `Cannot sort by '${sort}': choose one of ${spec.sortable.join(", ")}.`;
  }
  const dirText = query.get("dir") || spec.dir;
  if (dirText !== "asc" && dirText !== "desc") errors.dir = "Direction must be asc or desc.";
  const page = wholeNumber(query.get("page"), 1);
  if (page === null || page < 1) errors.page = "Page must be a whole number from 1.";
  const size = wholeNumber(query.get("size"), spec.size ?? PAGE_SIZES[0]);
  if (size === null || size < 1 || size > MAX_PAGE_SIZE) {
    errors.size = `Page size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { q, sort, dir: dirText as "asc" | "desc", page: page!, size: size! } };
}

/** The query string of a list state, leaving defaults out so URLs stay short. */
export function listQuery(
  params: ListParams,
  spec: ListSpec,
  extra: Record<string, string | string[]> = {},
): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(extra)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v) query.append(key, v);
  }
  if (params.q) query.set("q", params.q);
  if (params.sort !== spec.sort) query.set("sort", params.sort);
  if (params.dir !== spec.dir) query.set("dir", params.dir);
  if (params.page !== 1) query.set("page", String(params.page));
  if (params.size !== (spec.size ?? PAGE_SIZES[0])) query.set("size", String(params.size));
  const text = query.toString();
  return text ? `?${text}` : "";
}
