/**
 * Queries for `Triggers` and its sub-tables `Single_Triggers`, `Scheduled_Triggers` and
 * `Queue_Triggers` (exactly one sub-row per trigger, matching `type`; no cascade). Status changes
 * are compare-and-set (docs/design.md#trigger-status-rules); every change is audited in its own transaction.
 * @module
 */
import { field, type PageParams } from "../lib/list.ts";
import { type DbTime, nowDbTime } from "../lib/time.ts";
import type { TriggerFilters, TriggerInput } from "../lib/trigger_input.ts";
import { canDelete, decide, statusLabel, type TriggerAction } from "../lib/trigger_status.ts";
import { audit, quoted } from "./audit.ts";
import { type Db, type DbInfo, type Executor, type Param, time } from "./connection.ts";
import { newId } from "./ids.ts";
import { listPage, type Page, type TableList } from "./list.ts";

/** A trigger with its sub-row's columns (NULL where its type has none). */
export type Trigger = {
  id: string;
  trigger_name: string;
  /** As stored: `SINGLE`, `SCHEDULED` or `QUEUE`. */
  type: string;
  /** As stored: `IDLE`, `RUNNING`, … */
  process_status: string;
  process_name: string;
  process_path: string;
  process_args: string | null;
  is_git_repo: boolean;
  is_blocking: boolean;
  priority: number;
  last_run: DbTime | null;
  /** As stored (see `lib/whitelist.ts` to read it). */
  scheduler_whitelist: string | null;
  /** Always null where the column does not exist (2.0.x). */
  git_branch: string | null;
  /** Single and scheduled triggers. */
  next_run: DbTime | null;
  cron_expr: string | null;
  queue_name: string | null;
  min_batch_size: number | null;
};

/** What the form offers: known scheduler machines and queue names. */
export type TriggerChoices = { machines: string[]; queues: string[] };

const SUB_TABLES: Record<string, string> = {
  SINGLE: "Single_Triggers",
  SCHEDULED: "Scheduled_Triggers",
  QUEUE: "Queue_Triggers",
};

const FROM = "Triggers t LEFT JOIN Single_Triggers s ON s.id = t.id " +
  "LEFT JOIN Scheduled_Triggers c ON c.id = t.id LEFT JOIN Queue_Triggers qt ON qt.id = t.id";

const NEXT_RUN = "COALESCE(s.next_run, c.next_run)";

function columns(info: DbInfo): string {
  return "t.id, t.trigger_name, t.type, t.process_status, t.process_name, t.process_path, " +
    "t.process_args, t.is_git_repo, t.is_blocking, t.priority, t.last_run, " +
    `t.scheduler_whitelist, ${info.gitBranch ? "t.git_branch" : "NULL AS git_branch"}, ` +
    `${NEXT_RUN} AS next_run, c.cron_expr, qt.queue_name, qt.min_batch_size`;
}

/** Booleans come back as 0/1 from SQLite, numbers as bigint-safe numbers from both. */
function normalized(row: Trigger): Trigger {
  return {
    ...row,
    is_git_repo: Boolean(row.is_git_repo),
    is_blocking: Boolean(row.is_blocking),
    priority: Number(row.priority),
    min_batch_size: row.min_batch_size === null ? null : Number(row.min_batch_size),
  };
}

/** The triggers list (its select list is the database's: see `columns`). */
export const TRIGGERS_LIST: TableList<Trigger> = {
  name: "triggers",
  paging: "page",
  columns: [
    field("trigger_name", "Name", "t.trigger_name"),
    field("type", "Type", "t.type"),
    field("process_status", "Status", "t.process_status"),
    field("process_name", "Process", "t.process_name"),
    field("process_path", "Process path"),
    field("priority", "Priority", "t.priority"),
    field("last_run", "Last run", "t.last_run"),
    field("next_run", "Next run or queue", NEXT_RUN),
    field("cron_expr", "Cron"),
    field("queue_name", "Queue"),
    field("scheduler_whitelist", "Whitelist"),
  ],
  sort: "trigger_name",
  dir: "asc",
  from: FROM,
  table: "Triggers t", // each sub-table holds at most one row per trigger (its primary key)
  select: "",
  search: ["t.trigger_name", "t.process_name", "t.process_path", "qt.queue_name"],
  tiebreak: "t.id",
};

/** One page of triggers with their next runs, queues and whitelists. */
export async function listTriggers(
  db: Db,
  { params, filters }: { params: PageParams; filters: TriggerFilters },
): Promise<Page<Trigger>> {
  const where: { sql: string; params: Param[] }[] = [];
  if (filters.type) where.push({ sql: "t.type = ?", params: [filters.type] });
  if (filters.status.length) {
    where.push({
      sql: `t.process_status IN (${filters.status.map(() => "?").join(", ")})`,
      params: filters.status,
    });
  }
  const list = { ...TRIGGERS_LIST, select: columns(db.info) };
  const page = await listPage<Trigger>(db, list, { params, where });
  return { rows: page.rows.map(normalized), total: page.total };
}

async function readTrigger(
  tx: Executor,
  key: { info: DbInfo; id: string },
): Promise<Trigger | null> {
  const { info, id } = key;
  const [row] = await tx.query<Trigger>(
    `SELECT ${columns(info)} FROM ${FROM} WHERE t.id = ?`,
    [id],
  );
  return row ? normalized(row) : null;
}

/** How many triggers there are in each status (the table is small: one read of it). */
export async function triggerCounts(db: Executor): Promise<Record<string, number>> {
  const rows = await db.query<{ process_status: string; n: number }>(
    "SELECT process_status, COUNT(*) AS n FROM Triggers GROUP BY process_status",
  );
  return Object.fromEntries(rows.map((r) => [r.process_status, Number(r.n)]));
}

/** One trigger by its stored id, or null. */
export function getTrigger(db: Db, id: string): Promise<Trigger | null> {
  return readTrigger(db, { info: db.info, id });
}

/** The most triggers {@linkcode allTriggers} reads (an installation has hundreds). */
const ALL_TRIGGERS_LIMIT = 10_000;

/** Every trigger with its sub-row, by name (at most {@linkcode ALL_TRIGGERS_LIMIT}). */
export async function allTriggers(db: Db): Promise<Trigger[]> {
  const rows = await db.query<Trigger>(
    `SELECT ${columns(db.info)} FROM ${FROM} ORDER BY t.trigger_name, t.id${
      db.dialect.page(ALL_TRIGGERS_LIMIT, 0)
    }`,
  );
  return rows.map(normalized);
}

/** The known scheduler machines and queue names (from queue triggers and the queue itself). */
export async function triggerChoices(db: Db): Promise<TriggerChoices> {
  const machines = await db.query<{ name: string }>(
    "SELECT machine_name AS name FROM Schedulers ORDER BY machine_name",
  );
  // Distinct names by index seeks (a loose index scan): Queues may hold millions of rows.
  const queued = await db.query<{ name: string }>(
    db.dialect.name === "sqlite"
      ? `WITH RECURSIVE names(name) AS (
           SELECT MIN(queue_name) FROM Queues
           UNION ALL
           SELECT (SELECT MIN(queue_name) FROM Queues WHERE queue_name > names.name)
             FROM names WHERE names.name IS NOT NULL LIMIT 1000)
         SELECT name FROM names WHERE name IS NOT NULL`
      : "SELECT DISTINCT TOP (1000) queue_name AS name FROM Queues",
  );
  const triggered = await db.query<{ name: string }>(
    "SELECT DISTINCT queue_name AS name FROM Queue_Triggers",
  );
  const queues = [...new Set([...queued, ...triggered].map((r) => r.name))].sort();
  return { machines: machines.map((r) => r.name), queues };
}

/** The trigger's own columns the form writes (never status or last run). */
const FORM_COLUMNS = [
  "trigger_name",
  "process_name",
  "process_path",
  "process_args",
  "is_git_repo",
  "git_branch",
  "is_blocking",
  "priority",
  "scheduler_whitelist",
] as const;

/** The sub-row's columns of each type. */
const SUB_COLUMNS: Record<string, (keyof TriggerInput)[]> = {
  SINGLE: ["next_run"],
  SCHEDULED: ["cron_expr", "next_run"],
  QUEUE: ["queue_name", "min_batch_size"],
};

/** A column's value as bound: times as DATETIME. */
function bound(input: TriggerInput, column: keyof TriggerInput): Param {
  return column === "next_run" ? time(input.next_run!) : input[column];
}

/** The sub-row's table, columns and values for a trigger's type. */
function subRow(input: TriggerInput): { table: string; columns: string[]; values: Param[] } {
  const columns = SUB_COLUMNS[input.type];
  return {
    table: SUB_TABLES[input.type],
    columns,
    values: columns.map((c) => bound(input, c)),
  };
}

async function insertSubRow(
  tx: Executor,
  row: { id: string; input: TriggerInput },
): Promise<void> {
  const { id, input } = row;
  const sub = subRow(input);
  await tx.run(
    `INSERT INTO ${sub.table} (id, ${sub.columns.join(", ")}) VALUES (?${
      ", ?".repeat(sub.columns.length)
    })`,
    [id, ...sub.values],
  );
}

/** The trigger's own columns and values; `git_branch` only where the column exists. */
function formColumns(info: DbInfo, input: TriggerInput): [string, Param][] {
  return FORM_COLUMNS.filter((c) => info.gitBranch || c !== "git_branch")
    .map((c) => [c, input[c]]);
}

/** The values an audit entry shows for a trigger of `type`, by column. */
function audited(values: Record<string, unknown>, type: string): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const key of [...FORM_COLUMNS, ...SUB_COLUMNS[type] ?? []]) {
    const value = values[key];
    shown[key] = typeof value === "string"
      ? quoted(value)
      : value == null
      ? "nothing"
      : String(value);
  }
  return shown;
}

function named(trigger: { trigger_name: string; id: string }): string {
  return `trigger ${quoted(trigger.trigger_name)} (${trigger.id})`;
}

/** Every audited value of a trigger: `name = value, …`. */
function listed(values: TriggerInput | Trigger): string {
  return Object.entries(audited({ ...values }, values.type))
    .map(([k, v]) => `${k} = ${v}`).join(", ");
}

/** Creates a trigger (status `IDLE`) and its sub-row in one transaction; returns its id. */
export function createTrigger(
  db: Db,
  change: { input: TriggerInput; user: string },
): Promise<string> {
  const { input, user } = change;
  return db.transaction(async (tx) => {
    const id = newId(db.info);
    const own = formColumns(db.info, input);
    const names = ["id", "type", "process_status", ...own.map(([c]) => c)];
    await tx.run(
      `INSERT INTO Triggers (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
      [id, input.type, "IDLE", ...own.map(([, v]) => v)],
    );
    await insertSubRow(tx, { id, input });
    await audit(tx, {
      info: db.info,
      user,
      what: `created ${input.type} ${named({ ...input, id })}: ${listed(input)}`,
    });
    return id;
  });
}

/** The outcome of an edit. */
export type UpdateResult = "done" | "missing" | "type";

/**
 * Changes a trigger's fields and its sub-row in one transaction; never its status or last run,
 * never its type.
 */
export function updateTrigger(
  db: Db,
  change: { id: string; input: TriggerInput; user: string },
): Promise<UpdateResult> {
  const { id, input, user } = change;
  return db.transaction(async (tx) => {
    const before = await readTrigger(tx, { info: db.info, id });
    if (!before) return "missing";
    if (before.type !== input.type) return "type";
    const own = formColumns(db.info, input);
    await tx.run(
      `UPDATE Triggers SET ${own.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ?`,
      [...own.map(([, v]) => v), id],
    );
    // A kept next run (null) is left as stored: the scheduler may have moved it meanwhile.
    const after = { ...input, next_run: input.next_run ?? before.next_run };
    const sub = subRow(after);
    const set = sub.columns.map((c, i) => [c, sub.values[i]] as const)
      .filter(([c]) => c !== "next_run" || input.next_run !== null);
    const found = set.length
      ? await tx.run(
        `UPDATE ${sub.table} SET ${set.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ?`,
        [...set.map(([, v]) => v), id],
      )
      : (await tx.query(`SELECT id FROM ${sub.table} WHERE id = ?`, [id])).length;
    if (found === 0) await insertSubRow(tx, { id, input: after });
    const was = audited({ ...before }, before.type);
    const now = audited({ ...after }, after.type);
    const diff = Object.keys(now).filter((k) => was[k] !== now[k])
      .map((k) => `${k} ${was[k]} -> ${now[k]}`);
    await audit(tx, {
      info: db.info,
      user,
      what: `changed ${named(before)}: ${diff.length ? diff.join(", ") : "nothing"}`,
    });
    return "done";
  });
}

/** The outcome of a status action or a delete, with the trigger as it is now. */
export type ActionOutcome =
  | { result: "done"; trigger: Trigger | null; message: string }
  | { result: "missing" }
  | { result: "refused" | "confirm" | "conflict"; trigger: Trigger; message: string };

/**
 * An action on a trigger: which, by whom, what the admin saw and confirmed, and the time a
 * finished single trigger runs again.
 */
export type TriggerChange = {
  id: string;
  action: TriggerAction;
  user: string;
  /** The status the admin saw: the change is made only from that status. */
  seen?: string;
  confirmed?: boolean;
  /** For resuming a finished single trigger ("run again"). */
  nextRun?: DbTime;
};

const DONE_WORDS: Record<TriggerAction, string> = {
  pause: "paused",
  resume: "resumed",
  run: "set to run now",
  kill: "asked to kill",
  reset: "reset",
};

/** What an action did, in words that add to the status badge rather than repeat it. */
function doneMessage(action: TriggerAction, after: Trigger): string {
  const name = `Trigger “${after.trigger_name}”`;
  const status = statusLabel(after.process_status).toLowerCase();
  switch (action) {
    case "pause":
      return after.process_status === "PAUSING"
        ? `${name} pauses when its current run ends.`
        : `${name} paused.`;
    case "resume":
      return `${name} resumed: it is ${status} until its next run.`;
    case "run":
      return `${name} set to run now: a scheduler starts it at its next check.`;
    case "kill":
      return `${name}: the scheduler was asked to kill its process.`;
    case "reset":
      return `${name} reset: it is ${status} again.`;
  }
}

function conflict(trigger: Trigger): ActionOutcome {
  return {
    result: "conflict",
    trigger,
    message: `Someone else changed “${trigger.trigger_name}” first: it is now ` +
      `${statusLabel(trigger.process_status)}. Nothing was changed.`,
  };
}

/**
 * Runs a change in one transaction, from the status the admin saw: missing when the trigger is
 * gone, a conflict when its status is no longer the one seen.
 */
function fromSeen(
  db: Db,
  seen: {
    id: string;
    seen?: string;
    change: (tx: Executor, before: Trigger) => Promise<ActionOutcome>;
  },
): Promise<ActionOutcome> {
  const { id, change } = seen;
  return db.transaction(async (tx) => {
    const before = await readTrigger(tx, { info: db.info, id });
    if (!before) return { result: "missing" };
    if ((seen.seen ?? before.process_status) !== before.process_status) return conflict(before);
    return await change(tx, before);
  });
}

/**
 * Claims a trigger for a change: a compare-and-set of its status to `to` (the same for a delete
 * or a run now) where it still is what was read. Zero rows means another writer moved it first
 * (the conflict is returned); on SQL Server the row stays locked until the transaction ends.
 */
async function claim(
  tx: Executor,
  claimed: { info: DbInfo; before: Trigger; to: string },
): Promise<ActionOutcome | null> {
  const { info, before, to } = claimed;
  const changed = await tx.run(
    "UPDATE Triggers SET process_status = ? WHERE id = ? AND process_status = ?",
    [to, before.id, before.process_status],
  );
  return changed === 1 ? null : conflict((await readTrigger(tx, { info, id: before.id }))!);
}

/**
 * Applies a status action (docs/design.md#trigger-status-rules) as a compare-and-set from the status the admin saw, in one
 * transaction with its audit entry.
 */
export function actOnTrigger(db: Db, options: TriggerChange): Promise<ActionOutcome> {
  const { id, action, user } = options;
  return fromSeen(db, {
    id,
    seen: options.seen,
    change: async (tx, before) => {
      const from = before.process_status;
      const step = decide(action, { type: before.type, status: from }, {
        killing: db.info.killing,
        confirmed: options.confirmed,
      });
      if (!step.ok) return { result: step.reason, trigger: before, message: step.message };
      const nextRun = step.nextRun === "now"
        ? nowDbTime()
        : step.nextRun === "given"
        ? options.nextRun
        : undefined;
      if (step.nextRun === "given" && !nextRun) {
        return {
          result: "refused",
          trigger: before,
          message: `Choose when “${before.trigger_name}” should run again (next_run).`,
        };
      }
      const lost = await claim(tx, { info: db.info, before, to: step.to });
      if (lost) return lost;
      let detail = `${from} -> ${step.to}`;
      if (nextRun) {
        await tx.run(`UPDATE ${SUB_TABLES[before.type]} SET next_run = ? WHERE id = ?`, [
          time(nextRun),
          id,
        ]);
        detail += `, next_run ${before.next_run ?? "nothing"} -> ${nextRun}`;
      }
      await audit(tx, {
        info: db.info,
        user,
        what: `${DONE_WORDS[action]} ${named(before)}: ${detail}`,
      });
      const after = (await readTrigger(tx, { info: db.info, id }))!;
      return {
        result: "done",
        trigger: after,
        message: doneMessage(action, after),
      };
    },
  });
}

/**
 * Deletes a trigger unless a process may be running it: the sub-rows first, then the trigger, in
 * one transaction, from the status the admin saw.
 */
export function deleteTrigger(
  db: Db,
  change: { id: string; seen?: string; user: string },
): Promise<ActionOutcome> {
  const { id, user } = change;
  return fromSeen(db, {
    id,
    seen: change.seen,
    change: async (tx, before) => {
      const from = before.process_status;
      if (!canDelete(from)) {
        return {
          result: "refused",
          trigger: before,
          message: `Cannot delete “${before.trigger_name}” while it is ${statusLabel(from)}: ` +
            "pause it and wait until it has stopped.",
        };
      }
      const lost = await claim(tx, { info: db.info, before, to: from });
      if (lost) return lost;
      for (const table of Object.values(SUB_TABLES)) {
        await tx.run(`DELETE FROM ${table} WHERE id = ?`, [id]);
      }
      await tx.run("DELETE FROM Triggers WHERE id = ?", [id]);
      await audit(tx, {
        info: db.info,
        user,
        what: `deleted ${before.type} ${named(before)} (was ${from}): ${listed(before)}`,
      });
      return {
        result: "done",
        trigger: null,
        message: `Trigger “${before.trigger_name}” deleted.`,
      };
    },
  });
}
