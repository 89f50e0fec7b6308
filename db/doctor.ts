/**
 * The self-check an admin runs on the real server (`deno task doctor`, and on the Settings
 * page): is the database reachable, who are we logged in as, may we read, write and create
 * indexes, which revision and id format, which recommended indexes are missing, how readers
 * and robots lock each other, how far the clocks differ; then every page's reads once with a
 * one-row limit, and one write of each kind in a transaction that is rolled back.
 * @module
 */
import { parseLogFilter, parseQueueFilter } from "../lib/filters.ts";
import { escapeControls } from "../lib/log.ts";
import { formatDbTime, parseDbTime } from "../lib/time.ts";
import { listConstants } from "./constants.ts";
import { type Db, type Executor, time } from "./connection.ts";
import { listCredentials } from "./credentials.ts";
import { readDashboard } from "./dashboard.ts";
import { newId } from "./ids.ts";
import { listLogs, readLogSummaries } from "./logs.ts";
import { listElements, readQueueSummaries } from "./queues.ts";
import { listSchedulers, schedulerCounts } from "./schedulers.ts";
import { detect, missingIndexStatements, SHARED_TABLES } from "./schema.ts";
import { listTriggers, triggerChoices } from "./triggers.ts";

/** How a check came out. */
export type CheckStatus = "OK" | "WARN" | "FAIL";

/** One line of the report: what was checked, what was found, and what to do about it. */
export type Check = { check: string; status: CheckStatus; result: string; hint: string };

/** Clock differences beyond these show as WARN and FAIL. */
const SKEW_WARN_MS = 60_000;
const SKEW_FAIL_MS = 5 * 60_000;

function ok(check: string, result: string, hint = ""): Check {
  return { check, status: "OK", result, hint };
}

function message(error: unknown): string {
  return (error as Error).message.split("\n")[0];
}

async function login(db: Db): Promise<Check> {
  if (db.dialect.name === "sqlite") {
    return ok(
      "login",
      "an SQLite file: no login",
      "The file's permissions decide (see the writes).",
    );
  }
  const [row] = await db.query<{ login: string; db_user: string }>(
    "SELECT SUSER_SNAME() AS login, USER_NAME() AS db_user",
  );
  return ok(
    "login",
    `${row.login} (database user ${row.db_user})`,
    "Under IIS with integrated security this is the app pool identity.",
  );
}

async function permissions(db: Db): Promise<Check[]> {
  if (db.dialect.name === "sqlite") return [];
  const checks: Check[] = [];
  const missing: string[] = [];
  for (const table of SHARED_TABLES.filter((t) => t !== "alembic_version")) {
    for (const permission of ["SELECT", "INSERT", "UPDATE", "DELETE"]) {
      const [row] = await db.query<{ has: number | null }>(
        "SELECT HAS_PERMS_BY_NAME(?, 'OBJECT', ?) AS has",
        [`dbo.${table}`, permission],
      );
      if (Number(row.has) !== 1) missing.push(`${permission} on ${table}`);
    }
  }
  checks.push(
    missing.length
      ? {
        check: "permissions",
        status: "FAIL",
        result: `missing ${missing.join(", ")}`,
        hint: "Grant the login db_datareader and db_datawriter on this database.",
      }
      : ok("permissions", "read and write on every shared table"),
  );
  const [alter] = await db.query<{ has: number | null }>(
    "SELECT HAS_PERMS_BY_NAME('dbo.Logs', 'OBJECT', 'ALTER') AS has",
  );
  checks.push(
    Number(alter.has) === 1 ? ok("index permission", "may create indexes (ALTER on Logs)") : {
      check: "index permission",
      status: "WARN",
      result: "may not create indexes",
      hint: "Fine for running; the DBA runs the script of `deno task db:optimize` instead.",
    },
  );
  return checks;
}

function schema(db: Db): Check[] {
  const info = db.info;
  const checks: Check[] = [];
  if (info.missingTables.length) {
    checks.push({
      check: "schema",
      status: "FAIL",
      result: `missing tables: ${info.missingTables.join(", ")}`,
      hint: "Point OpenOrchestratorSQL at the OpenOrchestrator database (or run db:init).",
    });
  } else {
    checks.push({
      check: "schema",
      status: info.revision ? "OK" : "WARN",
      result: `revision ${info.revision ?? "unknown"}; git_branch ${
        info.gitBranch ? "yes" : "no"
      }, KILLING ${info.killing ? "yes" : "no"}, Jobs ${info.jobs ? "yes" : "no"}`,
      hint: info.revision ? "" : "No alembic_version row: features past 2.0 stay off.",
    });
  }
  checks.push(ok("id format", info.idFormat, "New rows get ids in this spelling."));
  return checks;
}

async function indexes(db: Db): Promise<Check> {
  const statements = await missingIndexStatements(db);
  return statements.length
    ? {
      check: "indexes",
      status: "WARN",
      result: `missing: ${statements.map((s) => s.split(" ")[2]).join(", ")}`,
      hint: "`deno task db:optimize` creates them (SQL Server: prints the script for the DBA).",
    }
    : ok("indexes", "every recommended index is present");
}

async function isolation(db: Db): Promise<Check> {
  if (db.dialect.name === "sqlite") {
    const [row] = await db.query<{ journal_mode: string }>("PRAGMA journal_mode");
    return row.journal_mode.toLowerCase() === "wal"
      ? ok("readers and writers", "WAL journal: readers never block the robots' writes")
      : {
        check: "readers and writers",
        status: "WARN",
        result: `journal mode ${row.journal_mode}: a read blocks writers`,
        hint: "Open the file writable once (the app sets WAL), or copy it with clonedb.",
      };
  }
  const [row] = await db.query<{ on: boolean | number }>(
    "SELECT is_read_committed_snapshot_on AS [on] FROM sys.databases WHERE name = DB_NAME()",
  );
  return Number(row.on) === 1
    ? ok("readers and writers", "READ_COMMITTED_SNAPSHOT is on: reads never block the robots")
    : {
      check: "readers and writers",
      status: "WARN",
      result: "READ_COMMITTED_SNAPSHOT is off: page reads and robot writes wait for each other",
      hint: "Ask the DBA about ALTER DATABASE … SET READ_COMMITTED_SNAPSHOT ON.",
    };
}

async function clock(db: Db): Promise<Check> {
  if (db.dialect.name === "sqlite") {
    return ok("clock", "an SQLite file has no clock of its own");
  }
  const [row] = await db.query<{ now: string }>("SELECT SYSDATETIME() AS now");
  const skew = parseDbTime(row.now).getTime() - Date.now();
  const seconds = Math.round(skew / 1000);
  const result = `the database server's clock is ${Math.abs(seconds)} s ${
    seconds < 0 ? "behind" : "ahead of"
  } this server`;
  const hint = "Times are naive local: a skew shows as overdue or missed runs. Sync both to NTP.";
  if (Math.abs(skew) > SKEW_FAIL_MS) return { check: "clock", status: "FAIL", result, hint };
  if (Math.abs(skew) > SKEW_WARN_MS) return { check: "clock", status: "WARN", result, hint };
  return ok("clock", result);
}

async function schedulerClocks(db: Db, now: Date): Promise<Check> {
  const [row] = await db.query<{ t: string | null }>(
    "SELECT MAX(last_update) AS t FROM Schedulers",
  );
  if (!row?.t) return ok("scheduler clocks", "no scheduler has pinged yet");
  const ahead = parseDbTime(String(row.t)).getTime() - now.getTime();
  return ahead > SKEW_WARN_MS
    ? {
      check: "scheduler clocks",
      status: "WARN",
      result: `a scheduler's last ping is ${Math.round(ahead / 1000)} s in the future`,
      hint: "A scheduler machine's clock is ahead of this server's: sync them to NTP.",
    }
    : ok("scheduler clocks", "no scheduler ping lies in the future");
}

/** Every page's reads, once each with a one-row limit. */
function pageReads(db: Db, now: Date): [string, () => Promise<unknown>][] {
  const one = { q: "", dir: "asc" as const, page: 1, size: 1 };
  const paging = { size: 1, dir: "desc" as const, after: null, before: null };
  const none = new URLSearchParams();
  return [
    ["Constants", () => listConstants(db, { ...one, sort: "name" })],
    ["Credentials", () => listCredentials(db, { ...one, sort: "name" })],
    [
      "Triggers",
      () =>
        listTriggers(db, {
          params: { ...one, sort: "trigger_name" },
          filters: { type: "", status: [] },
        }),
    ],
    ["trigger form", () => triggerChoices(db)],
    ["Schedulers", () => listSchedulers(db, { params: { ...one, sort: "machine_name" }, now })],
    ["scheduler counts", () => schedulerCounts(db, now)],
    ["Queues", () => readQueueSummaries(db, formatDbTime(now))],
    ["queue elements", async () => {
      const [queue] = await db.query<{ name: string }>(
        `SELECT queue_name AS name FROM Queues ORDER BY queue_name${db.dialect.page(1, 0)}`,
      );
      return listElements(db, {
        queue: queue?.name ?? "",
        filter: parseQueueFilter(none).value,
        paging,
      });
    }],
    ["Logs", () => listLogs(db, { process: null, filter: parseLogFilter(none).value, paging })],
    ["log counts", () => readLogSummaries(db, undefined, { now })],
    ["Dashboard", () => readDashboard(db, { now })],
  ];
}

/** A throw that rolls the test writes back. */
class RollBack extends Error {}

/** One write of each kind, rolled back: insert, update and delete, with an id like ours. */
async function writes(tx: Executor, db: Db): Promise<void> {
  const name = `oo-web-doctor-${crypto.randomUUID().slice(0, 8)}`;
  const at = time(formatDbTime(new Date()));
  await tx.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
    name,
    "x",
    at,
  ]);
  await tx.run("UPDATE Constants SET value = ? WHERE name = ?", ["y", name]);
  await tx.run("DELETE FROM Constants WHERE name = ?", [name]);
  await tx.run(
    "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
    [newId(db.info), at, "INFO", name, "self-check (rolled back)"],
  );
  const id = newId(db.info);
  await tx.run(
    "INSERT INTO Queues (id, queue_name, status, created_date) VALUES (?, ?, 'NEW', ?)",
    [id, name, at],
  );
  await tx.run("UPDATE Queues SET status = 'ABANDONED', end_date = ? WHERE id = ?", [at, id]);
  await tx.run("DELETE FROM Queues WHERE id = ?", [id]);
}

/** Runs every check against the open database; stops after the first when it cannot connect. */
export async function runDoctor(db: Db, now: Date = new Date()): Promise<Check[]> {
  const label = db.dialect.name === "sqlite" ? "SQLite" : "SQL Server";
  try {
    await detect(db);
  } catch (error) {
    return [{
      check: "reachable",
      status: "FAIL",
      result: message(error),
      hint: "Check OpenOrchestratorSQL, the network and the login; then run this again.",
    }];
  }
  const checks = [ok("reachable", `${label}: ${db.info.name}`)];
  const guarded = async (check: string, fn: () => Promise<Check | Check[]>) => {
    try {
      checks.push(...[await fn()].flat());
    } catch (error) {
      checks.push({ check, status: "FAIL", result: message(error), hint: "" });
    }
  };
  await guarded("login", () => login(db));
  await guarded("permissions", () => permissions(db));
  checks.push(...schema(db));
  if (db.info.missingTables.length) return checks;
  await guarded("indexes", () => indexes(db));
  await guarded("readers and writers", () => isolation(db));
  await guarded("clock", () => clock(db));
  await guarded("scheduler clocks", () => schedulerClocks(db, now));
  for (const [page, read] of pageReads(db, now)) {
    await guarded(`read: ${page}`, async () => (await read(), ok(`read: ${page}`, "answers")));
  }
  await guarded("writes", async () => {
    try {
      await db.transaction(async (tx) => {
        await writes(tx, db);
        throw new RollBack();
      });
    } catch (error) {
      if (!(error instanceof RollBack)) throw error;
    }
    return ok("writes", "insert, update and delete on Constants, Logs, Queues (rolled back)");
  });
  return checks;
}

/** True when any check failed (the command exits non-zero). */
export function anyFailed(checks: Check[]): boolean {
  return checks.some((c) => c.status === "FAIL");
}

/** The report as a plain-text table: status, check, result, and the hint below when there is one. */
export function formatChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.check.length));
  return checks.map((c) =>
    `${c.status.padEnd(4)}  ${c.check.padEnd(width)}  ${escapeControls(c.result)}` +
    (c.hint ? `\n${" ".repeat(width + 8)}${c.hint}` : "")
  ).join("\n");
}
