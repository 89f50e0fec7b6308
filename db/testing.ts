/**
 * Test fixtures: real SQLite files in a temp folder, empty, seeded with the demo data, or copied
 * from the databases the real Python OpenOrchestrator wrote (`testdata/`, copies of the shared test
 * data); the contract suite over every engine; raw rows written the way the Python side writes
 * them (on any engine); a first page to read with.
 * @module
 */
import assert from "node:assert/strict";
import type { Paging } from "../lib/list.ts";
import type { DbTime } from "../lib/time.ts";
import { type Db, type Executor, type Param, time } from "./connection.ts";
import { newId } from "./ids.ts";
import { type LogRow, LOGS_LIST } from "./logs.ts";
import type { QueueElement } from "./queues.ts";
import { recordingDb } from "./recording.ts";
import { checkTsql, type RecordedStatement } from "./tsql_check.ts";
import { seedDemo } from "./demo.ts";
import { openDatabase } from "./open.ts";
import { initSchema, SHARED_TABLES } from "./schema.ts";
import { parseConnectionString } from "../lib/config.ts";
import { DEMO_KEY } from "../lib/config.ts";
import type { TriggerInput } from "../lib/trigger_input.ts";
import type { TriggerType } from "../lib/trigger_status.ts";

/** The databases written by the Python OpenOrchestrator, by name. */
export const PYTHON_DATABASES = {
  develop: new URL("../testdata/openorchestrator-develop.db", import.meta.url),
  "2.0": new URL("../testdata/openorchestrator-2.0.db", import.meta.url),
} as const;

/** The Fernet key of the Python-written databases. */
export const PYTHON_KEY = "qn1eYnCNdbqYdXEY6u0tS1s3rkCsJfFS8k5XbzPYqK8=";

/** An open test database and its file; `close()` removes the folder. */
export type TempDb = { db: Db; path: string; close(): Promise<void> };

/**
 * Opens a fresh SQLite file: a copy of a Python-written database, or a new one with the schema
 * (and the demo data when `seed` is set); with `readers`, its reads are answered on that many
 * reader Workers, as the server's are.
 */
export async function tempDatabase(
  options: {
    from?: keyof typeof PYTHON_DATABASES;
    seed?: boolean;
    empty?: boolean;
    readers?: number;
  } = {},
): Promise<TempDb> {
  const dir = await Deno.makeTempDir({ prefix: "oo-test-" });
  const path = `${dir}/test.db`;
  if (options.from) await Deno.copyFile(PYTHON_DATABASES[options.from], path);
  const db = await openDatabase(
    { kind: "sqlite", path, embedded: false },
    { create: true, readers: options.readers },
  );
  if (!options.from && !options.empty) await initSchema(db);
  if (options.seed) await seedDemo(db, DEMO_KEY);
  return {
    db,
    path,
    async close() {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const mssqlUrl = Deno.env.get("OO_TEST_MSSQL");

if (!mssqlUrl) {
  console.log(
    "contract tests: SQL Server skipped (set OO_TEST_MSSQL to a connection string to run them)",
  );
}

/** An open engine for one contract test; `check()` fails the test on what it found wrong. */
type Opened = { db: Db; close(): Promise<void>; check?(): void };

/**
 * An SQLite file driven through the SQL Server dialect: every statement is recorded as SQL
 * Server would get it, and checked as T-SQL when the test ends.
 */
async function tsqlRecorded(): Promise<Opened> {
  const temp = await tempDatabase({ empty: true });
  const log: RecordedStatement[] = [];
  const db = recordingDb(temp.db, log);
  await initSchema(db);
  return {
    db,
    close: () => temp.close(),
    check() {
      const problems = log.flatMap((statement) =>
        checkTsql(statement).map((problem) => `${problem}\n    in: ${statement.text}`)
      );
      assert.deepEqual(problems, [], `T-SQL problems:\n${problems.join("\n")}`);
    },
  };
}

/**
 * The engines the contract suite runs on: SQLite; SQLite through the recorded SQL Server
 * dialect (every statement checked as T-SQL); SQL Server only when `OO_TEST_MSSQL` is set.
 */
const ENGINES: { name: string; open(): Promise<Opened> }[] = [
  { name: "sqlite", open: () => tempDatabase() },
  { name: "tsql", open: tsqlRecorded },
  {
    name: "mssql",
    async open() {
      // A database the suite may fill: tables are created once and emptied per test, so it
      // must be one made for tests (its name contains "test"), never a real installation.
      const target = parseConnectionString(mssqlUrl!);
      if (target.kind !== "mssql" || !/test/i.test(target.database)) {
        throw new Error(
          "Cannot run the contract tests: OO_TEST_MSSQL must name a SQL Server database whose " +
            "name contains 'test' (the suite deletes every row in it)",
        );
      }
      const db = await openDatabase(target);
      if (db.info.missingTables.length) await initSchema(db);
      for (
        const table of SHARED_TABLES.filter((t) => t !== "alembic_version" && t !== "Triggers")
      ) {
        await db.run(`DELETE FROM ${table}`);
      }
      await db.run("DELETE FROM Triggers");
      return { db, close: () => db.close() };
    },
  },
];

/**
 * Declares one contract test per engine: `fn` gets a fresh database with the schema (SQLite: a
 * temp file, also driven through the recorded SQL Server dialect; SQL Server: the
 * `OO_TEST_MSSQL` database, emptied). Ignored where not configured.
 */
export function contractTest(name: string, fn: (db: Db) => Promise<void>): void {
  for (const engine of ENGINES) {
    Deno.test({
      name: `[${engine.name}] ${name}`,
      ignore: engine.name === "mssql" && !mssqlUrl,
      async fn() {
        const opened = await engine.open();
        try {
          await fn(opened.db);
          opened.check?.();
        } finally {
          await opened.close();
        }
      },
    });
  }
}

/**
 * Another process that holds an exclusive lock on an SQLite file (having written a row, as a
 * robot's long write does) until `release()`, which rolls it back.
 */
export async function holdWriteLock(path: string): Promise<{ release(): Promise<void> }> {
  const script = `
    import { DatabaseSync } from "node:sqlite";
    const db = new DatabaseSync(${JSON.stringify(path)});
    db.exec("BEGIN EXCLUSIVE");
    db.exec("INSERT INTO Constants (name, value, changed_at) VALUES ('locker', 'x', '2026-01-01 00:00:00.000000')");
    console.log("locked");
    for await (const _ of Deno.stdin.readable) break;
    db.exec("ROLLBACK");
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /locked/);
  return {
    async release() {
      await child.stdin.close();
      reader.releaseLock();
      await child.stdout.cancel();
      await child.status;
    },
  };
}

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

/** Inserts the `Triggers` row of a trigger (its type's own row is the caller's). */
async function insertTriggerRow(
  tx: Executor,
  row: { id: string; name: string; process: string; type: string; status: string },
): Promise<void> {
  await tx.run(
    `INSERT INTO Triggers (id, trigger_name, process_name, last_run, process_path, process_args,
       process_status, is_git_repo, is_blocking, type, scheduler_whitelist, priority)
     VALUES (?, ?, ?, NULL, ?, '', ?, ?, ?, ?, '[]', 0)`,
    [row.id, row.name, row.process, "C:\\Robots\\x", row.status, false, false, row.type],
  );
}

/** Inserts a queue trigger consuming `queue`. */
export async function insertQueueTrigger(
  db: Db,
  { name, queue, status = "IDLE" }: { name: string; queue: string; status?: string },
): Promise<string> {
  const id = newId(db.info);
  await db.transaction(async (tx) => {
    await insertTriggerRow(tx, { id, name, process: `${name} process`, type: "QUEUE", status });
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

/**
 * Inserts `n` INFO rows of a process on SQLite, a second apart: row i (1 to n), logged i seconds
 * before 2026-11-20 08:00, says `row i`; the rows in `needles` say `a needle row i`.
 */
export async function insertManyLogs(
  db: Db,
  { process, n, needles = [] }: { process: string; n: number; needles?: number[] },
): Promise<void> {
  await db.run(
    `INSERT INTO Logs (id, log_time, log_level, process_name, log_message)
     WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?)
     SELECT lower(hex(randomblob(16))),
            strftime('%Y-%m-%d %H:%M:%f', '2026-11-20 08:00:00', '-' || i || ' seconds') || '000',
            'INFO', ?, 'row ' || i FROM k`,
    [n, process],
  );
  if (needles.length === 0) return;
  await db.run(
    `UPDATE Logs SET log_message = 'a needle ' || log_message
      WHERE process_name = ? AND log_message IN (${needles.map(() => "?").join(", ")})`,
    [process, ...needles.map((i) => `row ${i}`)],
  );
}

/** Inserts a scheduled or single trigger with its next run. */
export async function insertTimedTrigger(
  db: Db,
  { name, type, status, nextRun }: {
    name: string;
    type: "SCHEDULED" | "SINGLE";
    status: string;
    nextRun: DbTime;
  },
): Promise<void> {
  const id = newId(db.info);
  await db.transaction(async (tx) => {
    await insertTriggerRow(tx, { id, name, process: "P", type, status });
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

/** A trigger's input as the form would give it, of `type`, with `over` changed. */
export function triggerInput(type: TriggerType, over: Partial<TriggerInput> = {}): TriggerInput {
  return {
    type,
    trigger_name: `${type} trigger`,
    process_name: "Invoices",
    process_path: "C:\\Robots\\invoices",
    process_args: "",
    is_git_repo: false,
    git_branch: null,
    is_blocking: true,
    priority: 0,
    scheduler_whitelist: "[]",
    cron_expr: type === "SCHEDULED" ? "0 7 * * MON-FRI" : null,
    next_run: type === "QUEUE" ? null : "2030-01-07 07:00:00.000000",
    queue_name: type === "QUEUE" ? "Invoices.Intake" : null,
    min_batch_size: type === "QUEUE" ? 5 : null,
    ...over,
  };
}

/**
 * `db` (an executor or a whole database) keeping every read it is asked, to look at their SQL and
 * plans.
 */
export function keepingReads<D extends Executor>(
  db: D,
): { executor: D; reads: { sql: string; params: Param[] }[] } {
  const reads: { sql: string; params: Param[] }[] = [];
  const executor: D = {
    ...db,
    query<T>(sql: string, params: Param[] = []) {
      reads.push({ sql, params });
      return db.query<T>(sql, params);
    },
  };
  return { executor, reads };
}
