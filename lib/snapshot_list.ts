/**
 * Lists read from the poller's snapshot (queues, processes): searched, sorted and paged in
 * memory with the same list parameters as the database lists.
 * @module
 */
import type { ListParams } from "./list.ts";

/** How a list of snapshot rows is searched and sorted. */
export type SnapshotListSpec<T> = {
  /** The texts the search looks in. */
  search: (row: T) => string[];
  /** Sort key → the value to sort by (null sorts last). */
  sorts: Record<string, (row: T) => string | number | null>;
};

/** One page of snapshot rows and how many match. */
export function snapshotPage<T>(
  rows: T[],
  params: ListParams,
  spec: SnapshotListSpec<T>,
): { rows: T[]; total: number } {
  const q = params.q.toLowerCase();
  const found = q
    ? rows.filter((r) => spec.search(r).some((t) => t.toLowerCase().includes(q)))
    : rows;
  const key = spec.sorts[params.sort];
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
