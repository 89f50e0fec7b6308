/**
 * Queries for `Queues` (one row per queue element) and the queue triggers that consume them:
 * the per-queue summaries the poller reads, the keyset list of a queue's elements, one element,
 * adding one, and the compare-and-set actions of docs/design.md#queue-element-rules.
 * @module
 */
import type { QueueFilter } from "../lib/filters.ts";
import {
  field,
  type ListColumn,
  type ListDefinition,
  type MemoryList,
  type Paging,
} from "../lib/list.ts";
import {
  ACTION_WORDS,
  type ActionConfirmations,
  actionRule,
  QUEUE_STATUS_LABELS,
  QUEUE_STATUSES,
  type QueueAction,
  type QueueStatus,
  skipReason,
  stuckBefore,
} from "../lib/queue_status.ts";
import { type DbTime, formatDbTime, later } from "../lib/time.ts";
import { audit, quoted } from "./audit.ts";
import { BATCH_ROWS, type Db, type Executor, type Param, pause, time } from "./connection.ts";
import { newId } from "./ids.ts";
import {
  type CountedPage,
  keysetBatches,
  keysetPage,
  type KeysetSource,
  listTotal,
} from "./list.ts";
import { type Condition, inList, searchCondition, whereOf } from "./sql.ts";

/** A queue element as stored. */
export type QueueElement = {
  id: string;
  queue_name: string;
  status: string;
  data: string | null;
  reference: string | null;
  created_date: DbTime;
  start_date: DbTime | null;
  end_date: DbTime | null;
  message: string | null;
  created_by: string | null;
};

const COLUMNS =
  "id, queue_name, status, data, reference, created_date, start_date, end_date, message, created_by";

/** Element counts by status. */
export type StatusCounts = Record<QueueStatus, number>;

/** The counts of several queues added up. */
export function sumCounts(rows: { counts: StatusCounts }[]): StatusCounts {
  const sum = Object.fromEntries(QUEUE_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of rows) for (const s of QUEUE_STATUSES) sum[s] += row.counts[s];
  return sum;
}

/** A queue trigger that consumes a queue. */
export type QueueTrigger = {
  id: string;
  trigger_name: string;
  process_name: string;
  process_status: string;
};

/** One queue as the overview shows it. */
export type QueueSummary = {
  name: string;
  counts: StatusCounts;
  total: number;
  /** When the oldest element still new was created. */
  oldestNew: DbTime | null;
  /** The latest creation, start or end seen in the queue. */
  lastActivity: DbTime | null;
  triggers: QueueTrigger[];
};

/** The Queues overview's list (held in memory: the poller's summaries). */
export const QUEUES_LIST: MemoryList<QueueSummary> = {
  name: "queues",
  paging: "page",
  columns: [
    field("name", "Queue", true),
    ...QUEUE_STATUSES.map((s): ListColumn<QueueSummary> => ({
      key: s.toLowerCase(),
      label: QUEUE_STATUS_LABELS[s],
      sort: true,
      value: (r) => r.counts[s],
    })),
    field("total", "Total", true),
    { key: "oldest_new", label: "Oldest new", sort: true, value: (r) => r.oldestNew },
    { key: "last_activity", label: "Last activity", sort: true, value: (r) => r.lastActivity },
    {
      key: "triggers",
      label: "Consumed by",
      value: (r) => r.triggers.map((t) => t.trigger_name).join(", "),
    },
  ],
  sort: "name",
  dir: "asc",
  size: 50,
  search: (r) => [r.name, ...r.triggers.map((t) => t.trigger_name)],
};

/** The poller's queue aggregates. */
export type QueueSummaries = {
  rows: QueueSummary[];
  /** When they were read. */
  readAt: DbTime;
};

/** The most queues the overview lists. */
const MAX_QUEUES = 2000;

function emptyCounts(): StatusCounts {
  return { NEW: 0, IN_PROGRESS: 0, DONE: 0, FAILED: 0, ABANDONED: 0 };
}

/** The queue names in use, one index seek each (the index has no "distinct" shortcut). */
async function queueNames(db: Executor): Promise<string[]> {
  const names: string[] = [];
  let last: string | null = null;
  while (names.length < MAX_QUEUES) {
    const [row]: { name: string | null }[] = await db.query<{ name: string | null }>(
      last === null
        ? "SELECT MIN(queue_name) AS name FROM Queues"
        : "SELECT MIN(queue_name) AS name FROM Queues WHERE queue_name > ?",
      last === null ? [] : [last],
    );
    if (row?.name == null) break;
    names.push(row.name);
    last = row.name;
  }
  return names;
}

/** The queue triggers with the queue each consumes. */
function queueTriggers(db: Executor): Promise<(QueueTrigger & { queue_name: string })[]> {
  return db.query(
    `SELECT t.id, t.trigger_name, t.process_name, t.process_status, q.queue_name
       FROM Queue_Triggers q JOIN Triggers t ON t.id = q.id
      ORDER BY t.trigger_name, t.id` + db.dialect.page(MAX_QUEUES, 0),
  );
}

/** Reads every queue's counts (a few index seeks per queue) and triggers. */
export async function readQueueSummaries(
  db: Executor,
  now: DbTime = formatDbTime(new Date()),
): Promise<QueueSummaries> {
  const triggers = await queueTriggers(db);
  const names = [...new Set([...await queueNames(db), ...triggers.map((t) => t.queue_name)])]
    .sort();
  const rows: QueueSummary[] = [];
  for (const name of names) {
    await pause();
    rows.push(await summarize(db, { name, triggers }));
  }
  return { rows, readAt: now };
}

/**
 * One queue's counts (one covering index range) and its triggers. The rows are counted without
 * reading their dates (decoding every `created_date` took as long again); each status's oldest
 * and newest creation and its latest start (in progress) or end (the others) are index seeks.
 * One query for every queue's latest activity instead was a scan: 0.5 s a round at 2.5 M
 * elements, most of the first round.
 */
async function summarize(
  db: Executor,
  { name, triggers }: { name: string; triggers: (QueueTrigger & { queue_name: string })[] },
): Promise<QueueSummary> {
  const groups = await db.query<
    { status: string; n: number; oldest: DbTime; newest: DbTime; last: DbTime | null }
  >(
    `SELECT g.status, g.n,
        (SELECT MIN(created_date) FROM Queues q
          WHERE q.queue_name = g.queue_name AND q.status = g.status) AS oldest,
        (SELECT MAX(created_date) FROM Queues q
          WHERE q.queue_name = g.queue_name AND q.status = g.status) AS newest,
        CASE WHEN g.status = 'IN_PROGRESS'
          THEN (SELECT MAX(start_date) FROM Queues q
            WHERE q.queue_name = g.queue_name AND q.status = g.status)
          ELSE (SELECT MAX(end_date) FROM Queues q
            WHERE q.queue_name = g.queue_name AND q.status = g.status) END AS last
      FROM (SELECT queue_name, status, COUNT(*) AS n FROM Queues WHERE queue_name = ?
        GROUP BY queue_name, status) g`,
    [name],
  );
  const counts = emptyCounts();
  let total = 0;
  let lastActivity: DbTime | null = null;
  for (const g of groups) {
    if (g.status in counts) counts[g.status as QueueStatus] = Number(g.n);
    total += Number(g.n);
    lastActivity = later(lastActivity, later(g.newest, g.last));
  }
  return {
    name,
    counts,
    total,
    oldestNew: groups.find((g) => g.status === "NEW")?.oldest ?? null,
    lastActivity,
    triggers: triggers.filter((t) => t.queue_name === name).map(({ queue_name: _, ...t }) => t),
  };
}

/** Reads one queue's summary again (after a change to it): a page right after shows the truth. */
export async function readQueueSummary(db: Executor, name: string): Promise<QueueSummary> {
  return await summarize(db, { name, triggers: await queueTriggers(db) });
}

/** The text search of a filter: in the reference, data, message and creator. */
function elementSearch(filter: QueueFilter): Condition[] {
  return searchCondition(["reference", "data", "message", "created_by"], filter.q);
}

/** The conditions of a filter of one queue (or all: `null`), besides the statuses and text. */
function filterConditions(queue: string | null, filter: QueueFilter): Condition[] {
  const conditions: Condition[] = [
    ...(queue === null ? [] : [{ sql: "queue_name = ?", params: [queue] }]),
  ];
  const column = filter.date === "ended" ? "end_date" : "created_date";
  if (filter.from) conditions.push({ sql: `${column} >= ?`, params: [time(filter.from)] });
  if (filter.until) conditions.push({ sql: `${column} < ?`, params: [time(filter.until)] });
  return conditions;
}

/** The statuses a filter shows (none chosen: all). */
function statusesOf(filter: QueueFilter): readonly QueueStatus[] {
  return filter.statuses.length ? filter.statuses : QUEUE_STATUSES;
}

/** The element list of one queue or of all: oldest or newest first by creation, then id. */
export const ELEMENTS_LIST: ListDefinition<QueueElement> = {
  name: "elements",
  paging: "cursor",
  columns: [
    field("queue_name", "Queue"),
    field("reference", "Reference"),
    field("status", "Status"),
    field("created_date", "Created", "created_date"),
    field("start_date", "Started"),
    field("end_date", "Ended"),
    field("message", "Message"),
    field("created_by", "Created by"),
    field("data", "Data"),
    field("id", "Id"),
  ],
  sort: "created_date",
  dir: "desc",
  size: 50,
};

function elementSource(queue: string | null, filter: QueueFilter): KeysetSource {
  return {
    list: ELEMENTS_LIST,
    select: COLUMNS,
    table: "Queues",
    where: filterConditions(queue, filter),
    splits: statusesOf(filter).map((s) => ({ sql: "status = ?", params: [s] })),
    search: elementSearch(filter),
  };
}

/**
 * One page of a queue's elements (of every queue when `queue` is null), ordered by creation
 * (then id): one index range per status. The total comes from `known` (the poller's counts, of
 * the queue or summed over all) when only statuses are filtered; otherwise it is counted up to
 * the cap.
 */
export async function listElements(
  db: Executor,
  read: {
    queue: string | null;
    filter: QueueFilter;
    paging: Paging;
    known?: StatusCounts;
    signal?: AbortSignal;
  },
): Promise<CountedPage<QueueElement>> {
  const { queue, filter, paging, known } = read;
  const source = { ...elementSource(queue, filter), signal: read.signal };
  const page = await keysetPage<QueueElement>(db, source, { paging });
  const plain = !filter.q && !filter.from && !filter.until;
  const counted = plain && known
    ? { count: statusesOf(filter).reduce((sum, s) => sum + known[s], 0), capped: false }
    : undefined;
  return { ...page, total: await listTotal(db, { source, page, known: counted }) };
}

/** Every element a filter matches (of one queue, or all), in `dir` order, a batch at a time. */
export function exportElements(
  db: Executor,
  read: { queue: string | null; filter: QueueFilter; dir: "asc" | "desc"; batch?: number },
): AsyncGenerator<QueueElement[]> {
  return keysetBatches<QueueElement>(db, elementSource(read.queue, read.filter), read);
}

/** One element of a queue by its id (any spelling already turned into the stored one), or null. */
export async function getElement(
  db: Executor,
  key: { queue: string; id: string },
): Promise<QueueElement | null> {
  const { queue, id } = key;
  const [row] = await db.query<QueueElement>(
    `SELECT ${COLUMNS} FROM Queues WHERE id = ? AND queue_name = ?`,
    [id, queue],
  );
  return row ?? null;
}

/** Adds a new element to a queue (status new, created now by `user`); returns its id. */
export function addElement(
  db: Db,
  element: { queue: string; reference: string | null; data: string | null; user: string },
): Promise<string> {
  const { queue, user } = element;
  return db.transaction(async (tx) => {
    const id = newId(db.info);
    await tx.run(
      `INSERT INTO Queues (id, queue_name, status, data, reference, created_date, start_date,
         end_date, message, created_by) VALUES (?, ?, 'NEW', ?, ?, ?, NULL, NULL, NULL, ?)`,
      [id, queue, element.data, element.reference, time(formatDbTime(new Date())), user],
    );
    await audit(tx, {
      info: db.info,
      user,
      what: `added element ${quoted(element.reference ?? id)} to queue ${quoted(queue)}`,
    });
    return id;
  });
}

/** The elements an action is for: chosen ids, or every element matching a filter. */
export type ActionTarget =
  | { ids: string[] }
  | {
    filter: QueueFilter;
    /** The count the admin confirmed: the most elements the action may change. */
    expected: number;
  };

/** What an action did: how many changed, and why the others were left alone. */
export type ActionResult = {
  changed: number;
  /** Reason → how many elements were skipped for it. */
  skipped: Record<string, number>;
  /**
   * Set when more elements would change than the admin confirmed: then nothing changed, and this
   * is how many match now (to ask again with).
   */
  exceeded?: number;
};

/** An action on a queue's elements: which, on what, as confirmed, by whom. */
export type QueueActionRequest = {
  queue: string;
  action: QueueAction;
  target: ActionTarget;
  confirmed: ActionConfirmations;
  user: string;
  /** The time the action is taken at (default: now). */
  now?: Date;
};

/** Why an element that was allowed to move did not: someone moved it first. */
export const MOVED_BY_SOMEONE_ELSE = "changed by someone else first";

/** Which elements an action is asked to move, as confirmed, at `now`. */
type Movement = {
  action: QueueAction;
  confirmed: ActionConfirmations;
  now: Date;
};

/** The compare-and-set condition of an action: the statuses it may move (∩ the filter's). */
function movable(movement: Movement, filter: QueueStatus[]) {
  const { action, confirmed, now } = movement;
  const rule = actionRule(action, confirmed);
  const wanted = (s: QueueStatus) => filter.length === 0 || filter.includes(s);
  const from = rule.from.filter(wanted);
  const parts: Condition[] = [];
  if (from.length) parts.push(inList("status", from));
  if (rule.stuck && wanted("IN_PROGRESS")) {
    parts.push({
      sql: "(status = 'IN_PROGRESS' AND start_date < ?)",
      params: [time(stuckBefore(now))],
    });
  }
  const condition: Condition = parts.length
    ? { sql: `(${parts.map((p) => p.sql).join(" OR ")})`, params: parts.flatMap((p) => p.params) }
    : { sql: "1 = 0", params: [] };
  return { rule, condition };
}

/** The elements of `queue` matching a filter that an action may move. */
function movableMatching(
  movement: Movement & { queue: string; filter: QueueFilter },
): Condition {
  return whereOf([
    ...filterConditions(movement.queue, movement.filter),
    ...elementSearch(movement.filter),
    movable(movement, movement.filter.statuses).condition,
  ]);
}

function statement(action: QueueAction, now: Date): { sql: string; params: Param[] } {
  switch (action) {
    case "retry":
      return {
        sql: "UPDATE Queues SET status = 'NEW', start_date = NULL, end_date = NULL",
        params: [],
      };
    case "abandon":
      return {
        sql: "UPDATE Queues SET status = 'ABANDONED', end_date = ?",
        params: [time(formatDbTime(now))],
      };
    case "delete":
      return { sql: "DELETE FROM Queues", params: [] };
  }
}

function describeFilter(filter: QueueFilter): string {
  const parts = [
    filter.statuses.length ? `status ${filter.statuses.join("/")}` : "",
    filter.q ? `search ${quoted(filter.q)}` : "",
    filter.from ? `${filter.date} from ${filter.fromText}` : "",
    filter.until ? `${filter.date} to ${filter.toText}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no filter";
}

/** What `countMovable` counts: the elements of a queue matching a filter, for an action. */
export type MovableQuery = {
  queue: string;
  action: QueueAction;
  filter: QueueFilter;
  confirmed: ActionConfirmations;
  now?: Date;
};

/** Counts the elements matching a filter that an action would move (the "retry all" preview). */
export async function countMovable(db: Executor, query: MovableQuery): Promise<number> {
  const where = movableMatching({ ...query, now: query.now ?? new Date() });
  const [row] = await db.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM Queues${where.sql}`,
    where.params,
  );
  return Number(row.n);
}

/**
 * Retries, abandons or deletes elements, compare-and-set: only elements whose status allows it
 * move (`WHERE … AND status IN (…)`), the rest are reported with the reason. Audited. Chosen
 * elements move in one transaction.
 *
 * On everything matching, the confirmed count is a limit: the matching elements are counted
 * first (in the first batch's transaction), and when more would change than confirmed nothing
 * changes and `exceeded` says how many match now. They then move in batches of at most {@linkcode BATCH_ROWS} (each its own
 * compare-and-set transaction, so SQL Server never escalates to a table lock), each batch capped
 * by what is left of the confirmed count, so no more than confirmed ever change; the result
 * counts every batch.
 */
export async function applyQueueAction(db: Db, request: QueueActionRequest): Promise<ActionResult> {
  const { queue, action, target, confirmed, user } = request;
  const now = request.now ?? new Date();
  const skipped: Record<string, number> = {};
  const skip = (reason: string, n = 1) => {
    if (n > 0) skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  const change = statement(action, now);
  const record = async (tx: Executor, { changed, what }: { changed: number; what: string }) => {
    if (changed === 0) return;
    await audit(tx, {
      info: db.info,
      user,
      what: `${ACTION_WORDS[action].past} ${changed} element${changed === 1 ? "" : "s"} of queue ${
        quoted(queue)
      }: ${what}`,
    });
  };
  if (!("ids" in target)) {
    const where = movableMatching({ queue, action, filter: target.filter, confirmed, now });
    let changed = 0;
    for (let left = target.expected; left > 0;) {
      const size = Math.min(BATCH_ROWS, left);
      const first = changed === 0;
      const batch = await db.transaction(async (tx) => {
        // Counted in the first batch's transaction: more than confirmed changes nothing.
        const matching = first
          ? await countMovable(tx, { queue, action, filter: target.filter, confirmed, now })
          : 0;
        if (matching > target.expected) return -matching;
        return await tx.run(
          `${change.sql} WHERE id IN (${
            db.dialect.firstRows(`SELECT id FROM Queues${where.sql}`, size)
          })`,
          [...change.params, ...where.params],
        );
      });
      if (batch < 0) return { changed: 0, skipped, exceeded: -batch };
      changed += batch;
      left -= batch;
      if (batch < size) break;
      await pause();
    }
    skip(MOVED_BY_SOMEONE_ELSE, target.expected - changed);
    await db.transaction((tx) =>
      record(tx, { changed, what: `matching ${describeFilter(target.filter)}` })
    );
    return { changed, skipped };
  }
  return await db.transaction(async (tx) => {
    const { rule, condition } = movable({ action, confirmed, now }, []);
    const found = await tx.query<
      Pick<QueueElement, "id" | "status" | "start_date" | "reference">
    >(
      `SELECT id, status, start_date, reference FROM Queues WHERE queue_name = ? AND ${
        inList("id", target.ids).sql
      }`,
      [queue, ...target.ids],
    );
    skip("no longer exists", target.ids.length - found.length);
    const asked = (el: { id: string }) => target.ids.indexOf(el.id);
    found.sort((a, b) => asked(a) - asked(b));
    const stuckMark = stuckBefore(now);
    const eligible = found.filter((el) => {
      const reason = skipReason(rule, { element: el, stuckMark });
      if (reason) skip(reason);
      return reason === null;
    });
    let changed = 0;
    if (eligible.length) {
      const ids = inList("id", eligible.map((el) => el.id));
      changed = await tx.run(
        `${change.sql} WHERE queue_name = ? AND ${ids.sql} AND ${condition.sql}`,
        [...change.params, queue, ...ids.params, ...condition.params],
      );
    }
    skip(MOVED_BY_SOMEONE_ELSE, eligible.length - changed);
    const names = eligible.map((el) => el.reference ?? el.id);
    await record(tx, {
      changed,
      what: `${names.slice(0, 20).map(quoted).join(", ")}${
        names.length > 20 ? ` and ${names.length - 20} more` : ""
      }`,
    });
    return { changed, skipped };
  });
}
