/**
 * The search of everything: queue elements by reference (exact or prefix, across all queues),
 * triggers by trigger or process name, constants, credentials and scheduler machines by name,
 * and the log messages of the last 24 hours that contain the text. Processes and queues are
 * matched in the names the poller already holds. Each group reads at most `limit + 1` rows; the
 * messages are the first page of the log list's search, which reads at most a slice of rows.
 * @module
 */
import { type DbTime, formatDbTime } from "../lib/time.ts";
import type { Executor, Param } from "./connection.ts";
import { type SchedulerState, schedulerState } from "./schedulers.ts";
import { listLogs } from "./logs.ts";
import { likePattern, prefixPattern } from "./sql.ts";

/** How far back the message search looks. */
export const MESSAGE_HOURS = 24;

/** Rows per group: in the header's list and on the results page (and in JSON). */
export const SEARCH_LIMITS = { box: 5, page: 50 } as const;

/** At most `limit` rows of one group, and whether there were more. */
export type Group<T> = { rows: T[]; more: boolean };

/** A queue element found by its reference. */
export type ElementHit = {
  id: string;
  queue_name: string;
  status: string;
  reference: string;
  created_date: DbTime;
  start_date: DbTime | null;
  end_date: DbTime | null;
};

/** A trigger found by its trigger or process name. */
export type TriggerHit = {
  id: string;
  trigger_name: string;
  process_name: string;
  type: string;
  process_status: string;
};

/** A scheduler machine found by its name. */
export type SchedulerHit = { machine_name: string; last_update: DbTime; state: SchedulerState };

/** A log row of the last 24 hours whose message contains the text. */
export type MessageHit = {
  id: string;
  log_time: DbTime;
  log_level: string;
  process_name: string;
  log_message: string;
};

/** Everything that matches, group by group. */
export type SearchResults = {
  q: string;
  limit: number;
  /** The start of the message search's window. */
  since: DbTime;
  elements: Group<ElementHit>;
  triggers: Group<TriggerHit>;
  processes: Group<string>;
  queues: Group<string>;
  constants: Group<string>;
  credentials: Group<string>;
  schedulers: Group<SchedulerHit>;
  messages: MessageGroup;
};

/** What to search besides the database, and how much to bring. */
export type SearchOptions = {
  /** Rows per group. */
  limit: number;
  /** The process names of the poller's log summaries. */
  processes: readonly string[];
  /** The queue names of the poller's queue summaries. */
  queues: readonly string[];
  /**
   * False leaves the log messages out (the header's list asks for them on their own, so that
   * the names and references are not held up by the day's messages). Default true.
   */
  messages?: boolean;
  now?: Date;
  /** The request's: the message scan is dropped if it closes while the scan waits its turn. */
  signal?: AbortSignal;
};

/**
 * The log messages found: when the search stopped at its slice of rows before it found more than
 * the limit, also how far back it read.
 */
export type MessageGroup = Group<MessageHit> & { searchedTo?: DbTime };

/** The log messages of the last 24 hours that contain `q`, and where that window starts. */
export type MessageResults = { since: DbTime; messages: MessageGroup };

const EMPTY = { rows: [], more: false };

function group<T>(rows: T[], limit: number): Group<T> {
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

function contains(
  names: readonly string[],
  { q, limit }: { q: string; limit: number },
): Group<string> {
  const text = q.toLowerCase();
  return group(names.filter((name) => name.toLowerCase().includes(text)), limit);
}

/** The first `limit + 1` rows of an ordered SELECT. */
function firstRows<T>(
  db: Executor,
  limit: number,
  select: { sql: string; params: Param[] },
): Promise<T[]> {
  return db.query<T>(`${select.sql}${db.dialect.page(limit + 1, 0)}`, select.params);
}

/**
 * Searches the log messages of the last {@linkcode MESSAGE_HOURS} hours for `q` (already
 * trimmed; empty finds nothing): at most `limit`, newest first. It is the first page of the log
 * list's search: a common word stops after `limit + 1` rows, a rare one after a slice of the
 * day's rows (the log list searches on).
 */
export async function searchMessages(
  db: Executor,
  q: string,
  options: { limit: number; now?: Date; signal?: AbortSignal },
): Promise<MessageResults> {
  const now = options.now ?? new Date();
  const since = formatDbTime(new Date(now.getTime() - MESSAGE_HOURS * 3_600_000));
  if (!q) return { since, messages: EMPTY };
  const page = await listLogs(db, {
    process: null,
    filter: { q, from: since, until: null, fromText: "", toText: "", levels: [], highlight: null },
    paging: { size: options.limit, dir: "desc", after: null, before: null },
    signal: options.signal,
  });
  const { rows, next, searchedTo } = page;
  return {
    since,
    messages: searchedTo ? { rows, more: false, searchedTo } : { rows, more: next !== null },
  };
}

/** Searches every source for `q` (already trimmed; empty finds nothing). */
export async function searchEverything(
  db: Executor,
  q: string,
  options: SearchOptions,
): Promise<SearchResults> {
  const { limit } = options;
  const now = options.now ?? new Date();
  const found = searchMessages(db, options.messages === false ? "" : q, {
    limit,
    now,
    signal: options.signal,
  });
  if (!q) {
    return {
      q,
      limit,
      ...await found,
      elements: EMPTY,
      triggers: EMPTY,
      processes: EMPTY,
      queues: EMPTY,
      constants: EMPTY,
      credentials: EMPTY,
      schedulers: EMPTY,
    };
  }
  const first = <T>(sql: string, params: Param[]) => firstRows<T>(db, limit, { sql, params });
  const like = likePattern(q);
  // In the order of the index: on SQLite its NOCASE collation, on SQL Server the column's (and
  // its clustered key), so the first rows of the range are read and nothing is sorted.
  const byReference = db.dialect.name === "sqlite" ? "reference COLLATE NOCASE" : "reference";
  const [elements, triggers, constants, credentials, schedulers, messages] = await Promise.all([
    first<ElementHit>(
      `SELECT id, queue_name, status, reference, created_date, start_date, end_date FROM Queues
        WHERE reference LIKE ? ESCAPE '\\' ORDER BY ${byReference}, id`,
      [prefixPattern(q)],
    ),
    first<TriggerHit>(
      `SELECT id, trigger_name, process_name, type, process_status FROM Triggers
        WHERE trigger_name LIKE ? ESCAPE '\\' OR process_name LIKE ? ESCAPE '\\'
        ORDER BY trigger_name, id`,
      [like, like],
    ),
    first<{ name: string }>(
      "SELECT name FROM Constants WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
      [like],
    ),
    first<{ name: string }>(
      "SELECT name FROM Credentials WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
      [
        like,
      ],
    ),
    first<Omit<SchedulerHit, "state">>(
      `SELECT machine_name, last_update FROM Schedulers
        WHERE machine_name LIKE ? ESCAPE '\\' ORDER BY machine_name`,
      [like],
    ),
    found,
  ]);
  const names = (rows: { name: string }[]) => rows.map((r) => r.name);
  return {
    q,
    limit,
    ...messages,
    elements: group(elements, limit),
    triggers: group(triggers, limit),
    processes: contains(options.processes, { q, limit }),
    queues: contains(options.queues, { q, limit }),
    constants: group(names(constants), limit),
    credentials: group(names(credentials), limit),
    schedulers: group(
      schedulers.map((row) => ({ ...row, state: schedulerState(row.last_update, now) })),
      limit,
    ),
  };
}
