/**
 * `deno task clonedb`: copies the database named by `OpenOrchestratorSQL` (SQL Server or SQLite)
 * into a SQLite file in the canonical format the Python OpenOrchestrator writes for the source's
 * revision: the DDL of {@linkcode SQLITE_TABLES} (less the columns the revision lacks, e.g.
 * `git_branch` at 2.0.x), ids as 32 lowercase hex digits, times as `YYYY-MM-DD HH:MM:SS.ffffff`,
 * booleans 0/1, the base and recommended indexes, and `alembic_version` with the source's revision.
 * Both this app and the Python side can use the copy.
 *
 * The source is only read. Rows are streamed by key in batches into `<out>.partial`, which is
 * renamed at the end, so a failure or Ctrl-C leaves no half-written file. The copy ends by
 * comparing row counts per table. Logs and Queues are copied up to their newest row at the start
 * (`log_time` / `created_date`), so rows the robots add during the copy do not upset the counts.
 *
 * Usage: `deno task clonedb [--out FILE] [--force] [--tables Logs,Queues] [--logs-since 30d]
 * [--batch-size 5000]`
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { parseArgs } from "node:util";
import { type Db, type Param, time } from "../db/connection.ts";
import { openDatabase } from "../db/open.ts";
import {
  BASE_INDEXES,
  detect,
  RECOMMENDED_INDEXES,
  SHARED_TABLES,
  SQLITE_TABLES,
} from "../db/schema.ts";
import { parseConnectionString } from "../lib/config.ts";
import { formatDbTime, normalizeDbTime } from "../lib/time.ts";

/** The default output file. */
const DEFAULT_OUT = "openorchestrator_test.db";

/** The default number of rows read and written per batch. */
const DEFAULT_BATCH = 5000;

/** The trigger tables, copied together (the sub-tables' ids reference `Triggers`). */
const TRIGGER_GROUP = ["Triggers", "Single_Triggers", "Scheduled_Triggers", "Queue_Triggers"];

/** A failure with a message fit to print as it is (one line, no stack). */
export class CloneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CloneError";
  }
}

/** Where progress lines and notes go (stderr in the CLI). */
export type ProgressSink = {
  write(text: string): void;
  /** True on a terminal: the bar is redrawn in place. */
  isTerminal: boolean;
  /** The terminal's width, when known: a redrawn line must not wrap. */
  columns?: number;
};

/** What to copy and where. */
export type CloneOptions = {
  /** The SQLite file to write. */
  out: string;
  /** Replace `out` when it exists. */
  force?: boolean;
  /** Only these tables (any case); the trigger tables always come together. */
  tables?: string[];
  /** Only logs at or after this stored time. */
  logsSince?: string | null;
  /** Rows per batch. */
  batchSize?: number;
  /** Progress and notes (default: nothing). */
  progress?: ProgressSink;
  /** Seconds between two progress lines when the sink is not a terminal. */
  progressEvery?: number;
  /** Stops the copy between two batches. */
  signal?: AbortSignal;
};

/** Rows of one table in the source (same filters) and in the copy. */
export type TableCount = { table: string; source: number; copy: number };

/** What a clone did. */
export type CloneResult = {
  revision: string;
  counts: TableCount[];
  /** The tables whose counts differ. */
  mismatches: TableCount[];
  rows: number;
  seconds: number;
  /** Things the user should know (skipped tables, values copied as they were, …). */
  notes: string[];
};

type Kind = "id" | "time" | "bool" | "other";

/** A source column and how it lands in the copy. */
type Column = { name: string; type: string; notNull: boolean; pk: number };

type SourceTable = { name: string; columns: Column[] };

type Plan = {
  /** The name in the copy (canonical case for shared tables). */
  table: string;
  /** The qualified, quoted name in the source. */
  from: string;
  key: string;
  columns: { source: string; kind: Kind }[];
  where: string[];
  params: Param[];
};

// ---------------------------------------------------------------------------------------------
// Conversions

const HEX32 = /^[0-9a-f]{32}$/;
const CANONICAL_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;

/** Spells a UUID (any case, dashed or not, braces or not) as 32 lowercase hex digits. */
export function hexId(value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (HEX32.test(value)) return value;
  const hex = value.trim().replace(/^\{|\}$/g, "").replaceAll("-", "").toLowerCase();
  return HEX32.test(hex) ? hex : value;
}

function toBool(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "bigint") return Number(value) ? 1 : 0;
  if (typeof value === "string") {
    if (/^(1|true|t|yes|y)$/i.test(value.trim())) return 1;
    if (/^(0|false|f|no|n)$/i.test(value.trim())) return 0;
  }
  return value;
}

function kindOf(type: string): Kind {
  const t = type.toUpperCase().replace(/\s+/g, "");
  if (t === "CHAR(32)") return "id";
  if (t === "DATETIME" || t === "TIMESTAMP") return "time";
  if (t === "BOOLEAN") return "bool";
  return "other";
}

/** The SQLite type (SQLAlchemy's spelling) for a column of an extra table or extra column. */
function sqliteType(
  engine: "sqlite" | "mssql",
  { type, length = null }: { type: string; length?: number | null },
): string {
  const t = type.trim().toLowerCase();
  if (engine === "sqlite") {
    return /^(uniqueidentifier|uuid|guid|char\(36\)|varchar\(36\))$/.test(t)
      ? "CHAR(32)"
      : type.trim().toUpperCase();
  }
  if (t === "uniqueidentifier") return "CHAR(32)";
  if (/^(datetime|datetime2|smalldatetime|date|datetimeoffset)$/.test(t)) return "DATETIME";
  if (t === "bit") return "BOOLEAN";
  if (/^n?(var)?char$/.test(t)) {
    return length === null || length < 0 ? "TEXT" : `VARCHAR(${length})`;
  }
  if (/^n?text$/.test(t)) return "TEXT";
  if (/^(tiny|small|big)?int$/.test(t)) return "INTEGER";
  if (t === "float" || t === "real") return "FLOAT";
  if (t === "decimal" || t === "numeric" || t === "money") return "NUMERIC";
  if (/binary|image/.test(t)) return "BLOB";
  return t.toUpperCase();
}

/**
 * Drops from a `CREATE TABLE` statement the column definitions `keep` refuses (the columns the
 * source's revision does not have). Returns the statement unchanged when nothing is dropped.
 */
export function withoutColumns(ddl: string, keep: (column: string) => boolean): string {
  const open = ddl.indexOf("(");
  const close = ddl.lastIndexOf(")");
  const body = ddl.slice(open + 1, close);
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "(") depth++;
    else if (body[i] === ")") depth--;
    else if (body[i] === "," && depth === 0) {
      pieces.push(body.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(body.slice(start));
  const kept = pieces.filter((piece) => {
    const word = piece.trim().split(/\s+/)[0].replace(/^"|"$/g, "");
    if (/^(PRIMARY|FOREIGN|CONSTRAINT|UNIQUE|CHECK)$/i.test(word)) return true;
    return keep(word);
  });
  if (kept.length === pieces.length) return ddl;
  return `${ddl.slice(0, open + 1)}${kept.join(",")}${ddl.slice(close)}`;
}

// ---------------------------------------------------------------------------------------------
// Reading the source

function quoter(db: Db): (name: string) => string {
  return db.dialect.name === "mssql"
    ? (name) => `[${name.replaceAll("]", "]]")}]`
    : (name) => `"${name.replaceAll('"', '""')}"`;
}

async function sourceTables(db: Db): Promise<{ schema: string | null; names: string[] }> {
  if (db.dialect.name === "sqlite") {
    const rows = await db.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'",
    );
    return { schema: null, names: rows.map((r) => r.name) };
  }
  const rows = await db.query<{ schema_name: string; name: string }>(
    "SELECT TABLE_SCHEMA AS schema_name, TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES " +
      "WHERE TABLE_TYPE = 'BASE TABLE'",
  );
  const holders = rows.filter((r) => r.name.toLowerCase() === "logs").map((r) => r.schema_name);
  const schema = holders.includes("dbo") ? "dbo" : holders[0] ?? "dbo";
  return {
    schema,
    names: rows.filter((r) => r.schema_name === schema && r.name !== "sysdiagrams").map((r) =>
      r.name
    ),
  };
}

async function sourceColumns(
  db: Db,
  { schema, table }: { schema: string | null; table: string },
): Promise<Column[]> {
  if (db.dialect.name === "sqlite") {
    const rows = await db.query<{ name: string; type: string; not_null: number; pk: number }>(
      'SELECT name, type, "notnull" AS not_null, pk FROM pragma_table_info(?)',
      [table],
    );
    return rows.map((r) => ({
      name: r.name,
      type: sqliteType("sqlite", { type: r.type }),
      notNull: r.not_null === 1,
      pk: r.pk,
    }));
  }
  const rows = await db.query<
    { name: string; type: string; length: number | null; not_null: number; pk: number }
  >(
    `SELECT c.COLUMN_NAME AS name, c.DATA_TYPE AS type, c.CHARACTER_MAXIMUM_LENGTH AS length,
      CASE WHEN c.IS_NULLABLE = 'NO' THEN 1 ELSE 0 END AS not_null,
      COALESCE((SELECT MIN(k.ORDINAL_POSITION) FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
        JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS t ON t.CONSTRAINT_NAME = k.CONSTRAINT_NAME
          AND t.TABLE_SCHEMA = k.TABLE_SCHEMA
        WHERE t.CONSTRAINT_TYPE = 'PRIMARY KEY' AND k.TABLE_SCHEMA = c.TABLE_SCHEMA
          AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME), 0) AS pk
    FROM INFORMATION_SCHEMA.COLUMNS c
    WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION`,
    [schema, table],
  );
  return rows.map((r) => ({
    name: r.name,
    type: sqliteType("mssql", { type: r.type, length: r.length }),
    notNull: r.not_null === 1,
    pk: r.pk,
  }));
}

async function countRows(db: Db, plan: Plan): Promise<number> {
  const where = plan.where.length ? ` WHERE ${plan.where.join(" AND ")}` : "";
  const [row] = await db.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM ${plan.from}${where}`,
    plan.params,
  );
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------
// Progress

function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** A per-table progress bar: redrawn in place on a terminal, a line every few seconds elsewhere. */
class Progress {
  #started = 0;
  #shown = 0;
  #table = "";
  #total = 0;

  constructor(private sink: ProgressSink | undefined, private everySeconds: number) {}

  start(table: string, total: number): void {
    this.#table = table;
    this.#total = total;
    this.#started = performance.now();
    this.#shown = this.#started;
    if (this.sink?.isTerminal) this.sink.write(`\r\x1b[K${this.#fit(this.#line(0))}`);
  }

  update(done: number): void {
    if (!this.sink) return;
    const now = performance.now();
    if (this.sink.isTerminal) {
      if (now - this.#shown < 100) return;
      this.sink.write(`\r\x1b[K${this.#fit(this.#line(done))}`);
    } else {
      if (now - this.#shown < this.everySeconds * 1000) return;
      this.sink.write(`${this.#line(done)}\n`);
    }
    this.#shown = now;
  }

  finish(done: number): void {
    if (!this.sink) return;
    this.sink.write(`${this.sink.isTerminal ? "\r\x1b[K" : ""}${this.#line(done, true)}\n`);
  }

  #fit(line: string): string {
    const columns = this.sink?.columns;
    return columns && line.length >= columns ? line.slice(0, columns - 1) : line;
  }

  #line(done: number, finished = false): string {
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const total = Math.max(this.#total, done);
    const share = total ? done / total : 1;
    const width = 12;
    const filled = Math.round(share * width);
    const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
    const tail = finished
      ? `done in ${clock(seconds)}`
      : `ETA ${rate > 0 ? clock((total - done) / rate) : "--:--"}`;
    return `${this.#table.padEnd(18)} ${bar} ${
      `${thousands(done)}/${thousands(total)}`.padStart(19)
    }  ${thousands(rate).padStart(7)} rows/s  ${tail}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The copy

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function removeIfThere(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await Deno.realPath(a)) === (await Deno.realPath(b));
  } catch {
    return false;
  }
}

/** Resolves `--tables` against the source's tables; adds the trigger group as a whole. */
function selectTables(wanted: string[] | undefined, available: string[]): string[] {
  if (!wanted) return available;
  const byLower = new Map(available.map((t) => [t.toLowerCase(), t]));
  const chosen = new Set<string>();
  for (const raw of wanted) {
    const name = raw.trim();
    if (!name || name.toLowerCase() === "alembic_version") continue;
    const found = byLower.get(name.toLowerCase());
    if (!found) {
      throw new CloneError(
        `Cannot clone: the source has no table ${name} (it has ${available.join(", ")})`,
      );
    }
    if (TRIGGER_GROUP.includes(found)) {
      for (const t of TRIGGER_GROUP) if (byLower.has(t.toLowerCase())) chosen.add(t);
    } else chosen.add(found);
  }
  return available.filter((t) => chosen.has(t));
}

/** What every step of a clone needs: the source, the options, and where notes go. */
type Context = {
  source: Db;
  options: CloneOptions;
  /** Rows per batch. */
  batch: number;
  note(text: string): void;
  /** Quotes a name for the source's dialect. */
  q(name: string): string;
};

/** What the source holds and what of it is copied: the result of {@linkcode planClone}. */
type SourcePlan = {
  revision: string;
  /** The shared tables the source has (canonical names, alembic_version aside). */
  shared: string[];
  /** The source's other tables. */
  extras: string[];
  /** The tables to copy (`--tables`, the trigger tables together). */
  selected: string[];
  /** The source's name and columns of each table. */
  tables: Map<string, SourceTable>;
  /** The qualified, quoted name of a source table. */
  qualify(name: string): string;
};

/**
 * Step 1: checks the options and the source, and reads which tables and columns it has.
 * Writes nothing.
 */
async function planClone(ctx: Context): Promise<SourcePlan> {
  const { source, options, batch, note, q } = ctx;
  const out = options.out;
  if (!Number.isSafeInteger(batch) || batch < 1) {
    throw new CloneError(`Cannot clone: the batch size ${batch} is not a positive whole number`);
  }
  if (source.target.kind === "sqlite" && await sameFile(source.target.path, out)) {
    throw new CloneError(`Cannot clone: ${out} is the source database itself`);
  }
  if (!options.force && await exists(out)) {
    throw new CloneError(`Cannot clone: ${out} already exists (add --force to replace it)`);
  }

  const info = await detect(source);
  const revision = info.revision;
  if (revision === null) {
    throw new CloneError(
      "Cannot clone: the source has no alembic_version table; is it an OpenOrchestrator database?",
    );
  }

  const { schema, names } = await sourceTables(source);
  const qualify = (name: string) => schema ? `${q(schema)}.${q(name)}` : q(name);
  const sourceName = new Map(names.map((n) => [n.toLowerCase(), n]));
  const shared = SHARED_TABLES.filter((t) =>
    t !== "alembic_version" && sourceName.has(t.toLowerCase())
  );
  for (const t of SHARED_TABLES) {
    if (!sourceName.has(t.toLowerCase())) {
      note(`the source has no ${t} table, so the copy has none either`);
    }
  }
  const sharedLower = new Set(SHARED_TABLES.map((t) => t.toLowerCase()));
  const extras = names.filter((n) => !sharedLower.has(n.toLowerCase()));
  const selected = selectTables(options.tables, [...shared, ...extras]);

  const tables = new Map<string, SourceTable>();
  for (const t of [...shared, ...extras]) {
    const name = sourceName.get(t.toLowerCase())!;
    tables.set(t, { name, columns: await sourceColumns(source, { schema, table: name }) });
  }
  return { revision, shared, extras, selected, tables, qualify };
}

/**
 * Step 2: creates the tables in the copy (the canonical DDL of the source's revision, then what
 * the source adds) and returns how each selected table is copied.
 */
function createTables(
  ctx: Context,
  { target, plan }: { target: DatabaseSync; plan: SourcePlan },
): Plan[] {
  const { note } = ctx;
  target.exec(SQLITE_TABLES.alembic_version);
  target.prepare("INSERT INTO alembic_version (version_num) VALUES (?)").run(plan.revision);
  const plans: Plan[] = [];
  for (const t of plan.shared) {
    const src = plan.tables.get(t)!;
    const have = new Set(src.columns.map((c) => c.name.toLowerCase()));
    target.exec(withoutColumns(SQLITE_TABLES[t], (c) => have.has(c.toLowerCase())));
    const canonical = target.prepare("SELECT name, type, pk FROM pragma_table_info(?)").all(t) as {
      name: string;
      type: string;
      pk: number;
    }[];
    const known = new Set(canonical.map((c) => c.name.toLowerCase()));
    const added = src.columns.filter((c) => !known.has(c.name.toLowerCase()));
    for (const c of added) {
      target.exec(`ALTER TABLE "${t}" ADD COLUMN "${c.name}" ${c.type}`);
      note(
        `${t}.${c.name} is not in the ${t} table we know: copied as ${c.type}` +
          (c.notNull ? " (nullable in the copy)" : ""),
      );
    }
    const key = canonical.find((c) => c.pk === 1)!.name;
    if (!have.has(key.toLowerCase())) {
      throw new CloneError(`Cannot clone: the source's ${t} table has no ${key} column`);
    }
    if (!plan.selected.includes(t)) continue;
    const srcName = (name: string) =>
      src.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())!.name;
    plans.push({
      table: t,
      from: plan.qualify(src.name),
      key: srcName(key),
      columns: [
        ...canonical.filter((c) => have.has(c.name.toLowerCase())).map((c) => ({
          source: srcName(c.name),
          kind: kindOf(c.type),
        })),
        ...added.map((c) => ({ source: c.name, kind: kindOf(c.type) })),
      ],
      where: [],
      params: [],
    });
  }
  for (const t of plan.extras) {
    if (!plan.selected.includes(t)) continue;
    const src = plan.tables.get(t)!;
    const keys = src.columns.filter((c) => c.pk > 0);
    if (keys.length !== 1) {
      note(`skipped table ${t}: it has no single-column primary key to copy it by`);
      continue;
    }
    const defs = src.columns.map((c) =>
      `"${c.name.replaceAll('"', '""')}" ${c.type}${c.notNull ? " NOT NULL" : ""}`
    );
    target.exec(
      `CREATE TABLE "${t}" (\n\t${defs.join(", \n\t")}, \n\tPRIMARY KEY ("${keys[0].name}")\n)`,
    );
    note(`copied table ${t}, which is not in the schema we know (columns and key only)`);
    plans.push({
      table: t,
      from: plan.qualify(src.name),
      key: keys[0].name,
      columns: src.columns.map((c) => ({ source: c.name, kind: kindOf(c.type) })),
      where: [],
      params: [],
    });
  }
  return plans;
}

/** Filters: `--logs-since`, and a snapshot bound so that rows added meanwhile are not counted. */
async function boundRows(ctx: Context, plans: Plan[]): Promise<void> {
  const { source, options, q } = ctx;
  for (const plan of plans) {
    const column = plan.table === "Logs"
      ? "log_time"
      : plan.table === "Queues"
      ? "created_date"
      : null;
    if (!column) continue;
    const col = plan.columns.find((c) => c.source.toLowerCase() === column)?.source;
    if (!col) continue;
    if (plan.table === "Logs" && options.logsSince) {
      plan.where.push(`${q(col)} >= ?`);
      plan.params.push(time(options.logsSince));
    }
    const [row] = await source.query<{ m: string | null }>(
      `SELECT MAX(${q(col)}) AS m FROM ${plan.from}`,
    );
    plan.where.push(`${q(col)} <= ?`);
    plan.params.push(row?.m === null || row?.m === undefined ? null : time(String(row.m)));
  }
}

/** A source value as the copy stores it; `odd` is told of a time that is not one. */
function canonicalValue(value: unknown, { kind, odd }: { kind: Kind; odd(): void }): unknown {
  switch (kind) {
    case "id":
      return hexId(value);
    case "time":
      if (typeof value === "string") {
        if (CANONICAL_TIME.test(value)) return value;
        const normal = normalizeDbTime(value);
        if (normal === null) odd();
        return normal ?? value;
      }
      if (value instanceof Date) return formatDbTime(value);
      if (value !== null && value !== undefined) odd();
      return value;
    case "bool":
      return toBool(value);
    default:
      if (typeof value === "boolean") return value ? 1 : 0;
      return value instanceof Date ? formatDbTime(value) : value;
  }
}

/**
 * Step 3: copies the rows, table by table, in batches by key (reading the next batch while one
 * is written), then creates the indexes. Returns how many rows it copied.
 */
async function copyRows(
  ctx: Context,
  { target, plans, shared }: { target: DatabaseSync; plans: Plan[]; shared: string[] },
): Promise<number> {
  const { source, options, batch, note, q } = ctx;
  await boundRows(ctx, plans);
  const progress = new Progress(options.progress, options.progressEvery ?? 5);
  const oddValues = new Map<string, number>();
  let rows = 0;
  for (const plan of plans) {
    if (options.signal?.aborted) throw new CloneError("Cannot clone: interrupted");
    const total = await countRows(source, plan);
    progress.start(plan.table, total);
    const names = plan.columns.map((c) => c.source);
    const select = `SELECT ${names.map(q).join(", ")} FROM ${plan.from}`;
    const insert = target.prepare(
      `INSERT INTO "${plan.table}" (${names.map((n) => `"${n}"`).join(", ")}) VALUES (${
        names.map(() => "?").join(", ")
      })`,
    );
    const fetch = (after: unknown): Promise<Record<string, unknown>[]> => {
      const where = [...plan.where];
      const params = [...plan.params];
      if (after !== undefined) {
        where.push(`${q(plan.key)} > ?`);
        params.push(after as Param);
      }
      return source.query(
        `${select}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${q(plan.key)}${
          source.dialect.page(batch, 0)
        }`,
        params,
      );
    };
    const columns = plan.columns.map((c) => ({
      kind: c.kind,
      odd: () => {
        const k = `${plan.table}.${c.source}`;
        oddValues.set(k, (oddValues.get(k) ?? 0) + 1);
      },
    }));
    let done = 0;
    let page = await fetch(undefined);
    while (page.length) {
      if (options.signal?.aborted) throw new CloneError("Cannot clone: interrupted");
      const last = page[page.length - 1][plan.key];
      // Read the next batch while this one is written (it overlaps on SQL Server).
      const next = page.length < batch ? Promise.resolve([]) : fetch(last);
      next.catch(() => undefined);
      target.exec("BEGIN");
      const values: SQLInputValue[] = new Array(names.length);
      for (const row of page) {
        for (let i = 0; i < names.length; i++) {
          values[i] = (canonicalValue(row[names[i]], columns[i]) ?? null) as SQLInputValue;
        }
        insert.run(...values);
      }
      target.exec("COMMIT");
      done += page.length;
      rows += page.length;
      progress.update(done);
      page = await next;
    }
    progress.finish(done);
  }
  for (const [column, n] of oddValues) {
    note(`${thousands(n)} value(s) of ${column} are not times; copied as they were`);
  }

  // Indexes after the rows: faster, and the same result.
  options.progress?.write("Creating the indexes…\n");
  for (const [name, table, columns] of [...BASE_INDEXES, ...RECOMMENDED_INDEXES]) {
    if (shared.includes(table)) target.exec(`CREATE INDEX "${name}" ON "${table}" (${columns})`);
  }
  return rows;
}

/**
 * Step 4: notes rows that reference a missing trigger, and counts each table in the source (with
 * the same filters, now) and in the copy.
 */
async function verifyCopy(
  ctx: Context,
  { target, plans }: { target: DatabaseSync; plans: Plan[] },
): Promise<TableCount[]> {
  const orphans = target.prepare("PRAGMA foreign_key_check").all() as { table: string }[];
  if (orphans.length) {
    ctx.note(
      `${orphans.length} row(s) of ${[...new Set(orphans.map((o) => o.table))].join(", ")} ` +
        "reference a trigger the source does not have (copied as they were)",
    );
  }
  const counts: TableCount[] = [];
  for (const plan of plans) {
    const [row] = target.prepare(`SELECT COUNT(*) AS n FROM "${plan.table}"`).all() as {
      n: number;
    }[];
    counts.push({ table: plan.table, source: await countRows(ctx.source, plan), copy: row.n });
  }
  return counts;
}

/**
 * Copies `source` into a new SQLite file at `options.out`: plan, create, copy, verify. Throws
 * {@linkcode CloneError} (and any database error) with nothing left behind: the copy is written
 * to `<out>.partial` and renamed at the end.
 */
export async function clone(source: Db, options: CloneOptions): Promise<CloneResult> {
  const out = options.out;
  const partial = `${out}.partial`;
  const notes: string[] = [];
  const ctx: Context = {
    source,
    options,
    batch: options.batchSize ?? DEFAULT_BATCH,
    note(text) {
      notes.push(text);
      options.progress?.write(`Note: ${text}\n`);
    },
    q: quoter(source),
  };
  const plan = await planClone(ctx);

  if (source.dialect.name === "sqlite") {
    // Reading by key jumps around the table: mapping the file saves a system call a page.
    await source.run("PRAGMA mmap_size = 1073741824").catch(() => undefined);
  }
  await removeIfThere(partial);
  await removeIfThere(`${partial}-journal`);
  let target: DatabaseSync | null = null;
  const started = performance.now();
  try {
    target = new DatabaseSync(partial);
    target.exec("PRAGMA foreign_keys = OFF");
    target.exec("PRAGMA journal_mode = MEMORY");
    target.exec("PRAGMA synchronous = OFF");
    target.exec("PRAGMA cache_size = -65536");
    const plans = createTables(ctx, { target, plan });
    const rows = await copyRows(ctx, { target, plans, shared: plan.shared });
    const counts = await verifyCopy(ctx, { target, plans });
    target.close();
    target = null;
    if (options.force) {
      for (const suffix of ["-wal", "-shm", "-journal"]) await removeIfThere(`${out}${suffix}`);
    }
    await Deno.rename(partial, out);
    return {
      revision: plan.revision,
      counts,
      mismatches: counts.filter((c) => c.source !== c.copy),
      rows,
      seconds: (performance.now() - started) / 1000,
      notes,
    };
  } catch (error) {
    try {
      if (target?.isOpen) target.close();
    } catch {
      // Closing is best effort: the file goes anyway.
    }
    await removeIfThere(partial).catch(() => undefined);
    await removeIfThere(`${partial}-journal`).catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The command line

/** Turns `30d`, `12h` or `2w` into the stored time that long before `now`. */
export function parseSince(text: string, now: Date = new Date()): string {
  const m = /^\s*(\d+)\s*([hdw])\s*$/i.exec(text);
  if (!m) {
    throw new CloneError(`Cannot clone: --logs-since '${text}' is not a span like 12h, 30d or 2w`);
  }
  // Calendar arithmetic on the local fields: naive wall-clock time, no DST shift.
  const hours = { h: 1, d: 24, w: 24 * 7 }[m[2].toLowerCase() as "h" | "d" | "w"];
  const back = Number(m[1]) * hours;
  return formatDbTime(
    new Date(
      now.getFullYear(),
      now.getMonth(),
      now.getDate() - Math.floor(back / 24),
      now.getHours() - (back % 24),
      now.getMinutes(),
      now.getSeconds(),
      now.getMilliseconds(),
    ),
  );
}

/** The parsed command line. */
export type Cli = {
  help: boolean;
  out: string;
  force: boolean;
  tables?: string[];
  logsSince: string | null;
  batchSize: number;
};

/** Parses the command line; throws CloneError on a bad option. */
export function parseCli(args: string[], now: Date = new Date()): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: "string", short: "o" },
        force: { type: "boolean", short: "f" },
        tables: { type: "string" },
        "logs-since": { type: "string" },
        "batch-size": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new CloneError(`Cannot clone: ${(error as Error).message} (see --help)`);
  }
  const batchText = parsed["batch-size"] ?? String(DEFAULT_BATCH);
  if (!/^\d+$/.test(batchText) || Number(batchText) < 1) {
    throw new CloneError(`Cannot clone: --batch-size '${batchText}' is not a positive number`);
  }
  if (parsed.out !== undefined && !parsed.out.trim()) {
    throw new CloneError("Cannot clone: --out needs a file name");
  }
  return {
    help: parsed.help ?? false,
    out: parsed.out ?? DEFAULT_OUT,
    force: parsed.force ?? false,
    tables: parsed.tables?.split(",").map((t) => t.trim()).filter(Boolean),
    logsSince: parsed["logs-since"] ? parseSince(parsed["logs-since"], now) : null,
    batchSize: Number(batchText),
  };
}

const HELP = `Copies the database named by OpenOrchestratorSQL (SQL Server or SQLite) into a SQLite
file in the format the Python OpenOrchestrator writes (ids as 32 hex digits, six-digit times,
keys, indexes, alembic_version), usable by this app and by OpenOrchestrator itself.

Usage: deno task clonedb [options]

  --out FILE, -o FILE   the copy to write (default ${DEFAULT_OUT})
  --force, -f           replace FILE when it exists
  --tables A,B          copy only these tables (the others are created empty; the trigger
                        tables always come together)
  --logs-since SPAN     copy only logs newer than SPAN: 12h, 30d, 2w
  --batch-size N        rows per batch (default ${DEFAULT_BATCH})
  --help, -h            show this text
`;

function printSummary(result: CloneResult, out: string): void {
  const lines = [`${"Table".padEnd(20)} ${"Source".padStart(12)} ${"Copy".padStart(12)}`];
  for (const c of result.counts) {
    lines.push(
      `${c.table.padEnd(20)} ${thousands(c.source).padStart(12)} ${
        thousands(c.copy).padStart(12)
      }  ${c.source === c.copy ? "ok" : "DIFFERENT"}`,
    );
  }
  const rate = result.seconds > 0 ? result.rows / result.seconds : result.rows;
  lines.push(
    `Copied ${thousands(result.rows)} rows in ${result.seconds.toFixed(1)} s (${
      thousands(rate)
    } rows/s) to ${out} (revision ${result.revision}).`,
  );
  console.log(lines.join("\n"));
}

function terminalColumns(): number | undefined {
  try {
    return Deno.consoleSize().columns || undefined;
  } catch {
    return undefined;
  }
}

/** Runs the command line; returns the exit code. */
async function main(args: string[]): Promise<number> {
  const encoder = new TextEncoder();
  const sink: ProgressSink = {
    write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    isTerminal: Deno.stderr.isTerminal(),
    columns: terminalColumns(),
  };
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  let source: Db | null = null;
  let listening = false;
  try {
    const cli = parseCli(args);
    if (cli.help) {
      console.log(HELP);
      return 0;
    }
    const text = Deno.env.get("OpenOrchestratorSQL")?.trim();
    if (!text) throw new CloneError("Cannot clone: OpenOrchestratorSQL is not set");
    let target;
    try {
      target = parseConnectionString(text);
    } catch (error) {
      throw new CloneError(
        `Cannot clone: cannot parse OpenOrchestratorSQL: ${(error as Error).message}`,
      );
    }
    Deno.addSignalListener("SIGINT", interrupt);
    listening = true;
    source = await openDatabase(target, { readOnly: true, script: true });
    const result = await clone(source, {
      out: cli.out,
      force: cli.force,
      tables: cli.tables,
      logsSince: cli.logsSince,
      batchSize: cli.batchSize,
      progress: sink,
      signal: controller.signal,
    });
    printSummary(result, cli.out);
    if (result.mismatches.length) {
      const which = result.mismatches.map((m) =>
        `${m.table} (source ${thousands(m.source)}, copy ${thousands(m.copy)})`
      ).join(", ");
      console.error(
        `Cannot trust the copy: the row counts differ for ${which}; ` +
          `the source changed during the copy or rows were lost. ${cli.out} is kept; run again.`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    console.error(
      error instanceof CloneError ? message : `Cannot clone: ${message.split("\n")[0]}`,
    );
    return 1;
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", interrupt);
    await source?.close().catch(() => undefined);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
