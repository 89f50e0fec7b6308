import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import type { Db, Param } from "../db/connection.ts";
import { openDatabase } from "../db/open.ts";
import { seedDemo } from "../db/demo.ts";
import { recordingDb } from "../db/recording.ts";
import { PYTHON_DATABASES, tempDatabase } from "../db/testing.ts";
import { checkTsql, type RecordedStatement } from "../db/tsql_check.ts";
import {
  BASE_INDEXES,
  initSchema,
  RECOMMENDED_INDEXES,
  SHARED_TABLES,
  SQLITE_TABLES,
} from "../db/schema.ts";
import { DEMO_KEY, parseConnectionString } from "../lib/config.ts";
import { formatDbTime } from "../lib/time.ts";
import {
  clone,
  CloneError,
  type CloneOptions,
  hexId,
  parseCli,
  parseSince,
  withoutColumns,
} from "./clonedb.ts";

const DATA = PYTHON_DATABASES;
const CLI = fileURLToPath(new URL("./clonedb.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

const HEX = /^[0-9a-f]{32}$/;
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const KEYS: Record<string, string> = {
  Constants: "name",
  Credentials: "name",
  Schedulers: "machine_name",
};
const DATA_TABLES = SHARED_TABLES.filter((t) => t !== "alembic_version");
const SUB_TRIGGERS = ["Single_Triggers", "Scheduled_Triggers", "Queue_Triggers"];

type Rows = Record<string, unknown>[];

/** A temp folder with copies of the given Python-written databases. */
async function workspace(...names: (keyof typeof DATA)[]) {
  const dir = await Deno.makeTempDir({ prefix: "oo-clonedb-" });
  const paths: Record<string, string> = {};
  for (const name of names) {
    paths[name] = `${dir}/source-${name}.db`;
    await Deno.copyFile(DATA[name], paths[name]);
  }
  return {
    dir,
    paths,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

function openSource(path: string): Promise<Db> {
  return openDatabase({ kind: "sqlite", path, embedded: false }, { readOnly: true });
}

async function cloneFile(path: string, options: CloneOptions) {
  const source = await openSource(path);
  try {
    return await clone(source, options);
  } finally {
    await source.close();
  }
}

function withFile<T>(path: string, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function all(db: DatabaseSync, sql: string, ...params: (string | number | null)[]): Rows {
  return db.prepare(sql).all(...params) as Rows;
}

function tableRows(db: DatabaseSync, table: string): Rows {
  return all(db, `SELECT * FROM "${table}" ORDER BY "${KEYS[table] ?? "id"}"`)
    .map((r) => ({ ...r }));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Asserts the file is in the canonical Python format, whatever the source looked like. */
function assertCanonical(path: string): void {
  withFile(path, (db) => {
    const tables = all(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
      .map((r) => String(r.name));
    for (const table of tables) {
      for (const column of all(db, "SELECT name, type FROM pragma_table_info(?)", table)) {
        const name = String(column.name);
        const values = all(db, `SELECT "${name}" AS v FROM "${table}" WHERE "${name}" IS NOT NULL`)
          .map((r) => r.v);
        if (column.type === "CHAR(32)") {
          for (const v of values) assert.match(String(v), HEX, `${table}.${name}: ${v}`);
        } else if (column.type === "DATETIME") {
          for (const v of values) assert.match(String(v), TIME, `${table}.${name}: ${v}`);
        } else if (column.type === "BOOLEAN") {
          for (const v of values) assert.ok(v === 0 || v === 1, `${table}.${name}: ${v}`);
        }
      }
    }
    for (const sub of SUB_TRIGGERS) {
      const [{ n }] = all(
        db,
        `SELECT COUNT(*) AS n FROM "${sub}" s LEFT JOIN "Triggers" t ON t.id = s.id WHERE t.id IS NULL`,
      );
      assert.equal(n, 0, `${sub} rows without their trigger`);
    }
    assert.deepEqual(all(db, "PRAGMA foreign_key_check"), []);
    const indexes = new Set(
      all(db, "SELECT name FROM sqlite_master WHERE type = 'index'").map((r) => r.name),
    );
    for (const [name] of [...BASE_INDEXES, ...RECOMMENDED_INDEXES]) {
      assert.ok(indexes.has(name), `index ${name}`);
    }
    assert.equal(all(db, "PRAGMA journal_mode")[0].journal_mode, "delete");
  });
}

/** Asserts the copy holds the same rows as a canonical source, table by table. */
function assertSameRows(copy: string, original: string, tables: readonly string[] = DATA_TABLES) {
  withFile(copy, (c) =>
    withFile(original, (o) => {
      for (const table of tables) assert.deepEqual(tableRows(c, table), tableRows(o, table), table);
    }));
}

function revisionOf(path: string): string {
  return withFile(
    path,
    (db) => String(all(db, "SELECT version_num FROM alembic_version")[0].version_num),
  );
}

function count(path: string, table: string): number {
  return withFile(path, (db) => Number(all(db, `SELECT COUNT(*) AS n FROM "${table}"`)[0].n));
}

/** Rewrites a copy of a Python-written file the way the old Flask clone script wrote it. */
function toCloneFormat(path: string): void {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA foreign_keys = OFF");
  const dashed = (col: string) =>
    `upper(substr(${col},1,8)||'-'||substr(${col},9,4)||'-'||substr(${col},13,4)||'-'||` +
    `substr(${col},17,4)||'-'||substr(${col},21))`;
  for (const table of ["Logs", "Queues", "Triggers", ...SUB_TRIGGERS]) {
    db.exec(`UPDATE "${table}" SET id = ${dashed("id")}`);
  }
  // Other spellings of the same times and booleans, which the copy must put back.
  db.exec("UPDATE Logs SET log_time = replace(log_time, ' ', 'T')");
  db.exec(
    "UPDATE Single_Triggers SET next_run = substr(next_run, 1, 19) WHERE next_run LIKE '%.000000'",
  );
  db.exec("UPDATE Triggers SET is_git_repo = CASE is_git_repo WHEN 1 THEN 'True' ELSE 'False' END");
  db.close();
}

Deno.test("hexId spells every UUID form as 32 lowercase hex digits and leaves others alone", () => {
  const hex = "428d5f3d5fce4820a2b1ad7164b7f8d2";
  assert.equal(hexId(hex), hex);
  assert.equal(hexId("428D5F3D-5FCE-4820-A2B1-AD7164B7F8D2"), hex);
  assert.equal(hexId("{428d5f3d-5fce-4820-a2b1-ad7164b7f8d2}"), hex);
  assert.equal(hexId("not an id"), "not an id");
  assert.equal(hexId(null), null);
});

Deno.test("withoutColumns drops only the columns the source lacks", () => {
  const ddl = SQLITE_TABLES.Triggers;
  assert.equal(withoutColumns(ddl, () => true), ddl);
  const noBranch = withoutColumns(ddl, (c) => c !== "git_branch");
  assert.ok(!noBranch.includes("git_branch"));
  assert.ok(noBranch.includes("priority INTEGER DEFAULT 0 NOT NULL, PRIMARY KEY (id))"));
  const db = new DatabaseSync(":memory:");
  db.exec(noBranch);
  assert.deepEqual(
    (db.prepare("SELECT name FROM pragma_table_info('Triggers')").all() as Rows).map((r) => r.name)
      .at(-1),
    "priority",
  );
  db.close();
});

Deno.test("parseSince and parseCli read spans and options, and refuse bad ones", () => {
  const now = new Date(2026, 10, 22, 12, 0, 0);
  assert.equal(parseSince("12h", now), "2026-11-22 00:00:00.000000");
  assert.equal(parseSince("30d", now), formatDbTime(new Date(2026, 9, 23, 12, 0, 0)));
  assert.equal(parseSince("2w", now), "2026-11-08 12:00:00.000000");
  assert.throws(() => parseSince("30 days", now), /not a span like 12h, 30d or 2w/);
  const cli = parseCli([
    "--out",
    "x.db",
    "--force",
    "--tables",
    "Logs, Queues",
    "--logs-since",
    "1d",
  ], now);
  assert.deepEqual(cli, {
    help: false,
    out: "x.db",
    force: true,
    tables: ["Logs", "Queues"],
    logsSince: "2026-11-21 12:00:00.000000",
    batchSize: 5000,
  });
  assert.equal(parseCli([]).out, "openorchestrator_test.db");
  assert.throws(() => parseCli(["--what"]), CloneError);
  assert.throws(() => parseCli(["--batch-size", "0"]), /not a positive number/);
});

Deno.test("clones the develop database into an identical canonical copy, in small batches", async () => {
  await using ws = await workspace("develop");
  const out = `${ws.dir}/copy.db`;
  const result = await cloneFile(ws.paths.develop, { out, batchSize: 4 });
  assert.equal(result.revision, "9698388a0709");
  assert.deepEqual(result.mismatches, []);
  assert.equal(result.counts.find((c) => c.table === "Logs")?.copy, 31);
  assert.deepEqual(result.notes, []);
  assert.equal(await exists(`${out}.partial`), false);
  assertCanonical(out);
  assertSameRows(out, ws.paths.develop);
  assert.equal(revisionOf(out), "9698388a0709");
  withFile(out, (db) => {
    for (const table of SHARED_TABLES) {
      const [{ sql }] = all(db, "SELECT sql FROM sqlite_master WHERE name = ?", table);
      assert.equal(sql, SQLITE_TABLES[table], table);
    }
    const whitelists = all(db, "SELECT type, scheduler_whitelist AS w FROM Triggers ORDER BY type");
    assert.deepEqual(whitelists.map((r) => r.w), [null, '["rpa-vm-01", "rpa-vm-02"]', "[]"]);
  });
  // The source was only read: still in its rollback-journal mode, no WAL beside it.
  assert.equal(await exists(`${ws.paths.develop}-wal`), false);
  withFile(
    ws.paths.develop,
    (db) => assert.equal(all(db, "PRAGMA journal_mode")[0].journal_mode, "delete"),
  );

  const db = await openDatabase({ kind: "sqlite", path: out, embedded: false });
  try {
    assert.equal(db.info.idFormat, "hex");
    assert.equal(db.info.revision, "9698388a0709");
    assert.deepEqual(db.info.missingTables, []);
    assert.equal(db.info.gitBranch, true);
  } finally {
    await db.close();
  }
});

Deno.test("clones a 2.0.x database at its own revision: no git_branch, the 'null' whitelist kept", async () => {
  await using ws = await workspace("2.0");
  const out = `${ws.dir}/copy.db`;
  const result = await cloneFile(ws.paths["2.0"], { out });
  assert.equal(result.revision, "90d46abd44a3");
  assert.deepEqual(result.mismatches, []);
  assertCanonical(out);
  assertSameRows(out, ws.paths["2.0"]);
  assert.equal(revisionOf(out), "90d46abd44a3");
  withFile(out, (db) => {
    const columns = all(db, "SELECT name FROM pragma_table_info('Triggers')").map((r) => r.name);
    assert.ok(!columns.includes("git_branch"));
    assert.ok(columns.includes("priority"));
    const [queue] = all(
      db,
      "SELECT scheduler_whitelist AS w, typeof(scheduler_whitelist) AS t FROM Triggers WHERE type = 'QUEUE'",
    );
    assert.deepEqual({ ...queue }, { w: "null", t: "text" });
  });
  const db = await openDatabase({ kind: "sqlite", path: out, embedded: false });
  try {
    assert.equal(db.info.idFormat, "hex");
    assert.equal(db.info.gitBranch, false);
    assert.equal(db.info.killing, false);
    assert.equal(db.info.revision, "90d46abd44a3");
  } finally {
    await db.close();
  }
});

Deno.test("clones a clone-format copy (uppercase dashed ids) back into the Python format", async () => {
  await using ws = await workspace("develop");
  const source = `${ws.dir}/clone-format.db`;
  await Deno.copyFile(ws.paths.develop, source);
  toCloneFormat(source);
  withFile(source, (db) => {
    const [{ id }] = all(db, "SELECT id FROM Triggers LIMIT 1");
    assert.match(String(id), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });
  const before = await openSource(source);
  assert.equal(before.info.idFormat, "dashed-upper");
  await before.close();

  const out = `${ws.dir}/copy.db`;
  const result = await cloneFile(source, { out, batchSize: 10 });
  assert.deepEqual(result.mismatches, []);
  assert.deepEqual(result.notes, []);
  assertCanonical(out);
  // Ids, times and booleans are back to what the Python side wrote.
  assertSameRows(out, ws.paths.develop);
  const db = await openDatabase({ kind: "sqlite", path: out, embedded: false });
  try {
    assert.equal(db.info.idFormat, "hex");
  } finally {
    await db.close();
  }
});

Deno.test("copies what a newer source adds: an extra table and an extra column", async () => {
  await using ws = await workspace("develop");
  const source = ws.paths.develop;
  const db = new DatabaseSync(source);
  db.exec(`CREATE TABLE "Jobs" (id CHAR(32) NOT NULL, started_at DATETIME NOT NULL,
    name VARCHAR(100), PRIMARY KEY (id))`);
  db.exec("ALTER TABLE Logs ADD COLUMN job_id CHAR(32)");
  db.exec("CREATE TABLE odd (a INTEGER, b INTEGER, PRIMARY KEY (a, b))");
  const job = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE";
  db.prepare("INSERT INTO Jobs VALUES (?, ?, ?)").run(job, "2026-11-22 08:00:00", "nightly");
  db.prepare("UPDATE Logs SET job_id = ? WHERE log_level = 'ERROR'").run(job);
  db.close();

  const out = `${ws.dir}/copy.db`;
  const result = await cloneFile(source, { out });
  assert.deepEqual(result.mismatches, []);
  assert.ok(result.notes.some((n) => n.includes("Logs.job_id")));
  assert.ok(result.notes.some((n) => n.includes("copied table Jobs")));
  assert.ok(result.notes.some((n) => n.includes("skipped table odd")));
  assertCanonical(out);
  withFile(out, (c) => {
    assert.deepEqual(
      { ...all(c, "SELECT * FROM Jobs")[0] },
      {
        id: "aaaaaaaabbbb4ccc8dddeeeeeeeeeeee",
        started_at: "2026-11-22 08:00:00.000000",
        name: "nightly",
      },
    );
    const jobs = all(c, "SELECT DISTINCT job_id FROM Logs WHERE job_id IS NOT NULL");
    assert.deepEqual(jobs.map((r) => r.job_id), ["aaaaaaaabbbb4ccc8dddeeeeeeeeeeee"]);
    assert.equal(all(c, "SELECT name FROM sqlite_master WHERE name = 'odd'").length, 0);
  });
});

Deno.test("--logs-since copies only the newer logs, and the counts use the same filter", async () => {
  await using ws = await workspace("develop");
  const source = ws.paths.develop;
  const now = new Date();
  const old = formatDbTime(new Date(now.getTime() - 40 * 86_400_000));
  const recent = formatDbTime(new Date(now.getTime() - 2 * 86_400_000));
  const db = new DatabaseSync(source);
  db.exec(`UPDATE Logs SET log_time = '${old}' WHERE rowid % 3 = 0`);
  db.exec(`UPDATE Logs SET log_time = '${recent}' WHERE rowid % 3 <> 0`);
  const newer = Number(
    (db.prepare("SELECT COUNT(*) AS n FROM Logs WHERE rowid % 3 <> 0").get() as { n: number }).n,
  );
  db.close();
  assert.ok(newer > 0 && newer < 31);

  const out = `${ws.dir}/copy.db`;
  const result = await cloneFile(source, { out, logsSince: parseSince("30d", now), batchSize: 3 });
  assert.deepEqual(result.mismatches, []);
  assert.deepEqual(result.counts.find((c) => c.table === "Logs"), {
    table: "Logs",
    source: newer,
    copy: newer,
  });
  assert.equal(count(out, "Logs"), newer);
  assert.equal(count(out, "Queues"), 25);
  withFile(
    out,
    (c) => assert.equal(all(c, "SELECT * FROM Logs WHERE log_time < ?", recent).length, 0),
  );
});

Deno.test("--tables limits the copy; the trigger tables come together; other tables stay empty", async () => {
  await using ws = await workspace("develop");
  const out = `${ws.dir}/logs.db`;
  const logs = await cloneFile(ws.paths.develop, { out, tables: ["logs"] });
  assert.deepEqual(logs.counts.map((c) => c.table), ["Logs"]);
  assert.equal(count(out, "Logs"), 31);
  for (const table of ["Queues", "Triggers", "Constants", "Schedulers"]) {
    assert.equal(count(out, table), 0, table);
  }
  assertCanonical(out);

  const triggers = `${ws.dir}/triggers.db`;
  const result = await cloneFile(ws.paths.develop, {
    out: triggers,
    tables: ["Single_Triggers", "Queues"],
  });
  assert.deepEqual(result.counts.map((c) => c.table), [
    "Queues",
    "Triggers",
    "Single_Triggers",
    "Scheduled_Triggers",
    "Queue_Triggers",
  ]);
  assert.equal(count(triggers, "Triggers"), 3);
  assert.equal(count(triggers, "Logs"), 0);
  assertSameRows(triggers, ws.paths.develop, ["Queues", "Triggers", ...SUB_TRIGGERS]);

  await assert.rejects(
    cloneFile(ws.paths.develop, { out: `${ws.dir}/none.db`, tables: ["Jobs"] }),
    /Cannot clone: the source has no table Jobs/,
  );
  assert.equal(await exists(`${ws.dir}/none.db`), false);
});

/** A source that fails on its third page of logs (a dropped connection, say). */
function failingSource(db: Db, after = 2): Db {
  let pages = 0;
  return {
    ...db,
    query<T>(sql: string, params?: Param[]): Promise<T[]> {
      if (/FROM "Logs".*ORDER BY/s.test(sql) && ++pages > after) {
        return Promise.reject(new Error("The database cannot be reached: connection reset"));
      }
      return db.query<T>(sql, params);
    },
  };
}

Deno.test("a failure midway leaves no file, and an existing copy untouched", async () => {
  await using ws = await workspace("develop");
  const out = `${ws.dir}/copy.db`;
  const source = await openSource(ws.paths.develop);
  try {
    await assert.rejects(
      clone(failingSource(source), { out, batchSize: 5 }),
      /connection reset/,
    );
    assert.equal(await exists(out), false);
    assert.equal(await exists(`${out}.partial`), false);
    assert.deepEqual([...Deno.readDirSync(ws.dir)].map((e) => e.name), ["source-develop.db"]);

    await Deno.writeTextFile(out, "the previous copy");
    await assert.rejects(clone(failingSource(source), { out, force: true, batchSize: 5 }));
    assert.equal(await Deno.readTextFile(out), "the previous copy");
    assert.equal(await exists(`${out}.partial`), false);

    const controller = new AbortController();
    controller.abort();
    await Deno.remove(out);
    await assert.rejects(clone(source, { out, signal: controller.signal }), /interrupted/);
    assert.equal(await exists(out), false);
    assert.equal(await exists(`${out}.partial`), false);
  } finally {
    await source.close();
  }
});

Deno.test("reports a count that differs (the source changed under the copy)", async () => {
  await using ws = await workspace("develop");
  const source = await openSource(ws.paths.develop);
  let counts = 0;
  const growing: Db = {
    ...source,
    async query<T>(sql: string, params?: Param[]): Promise<T[]> {
      const rows = await source.query<T>(sql, params);
      // The second count of Logs (after the copy) sees one more row.
      if (/COUNT\(\*\).*FROM "Logs"/.test(sql) && ++counts === 2) {
        return [{ n: (rows[0] as { n: number }).n + 1 } as T];
      }
      return rows;
    },
  };
  try {
    const result = await clone(growing, { out: `${ws.dir}/copy.db` });
    assert.deepEqual(result.mismatches, [{ table: "Logs", source: 32, copy: 31 }]);
  } finally {
    await source.close();
  }
});

async function runCli(
  cwd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-sys",
      "--allow-ffi",
      CLI,
      ...args,
    ],
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("the command line clones with progress and counts, and refuses to overwrite", async () => {
  await using ws = await workspace("develop");
  const env = {
    OpenOrchestratorSQL: `sqlite:///${ws.paths.develop}`,
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    DENO_DIR: Deno.env.get("DENO_DIR") ?? "",
  };
  if (!env.DENO_DIR) delete (env as Record<string, string>).DENO_DIR;

  const first = await runCli(ws.dir, ["--batch-size", "10"], env);
  assert.equal(first.code, 0, first.stderr);
  const out = `${ws.dir}/openorchestrator_test.db`;
  assert.ok(await exists(out));
  assert.match(first.stderr, /^Logs .* 31\/31 .* rows\/s {2}done in/m);
  assert.match(first.stdout, /^Logs\s+31\s+31\s+ok$/m);
  assert.match(
    first.stdout,
    /Copied 68 rows in .* to openorchestrator_test\.db \(revision 9698388a0709\)/,
  );
  assertCanonical(out);
  assertSameRows(out, ws.paths.develop);

  const before = await Deno.readFile(out);
  const again = await runCli(ws.dir, [], env);
  assert.equal(again.code, 1);
  assert.equal(
    again.stderr.trim(),
    "Cannot clone: openorchestrator_test.db already exists (add --force to replace it)",
  );
  assert.deepEqual(await Deno.readFile(out), before);

  const forced = await runCli(ws.dir, [
    "--force",
    "--tables",
    "Constants",
    "--out",
    "openorchestrator_test.db",
  ], env);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(count(out, "Constants"), 2);
  assert.equal(count(out, "Logs"), 0);

  const unset = await runCli(ws.dir, [], { ...env, OpenOrchestratorSQL: "" });
  assert.equal(unset.code, 1);
  assert.equal(unset.stderr.trim(), "Cannot clone: OpenOrchestratorSQL is not set");

  const missing = await runCli(ws.dir, ["--out", "x.db"], {
    ...env,
    OpenOrchestratorSQL: `sqlite:///${ws.dir}/nowhere.db`,
  });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
  assert.match(missing.stderr, /^Cannot clone: .*nowhere\.db/);
  assert.equal(await exists(`${ws.dir}/x.db`), false);
});

const mssqlUrl = Deno.env.get("OO_TEST_MSSQL");
Deno.test({
  name: mssqlUrl
    ? "clones the SQL Server in OO_TEST_MSSQL (read only)"
    : "clones the SQL Server in OO_TEST_MSSQL (skipped: OO_TEST_MSSQL is not set)",
  ignore: !mssqlUrl,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "oo-clonedb-" });
    const source = await openDatabase(parseConnectionString(mssqlUrl!));
    try {
      const out = `${dir}/copy.db`;
      const result = await clone(source, { out });
      assert.deepEqual(result.mismatches, []);
      assertCanonical(out);
    } finally {
      await source.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a clone from SQL Server (the recorded dialect) copies every row; its statements are T-SQL", async () => {
  const source = await tempDatabase({ empty: true });
  const log: RecordedStatement[] = [];
  const db = recordingDb(source.db, log);
  const dir = await Deno.makeTempDir({ prefix: "oo-clone-mssql-" });
  try {
    await initSchema(db);
    await seedDemo(db, DEMO_KEY);
    log.length = 0;
    const result = await clone(db, { out: `${dir}/copy.db`, batchSize: 100 });
    assert.deepEqual(result.mismatches, []);
    assert.ok(result.counts.length >= SHARED_TABLES.length - 1);
    for (const { table, source: n, copy } of result.counts) assert.equal(copy, n, table);
    assert.equal(result.counts.find((c) => c.table === "Logs")?.copy, 1500);
    const problems = log.flatMap((s) => checkTsql(s).map((p) => `${p}: ${s.text}`));
    assert.deepEqual(problems, []);
    assert.ok(log.some((s) => /FROM \[dbo\]\.\[Logs\]/.test(s.text)), "reads name the schema");
    const copy = new DatabaseSync(`${dir}/copy.db`, { readOnly: true });
    try {
      const { id } = copy.prepare("SELECT id FROM Logs LIMIT 1").get() as { id: string };
      assert.match(id, /^[0-9a-f]{32}$/, "GUIDs become the 32 hex digits Python writes");
    } finally {
      copy.close();
    }
  } finally {
    await source.close();
    await Deno.remove(dir, { recursive: true });
  }
});
