/**
 * The shared OpenOrchestrator schema: detection of what a database is and can do, creation of
 * an empty one (revision `9698388a0709`, as the Python migrations make it), and the indexes we
 * recommend for the log and queue views.
 * @module
 */
import type { Db, DbInfo, Executor, IdFormat } from "./connection.ts";

/** The revision we create: the line after 2.0, with `git_branch` and `KILLING`. */
export const CURRENT_REVISION = "9698388a0709";

/** The tables of the shared schema. */
export const SHARED_TABLES = [
  "Constants",
  "Credentials",
  "Logs",
  "Queues",
  "Triggers",
  "Single_Triggers",
  "Scheduled_Triggers",
  "Queue_Triggers",
  "Schedulers",
  "alembic_version",
] as const;

/** The DDL the Python migrations produce on SQLite, table by table. */
export const SQLITE_TABLES: Record<string, string> = {
  alembic_version: `CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`,
  Constants: `CREATE TABLE "Constants" (
	name VARCHAR(100) NOT NULL, value VARCHAR(1000) NOT NULL, changed_at DATETIME NOT NULL,
	PRIMARY KEY (name))`,
  Credentials: `CREATE TABLE "Credentials" (
	name VARCHAR(100) NOT NULL, username VARCHAR(250) NOT NULL, password VARCHAR(1000) NOT NULL,
	changed_at DATETIME NOT NULL, PRIMARY KEY (name))`,
  Logs: `CREATE TABLE "Logs" (
	id CHAR(32) NOT NULL, log_time DATETIME NOT NULL, log_level VARCHAR(5) NOT NULL,
	process_name VARCHAR(100) NOT NULL, log_message VARCHAR(8000) NOT NULL, PRIMARY KEY (id))`,
  Queues: `CREATE TABLE "Queues" (
	id CHAR(32) NOT NULL, queue_name VARCHAR(100) NOT NULL, status VARCHAR(11) NOT NULL,
	data VARCHAR(2000), reference VARCHAR(100), created_date DATETIME NOT NULL, start_date DATETIME,
	end_date DATETIME, message VARCHAR(1000), created_by VARCHAR(100), PRIMARY KEY (id))`,
  Triggers: `CREATE TABLE "Triggers" (
	id CHAR(32) NOT NULL, trigger_name VARCHAR(100) NOT NULL, process_name VARCHAR(100) NOT NULL,
	last_run DATETIME, process_path VARCHAR(250) NOT NULL, process_args VARCHAR(1000),
	process_status VARCHAR(7) NOT NULL, is_git_repo BOOLEAN NOT NULL, is_blocking BOOLEAN NOT NULL,
	type VARCHAR(9) NOT NULL, scheduler_whitelist VARCHAR(250), priority INTEGER DEFAULT 0 NOT NULL,
	git_branch VARCHAR(100), PRIMARY KEY (id))`,
  Single_Triggers: `CREATE TABLE "Single_Triggers" (
	id CHAR(32) NOT NULL, next_run DATETIME NOT NULL, PRIMARY KEY (id),
	FOREIGN KEY(id) REFERENCES "Triggers" (id))`,
  Scheduled_Triggers: `CREATE TABLE "Scheduled_Triggers" (
	id CHAR(32) NOT NULL, cron_expr VARCHAR(200) NOT NULL, next_run DATETIME NOT NULL,
	PRIMARY KEY (id), FOREIGN KEY(id) REFERENCES "Triggers" (id))`,
  Queue_Triggers: `CREATE TABLE "Queue_Triggers" (
	id CHAR(32) NOT NULL, queue_name VARCHAR(200) NOT NULL, min_batch_size INTEGER NOT NULL,
	PRIMARY KEY (id), FOREIGN KEY(id) REFERENCES "Triggers" (id))`,
  Schedulers: `CREATE TABLE "Schedulers" (
	machine_name VARCHAR(100) NOT NULL, last_update DATETIME NOT NULL,
	latest_trigger VARCHAR(100), latest_trigger_time DATETIME, PRIMARY KEY (machine_name))`,
};

/** The same tables on SQL Server. */
const MSSQL_TABLES: Record<string, string> = {
  alembic_version: `CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL CONSTRAINT alembic_version_pkc PRIMARY KEY)`,
  Constants: `CREATE TABLE Constants (name VARCHAR(100) NOT NULL PRIMARY KEY,
	value VARCHAR(1000) NOT NULL, changed_at DATETIME NOT NULL)`,
  Credentials: `CREATE TABLE Credentials (name VARCHAR(100) NOT NULL PRIMARY KEY,
	username VARCHAR(250) NOT NULL, password VARCHAR(1000) NOT NULL, changed_at DATETIME NOT NULL)`,
  Logs: `CREATE TABLE Logs (id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY, log_time DATETIME NOT NULL,
	log_level VARCHAR(5) NOT NULL, process_name VARCHAR(100) NOT NULL,
	log_message VARCHAR(8000) NOT NULL)`,
  Queues: `CREATE TABLE Queues (id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY,
	queue_name VARCHAR(100) NOT NULL, status VARCHAR(11) NOT NULL, data VARCHAR(2000),
	reference VARCHAR(100), created_date DATETIME NOT NULL, start_date DATETIME, end_date DATETIME,
	message VARCHAR(1000), created_by VARCHAR(100))`,
  Triggers: `CREATE TABLE Triggers (id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY,
	trigger_name VARCHAR(100) NOT NULL, process_name VARCHAR(100) NOT NULL, last_run DATETIME,
	process_path VARCHAR(250) NOT NULL, process_args VARCHAR(1000), process_status VARCHAR(7) NOT NULL,
	is_git_repo BIT NOT NULL, is_blocking BIT NOT NULL, type VARCHAR(9) NOT NULL,
	scheduler_whitelist VARCHAR(250), priority INTEGER NOT NULL DEFAULT 0, git_branch VARCHAR(100))`,
  Single_Triggers: `CREATE TABLE Single_Triggers (
	id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY REFERENCES Triggers (id), next_run DATETIME NOT NULL)`,
  Scheduled_Triggers: `CREATE TABLE Scheduled_Triggers (
	id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY REFERENCES Triggers (id),
	cron_expr VARCHAR(200) NOT NULL, next_run DATETIME NOT NULL)`,
  Queue_Triggers: `CREATE TABLE Queue_Triggers (
	id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY REFERENCES Triggers (id),
	queue_name VARCHAR(200) NOT NULL, min_batch_size INTEGER NOT NULL)`,
  Schedulers: `CREATE TABLE Schedulers (machine_name VARCHAR(100) NOT NULL PRIMARY KEY,
	last_update DATETIME NOT NULL, latest_trigger VARCHAR(100), latest_trigger_time DATETIME)`,
};

/** The indexes the Python migrations create. */
export const BASE_INDEXES: [string, string, string][] = [
  ["ix_Queues_created_date", "Queues", "created_date"],
  ["ix_Queues_queue_name", "Queues", "queue_name"],
];

/** The indexes we recommend for the log and queue views (docs/design.md#indexes). */
export const RECOMMENDED_INDEXES: [string, string, string][] = [
  ["ix_oo_web_Logs_process_time", "Logs", "process_name, log_time"],
  ["ix_oo_web_Logs_level_time", "Logs", "log_level, log_time"],
  ["ix_oo_web_Logs_time", "Logs", "log_time"],
  // The poller's full count per process and level reads only this index, in group order.
  ["ix_oo_web_Logs_process_level_time", "Logs", "process_name, log_level, log_time"],
  ["ix_oo_web_Queues_name_status_created", "Queues", "queue_name, status, created_date"],
  ["ix_oo_web_Queues_status_end", "Queues", "status, end_date"],
  // A queue's performance per day: what ended in a day range, and how long it took, per status.
  ["ix_oo_web_Queues_name_status_end", "Queues", "queue_name, status, end_date, start_date"],
  // The search's reference prefix (`reference LIKE 'ab%'`): SQLite takes an index range for LIKE
  // only on a NOCASE index (LIKE ignores ASCII case there, as SQL Server's usual collation does).
  ["ix_oo_web_Queues_reference", "Queues", "reference COLLATE NOCASE"],
];

/**
 * On SQL Server the poller's incremental log counts (new rows per process and level since its
 * last round) are answered from one covering index on `log_time` instead of lookups in `Logs`;
 * the reference index takes the column's own collation (case-insensitive as usually installed).
 */
const MSSQL_RECOMMENDED_INDEXES: [string, string, string, string?][] = [
  ...RECOMMENDED_INDEXES.filter(([name]) => name !== "ix_oo_web_Logs_time")
    .map((
      [name, table, columns],
    ): [string, string, string] => [name, table, columns.replace(" COLLATE NOCASE", "")]),
  ["ix_oo_web_Logs_time_covering", "Logs", "log_time", "process_name, log_level"],
];

/** The recommended indexes for an engine. */
function recommendedIndexes(db: Executor): [string, string, string, string?][] {
  return db.dialect.name === "mssql" ? MSSQL_RECOMMENDED_INDEXES : RECOMMENDED_INDEXES;
}

async function tableNames(db: Executor): Promise<Set<string>> {
  const rows = db.dialect.name === "sqlite"
    ? await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    : await db.query<{ name: string }>(
      "SELECT TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES " +
        "WHERE TABLE_SCHEMA = 'dbo' AND TABLE_TYPE = 'BASE TABLE'",
    );
  return new Set(rows.map((r) => r.name.toLowerCase()));
}

async function columnNames(db: Executor, table: string): Promise<Map<string, string>> {
  const rows = db.dialect.name === "sqlite"
    ? await db.query<{ name: string; type: string }>(
      "SELECT name, type FROM pragma_table_info(?)",
      [table],
    )
    : await db.query<{ name: string; type: string }>(
      "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM INFORMATION_SCHEMA.COLUMNS " +
        "WHERE TABLE_SCHEMA = 'dbo' AND TABLE_NAME = ?",
      [table],
    );
  return new Map(rows.map((r) => [r.name.toLowerCase(), r.type.toLowerCase()]));
}

/** Tells the id format from one stored id. */
function idFormatOf(id: string): IdFormat {
  if (!id.includes("-")) return "hex";
  return id === id.toUpperCase() ? "dashed-upper" : "dashed-lower";
}

async function detectIdFormat(db: Executor, tables: Set<string>): Promise<IdFormat> {
  if (db.dialect.name === "mssql") return "guid";
  for (const table of ["Triggers", "Queues", "Logs"]) {
    if (!tables.has(table.toLowerCase())) continue;
    const [row] = await db.query<{ id: string }>(`SELECT id FROM "${table}" LIMIT 1`);
    if (row) return idFormatOf(String(row.id));
  }
  const logColumns = tables.has("logs") ? await columnNames(db, "Logs") : new Map();
  const declared = logColumns.get("id") ?? "char(32)";
  return declared.includes("32") ? "hex" : "dashed-upper";
}

/** Finds what the connected database is and can do, and stores it in `db.info`. */
export async function detect(db: Db): Promise<DbInfo> {
  const tables = await tableNames(db);
  const missingTables = SHARED_TABLES.filter((t) => !tables.has(t.toLowerCase()));
  const revision = tables.has("alembic_version")
    ? (await db.query<{ version_num: string }>("SELECT version_num FROM alembic_version"))[0]
      ?.version_num ?? null
    : null;
  const triggerColumns = tables.has("triggers") ? await columnNames(db, "Triggers") : new Map();
  const gitBranch = triggerColumns.has("git_branch");
  const jobs = tables.has("jobs");
  const target = db.target;
  db.info = {
    name: target.kind === "sqlite" ? target.path.split(/[\\/]/).pop()! : target.database,
    revision,
    missingTables,
    gitBranch,
    // Only where the schema is known to be past 2.0.x: an unknown or older revision gets no
    // KILLING, because the Python side of 2.0.x fails to load such a trigger.
    killing: gitBranch || jobs || revision === CURRENT_REVISION,
    jobs,
    idFormat: await detectIdFormat(db, tables),
  };
  return db.info;
}

/** True when the database has none of the shared tables (safe to initialize). */
export function isEmpty(info: DbInfo): boolean {
  return info.missingTables.length === SHARED_TABLES.length;
}

/**
 * Creates the missing shared tables at revision `9698388a0709` with their indexes and ours,
 * in one transaction, and stamps `alembic_version`. Existing tables are never altered.
 */
export async function initSchema(db: Db): Promise<DbInfo> {
  const tables = await tableNames(db);
  const ddl = db.dialect.name === "sqlite" ? SQLITE_TABLES : MSSQL_TABLES;
  await db.transaction(async (tx) => {
    for (const name of SHARED_TABLES) {
      if (!tables.has(name.toLowerCase())) await tx.run(ddl[name]);
    }
    if (!tables.has("alembic_version")) {
      await tx.run("INSERT INTO alembic_version (version_num) VALUES (?)", [CURRENT_REVISION]);
    }
    if (!tables.has("queues")) {
      for (const [name, table, columns] of BASE_INDEXES) {
        await tx.run(`CREATE INDEX ${name} ON ${table} (${columns})`);
      }
    }
  });
  await createRecommendedIndexes(db);
  return await detect(db);
}

/** The statements that create the recommended indexes that are missing (for a DBA script). */
export async function missingIndexStatements(db: Executor): Promise<string[]> {
  const existing = db.dialect.name === "sqlite"
    ? await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index'")
    : await db.query<{ name: string }>(
      "SELECT name FROM sys.indexes WHERE name IS NOT NULL AND object_id IN " +
        "(OBJECT_ID('dbo.Logs'), OBJECT_ID('dbo.Queues'))",
    );
  const names = new Set(existing.map((r) => r.name.toLowerCase()));
  return recommendedIndexes(db).filter(([name]) => !names.has(name.toLowerCase()))
    .map(([name, table, columns, include]) =>
      `CREATE INDEX ${name} ON ${table} (${columns})${include ? ` INCLUDE (${include})` : ""}`
    );
}

/** Creates the recommended indexes that are missing; returns the statements it ran. */
async function createRecommendedIndexes(db: Executor): Promise<string[]> {
  const statements = await missingIndexStatements(db);
  for (const statement of statements) await db.run(statement);
  return statements;
}
