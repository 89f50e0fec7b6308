/**
 * Queries for `Logs(id, log_time, log_level, process_name, log_message)`: the incremental
 * per-process counts the poller keeps, the keyset log list and its live tail, and deletes.
 *
 * The counts: `Logs` has millions of rows and only grows at the new end, so the poller counts
 * everything once (in chunks of {@linkcode CHUNK_ROWS} rows by time, letting requests run between
 * them), then each round adds only the rows newer than its mark. The newest
 * {@linkcode OVERLAP_MS} stay uncounted in the mark (they are counted afresh each round), so rows
 * written a little late (clock skew between robots) are not missed; a full recount every
 * {@linkcode RECOUNT_MS}, and after our own deletes, repairs anything else.
 * @module
 */
import type { Cursor } from "../lib/cursor.ts";
import type { LogFilter } from "../lib/filters.ts";
import { field, type ListDefinition, type Paging } from "../lib/list.ts";
import {
  addGroups,
  copyTally,
  type LevelGroup,
  type ProcessLogs,
  processRows,
  type Tally,
} from "../lib/log_summary.ts";
import { type DbTime, formatDbTime, shiftTime } from "../lib/time.ts";
import { amendAudit, audit, quoted } from "./audit.ts";
import { type Db, type Executor, pause, time } from "./connection.ts";
import {
  type CappedCount,
  type CountedPage,
  keysetBatches,
  keysetPage,
  type KeysetSource,
  listTotal,
  newerThan,
} from "./list.ts";
import type { GroupCount } from "./dashboard.ts";
import { type Condition, inList, searchCondition } from "./sql.ts";

/** A log row as stored. */
export type LogRow = {
  id: string;
  log_time: DbTime;
  log_level: string;
  process_name: string;
  log_message: string;
};

const COLUMNS = "id, log_time, log_level, process_name, log_message";

/** The log list: newest first by time, then id. */
export const LOGS_LIST: ListDefinition<LogRow> = {
  name: "logs",
  paging: "cursor",
  columns: [
    field("log_time", "Time", "log_time"),
    field("log_level", "Level"),
    field("process_name", "Process"),
    field("log_message", "Message"),
    field("id", "Id"),
  ],
  sort: "log_time",
  dir: "desc",
  size: 50,
};

/** How much of the newest end is counted afresh every round. */
export const OVERLAP_MS = 5 * 60_000;
/** How often everything is counted again. */
export const RECOUNT_MS = 60 * 60_000;
/** The most new rows one live-tail request brings. */
export const TAIL_LIMIT = 200;
/**
 * Rows deleted per statement by a bulk delete: small enough that one statement holds neither the
 * server's thread nor the robots' writes for long (and far below SQL Server's lock escalation).
 */
const DELETE_BATCH = 1_000;

/** The poller's log aggregates, and the state of its incremental count. */
export type LogSummaries = {
  processes: ProcessLogs[];
  /** Counts of the rows up to `mark`. */
  base: Tally;
  /** Rows at or before this time are in `base`. */
  mark: DbTime;
  /** When everything was last counted (ms since the epoch). */
  recountedAt: number;
  /** True when a full recount is due (set after deletes). */
  stale: boolean;
};

/** A time before any log row: the lower bound of "everything". */
const START: DbTime = "1900-01-01 00:00:00.000000";

/**
 * Counts by process and level of the rows with `after < log_time <= upTo`. Both bounds are always
 * given: with one open end, SQLite prefers scanning a whole index in GROUP BY order.
 */
function countGroups(
  db: Executor,
  { after, upTo }: { after: DbTime; upTo: DbTime },
): Promise<LevelGroup[]> {
  return db.query<LevelGroup>(
    `SELECT process_name, log_level, COUNT(*) AS n, MAX(log_time) AS last FROM Logs
      WHERE log_time > ? AND log_time <= ? GROUP BY process_name, log_level`,
    [time(after), time(upTo)],
  );
}

async function newestLogTime(db: Executor): Promise<DbTime | null> {
  const [row] = await db.query<{ t: DbTime | null }>("SELECT MAX(log_time) AS t FROM Logs");
  return row?.t ?? null;
}

/** A time after any log row: the upper bound of "everything" (SQL Server's DATETIME has it). */
const END: DbTime = "9999-12-31 00:00:00.000000";

/**
 * Counts everything up to `upTo` in one statement (one snapshot): every row, less those after
 * `upTo`. Every row is counted without reading its time: SQLite walks the covering index
 * `Logs(process_name, log_level, log_time)` in group order and never decodes `log_time`, about
 * half the time a `WHERE log_time <= ?` with `MAX(log_time)` over every row took (5 M rows:
 * 2.5 s against 5 s). The rows after `upTo` are a short range of the time index; each group's
 * last time is one index seek. It runs on the poller's worker (or is asynchronous, on SQL
 * Server): nothing waits for it.
 */
async function countAll(db: Executor, upTo: DbTime): Promise<Tally> {
  return addGroups(
    {},
    await db.query<LevelGroup>(
      `SELECT g.process_name, g.log_level, SUM(g.n) AS n,
          (SELECT MAX(l.log_time) FROM Logs l WHERE l.process_name = g.process_name
            AND l.log_level = g.log_level AND l.log_time <= ?) AS last
        FROM (
          SELECT process_name, log_level, COUNT(*) AS n FROM Logs
            GROUP BY process_name, log_level
          UNION ALL
          SELECT process_name, log_level, -COUNT(*) AS n FROM Logs
            WHERE log_time > ? AND log_time <= ? GROUP BY process_name, log_level
        ) g
        GROUP BY g.process_name, g.log_level HAVING SUM(g.n) > 0`,
      [time(upTo), time(upTo), time(END)],
    ),
  );
}

/**
 * One process's counts as they are now (after a delete: the overview must not wait for the
 * recount), from the index `Logs(process_name, log_level, log_time)`; null when it has no rows.
 */
export async function readProcessLogs(db: Executor, process: string): Promise<ProcessLogs | null> {
  const groups = await db.query<LevelGroup>(
    `SELECT process_name, log_level, COUNT(*) AS n, MAX(log_time) AS last FROM Logs
      WHERE process_name = ? GROUP BY process_name, log_level`,
    [process],
  );
  return processRows(addGroups({}, groups))[0] ?? null;
}

/**
 * The error logs of each process since `since` (the last hour, for the metrics and the alerts):
 * one range of the index `Logs(log_level, log_time)`.
 */
export async function recentErrorCounts(db: Executor, since: DbTime): Promise<GroupCount[]> {
  const rows = await db.query<GroupCount>(
    `SELECT process_name AS name, COUNT(*) AS n, MAX(log_time) AS last FROM Logs
      WHERE log_level = 'ERROR' AND log_time >= ? GROUP BY process_name`,
    [time(since)],
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Brings the log counts up to date: a full count when due, else only the new rows. */
export async function readLogSummaries(
  db: Executor,
  previous?: LogSummaries,
  options: { now?: Date } = {},
): Promise<LogSummaries> {
  const now = options.now ?? new Date();
  const newest = await newestLogTime(db) ?? START;
  const nowText = formatDbTime(now);
  const top = newest === START
    ? START
    : shiftTime(newest < nowText ? newest : nowText, -OVERLAP_MS);
  let { base, mark, recountedAt } = previous ?? { base: {}, mark: START, recountedAt: 0 };
  if (!previous || previous.stale || now.getTime() - previous.recountedAt >= RECOUNT_MS) {
    base = await countAll(db, top);
    mark = top;
    recountedAt = now.getTime();
  } else if (top > mark) {
    base = addGroups(copyTally(base), await countGroups(db, { after: mark, upTo: top }));
    mark = top;
  }
  const all = newest > mark
    ? addGroups(copyTally(base), await countGroups(db, { after: mark, upTo: newest }))
    : base;
  return { processes: processRows(all), base, mark, recountedAt, stale: false };
}

function logSource(process: string | null, filter: LogFilter): KeysetSource {
  const where: Condition[] = [];
  if (process !== null) where.push({ sql: "process_name = ?", params: [process] });
  if (filter.from) where.push({ sql: "log_time >= ?", params: [time(filter.from)] });
  if (filter.until) where.push({ sql: "log_time < ?", params: [time(filter.until)] });
  return {
    list: LOGS_LIST,
    select: COLUMNS,
    table: "Logs",
    where,
    splits: filter.levels.map((level) => ({ sql: "log_level = ?", params: [level] })),
    search: searchCondition(["log_message"], filter.q),
  };
}

/**
 * One page of log rows, newest first, of one process (or all when `process` is null): one index
 * range per chosen level. The total comes from `known` (the poller's counts) when only levels
 * are filtered; otherwise it is counted up to the cap.
 */
export async function listLogs(
  db: Executor,
  read: {
    process: string | null;
    filter: LogFilter;
    paging: Paging;
    known?: ProcessLogs[];
    signal?: AbortSignal;
  },
): Promise<CountedPage<LogRow>> {
  const { process, filter, paging, known } = read;
  const source = { ...logSource(process, filter), signal: read.signal };
  const page = await keysetPage<LogRow>(db, source, { paging });
  let counted: CappedCount | undefined;
  if (!filter.q && !filter.from && !filter.until && known) {
    const levels = filter.levels.length ? filter.levels : null;
    const count = known.filter((p) => process === null || p.process === process)
      .reduce(
        (sum, p) =>
          sum + (levels ? levels.reduce((n, level) => n + (p.counts[level] ?? 0), 0) : p.total),
        0,
      );
    counted = { count, capped: false };
  }
  return { ...page, total: await listTotal(db, { source, page, known: counted }) };
}

/** The rows newer than `cursor` (the live tail), newest first, at most {@linkcode TAIL_LIMIT}. */
export function tailLogs(
  db: Executor,
  read: { process: string | null; filter: LogFilter; cursor: Cursor | null },
): Promise<LogRow[]> {
  const { process, filter, cursor } = read;
  return newerThan<LogRow>(db, logSource(process, filter), { cursor, limit: TAIL_LIMIT });
}

/** Every log row a filter matches (of one process, or all), in `dir` order, a batch at a time. */
export function exportLogs(
  db: Executor,
  read: { process: string | null; filter: LogFilter; dir: "asc" | "desc"; batch?: number },
): AsyncGenerator<LogRow[]> {
  return keysetBatches<LogRow>(db, logSource(read.process, read.filter), read);
}

/** Deletes chosen log rows (of one process, or any when `process` is null); audited. */
export function deleteLogs(
  db: Db,
  chosen: { process: string | null; ids: string[]; user: string },
): Promise<number> {
  const { process, ids, user } = chosen;
  return db.transaction(async (tx) => {
    const rows = inList("id", ids);
    const deleted = await tx.run(
      `DELETE FROM Logs WHERE ${rows.sql}${process === null ? "" : " AND process_name = ?"}`,
      process === null ? rows.params : [...rows.params, process],
    );
    if (deleted > 0) {
      const listed = ids.slice(0, 20).join(", ") +
        (ids.length > 20 ? ` and ${ids.length - 20} more` : "");
      await audit(tx, {
        info: db.info,
        user,
        what: `deleted ${deleted} log row${deleted === 1 ? "" : "s"}${
          process === null ? "" : ` of process ${quoted(process)}`
        } (chosen: ${listed})`,
      });
    }
    return deleted;
  });
}

/**
 * Deletes every log row of a process older than `before`, in batches so that requests and robots
 * run in between. One audit entry is written first and rewritten with each batch, in the batch's
 * transaction: whatever stops the work, the trail says exactly how many rows went.
 * @param options.signal stops the work after the batch under way
 * @param options.progress told the running count after each batch
 */
export async function deleteLogsBefore(
  db: Db,
  job: { process: string; before: DbTime; user: string },
  options: { signal?: AbortSignal; progress?: (deleted: number) => void } = {},
): Promise<{ deleted: number; stopped: boolean }> {
  const { process, before, user } = job;
  const scope = `of process ${quoted(process)} older than ${before.slice(0, 10)}`;
  const rows = (n: number) => `${n} log row${n === 1 ? "" : "s"}`;
  const entry = await db.transaction((tx) =>
    audit(tx, { info: db.info, user, what: `is deleting log rows ${scope}: 0 deleted so far` })
  );
  let deleted = 0;
  let stopped = false;
  for (;;) {
    if (options.signal?.aborted) {
      stopped = true;
      break;
    }
    const batch = await db.transaction(async (tx) => {
      const n = await tx.run(
        `DELETE FROM Logs WHERE id IN (SELECT id FROM Logs WHERE process_name = ? AND log_time < ?
           ORDER BY log_time${db.dialect.page(DELETE_BATCH, 0)})`,
        [process, time(before)],
      );
      const what = `is deleting log rows ${scope}: ${deleted + n} deleted so far`;
      if (n > 0) await amendAudit(tx, { id: entry, user, what });
      return n;
    });
    deleted += batch;
    options.progress?.(deleted);
    if (batch < DELETE_BATCH) break;
    await pause();
  }
  const what = `deleted ${rows(deleted)} ${scope}${stopped ? " (stopped before the end)" : ""}`;
  await db.transaction((tx) => amendAudit(tx, { id: entry, user, what }));
  return { deleted, stopped };
}
