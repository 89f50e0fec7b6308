/**
 * Raw rows for tests, written the way the Python side writes them (on any engine), and paging.
 * @module
 */
import type { Paging } from "../lib/list.ts";
import type { DbTime } from "../lib/time.ts";
import { type Db, time } from "./connection.ts";
import { newId } from "./ids.ts";
import { type LogRow, LOGS_LIST } from "./logs.ts";
import type { QueueElement } from "./queues.ts";

/** Inserts a queue element; returns its id. */
export async function insertElement(
  db: Db,
  e: Partial<QueueElement> & { queue_name: string; status: string; created_date: string },
): Promise<string> {
  const id = e.id ?? newId(db.info);
  const t = (v: string | null | undefined) => v == null ? null : time(v);
  await db.run(
    `INSERT INTO Queues (id, queue_name, status, data, reference, created_date, start_date, end_date,
       message, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      e.queue_name,
      e.status,
      e.data ?? null,
      e.reference ?? null,
      time(e.created_date),
      t(e.start_date),
      t(e.end_date),
      e.message ?? null,
      e.created_by ?? null,
    ],
  );
  return id;
}

/** Inserts a queue trigger consuming `queue`. */
export async function insertQueueTrigger(
  db: Db,
  name: string,
  queue: string,
  status = "IDLE",
): Promise<string> {
  const id = newId(db.info);
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO Triggers (id, trigger_name, process_name, last_run, process_path, process_args,
         process_status, is_git_repo, is_blocking, type, scheduler_whitelist, priority)
       VALUES (?, ?, ?, NULL, ?, '', ?, ?, ?, 'QUEUE', '[]', 0)`,
      [id, name, `${name} process`, "C:\\Robots\\x", status, false, false],
    );
    await tx.run("INSERT INTO Queue_Triggers (id, queue_name, min_batch_size) VALUES (?, ?, 1)", [
      id,
      queue,
    ]);
  });
  return id;
}

/** Inserts a log row; returns its id. */
export async function insertLog(
  db: Db,
  row: Omit<LogRow, "id"> & { id?: string },
): Promise<string> {
  const id = row.id ?? newId(db.info);
  await db.run(
    "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
    [id, time(row.log_time), row.log_level, row.process_name, row.log_message],
  );
  return id;
}

/** Inserts a scheduled or single trigger with its next run. */
export async function insertTimedTrigger(
  db: Db,
  name: string,
  type: "SCHEDULED" | "SINGLE",
  status: string,
  nextRun: DbTime,
): Promise<void> {
  const id = newId(db.info);
  await db.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO Triggers (id, trigger_name, process_name, last_run, process_path, process_args,
         process_status, is_git_repo, is_blocking, type, scheduler_whitelist, priority)
       VALUES (?, ?, 'P', ?, 'C:\\Robots\\x', '', ?, ?, ?, ?, '[]', 0)`,
      [id, name, null, status, false, false, type],
    );
    if (type === "SCHEDULED") {
      await tx.run(
        "INSERT INTO Scheduled_Triggers (id, cron_expr, next_run) VALUES (?, '0 2 * * *', ?)",
        [
          id,
          time(nextRun),
        ],
      );
    } else {
      await tx.run("INSERT INTO Single_Triggers (id, next_run) VALUES (?, ?)", [id, time(nextRun)]);
    }
  });
}

/** The first page, newest first, with changes. */
export function paging(over: Partial<Paging> = {}): Paging {
  return { size: LOGS_LIST.size!, dir: "desc", after: null, before: null, ...over };
}
