/**
 * The contract suite: the same tests on every engine. SQLite always runs; SQL Server runs when
 * `OO_TEST_MSSQL` holds a connection string (an empty database the suite may fill).
 * @module
 */
import assert from "node:assert/strict";
import { PAGE_SIZES } from "../lib/list.ts";
import { time } from "./connection.ts";
import {
  createConstant,
  deleteConstant,
  getConstant,
  listConstants,
  updateConstant,
} from "./constants.ts";
import { createCredential, listCredentials, updateCredential } from "./credentials.ts";
import { newId, storedId } from "./ids.ts";
import { detect, initSchema, missingIndexStatements, SHARED_TABLES } from "./schema.ts";
import { contractTest, tempDatabase } from "./testing.ts";

const params = (
  over: Partial<{ q: string; sort: string; dir: "asc" | "desc"; page: number; size: number }> = {},
) => ({
  q: "",
  sort: "name",
  dir: "asc" as const,
  page: 1,
  size: PAGE_SIZES[0],
  ...over,
});

{
  const test = contractTest;

  test("a new schema has every shared table, the revision and the recommended indexes", async (db) => {
    const info = await detect(db);
    assert.deepEqual(info.missingTables, []);
    assert.equal(info.revision, "9698388a0709");
    assert.equal(info.gitBranch, true);
    assert.equal(info.killing, true);
    assert.deepEqual(await missingIndexStatements(db), []);
  });

  test("constants: create, read, list with search/sort/paging, update, delete", async (db) => {
    for (let i = 0; i < 12; i++) {
      assert.equal(
        await createConstant(
          db,
          { name: `K${String(i).padStart(2, "0")}`, value: `v${i % 3}`, user: "t" },
        ),
        "done",
      );
    }
    assert.equal(await createConstant(db, { name: "K00", value: "dup", user: "t" }), "exists");
    const page = await listConstants(db, params({ sort: "name", dir: "desc", size: 5, page: 2 }));
    assert.equal(page.total, 12);
    assert.deepEqual(page.rows.map((r) => r.name), ["K06", "K05", "K04", "K03", "K02"]);
    const search = await listConstants(db, params({ q: "v1" }));
    assert.deepEqual(search.rows.map((r) => r.name), ["K01", "K04", "K07", "K10"]);
    const byValue = await listConstants(db, params({ sort: "value", size: 3 }));
    assert.deepEqual(byValue.rows.map((r) => r.name), ["K00", "K03", "K06"], "ties break by name");
    const pattern = await listConstants(db, params({ q: "%" }));
    assert.equal(pattern.total, 0, "LIKE wildcards are literal");

    const before = (await getConstant(db, "K01"))!;
    assert.match(before.changed_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(await updateConstant(db, { name: "K01", value: "changed", user: "t" }), "done");
    assert.equal((await getConstant(db, "K01"))!.value, "changed");
    assert.equal(await updateConstant(db, { name: "missing", value: "x", user: "t" }), "missing");
    assert.equal(await deleteConstant(db, { name: "K01", user: "t" }), "done");
    assert.equal(await getConstant(db, "K01"), null);
    assert.equal(await deleteConstant(db, { name: "K01", user: "t" }), "missing");
    const audits = await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(Number(audits[0].n), 14);
  });

  test("credentials: create, list, update keeps or replaces the token", async (db) => {
    assert.equal(
      await createCredential(db, { name: "A", username: "u", token: "tok1", user: "t" }),
      "done",
    );
    assert.equal(
      await createCredential(db, { name: "A", username: "u", token: "tok2", user: "t" }),
      "exists",
    );
    assert.equal(
      await updateCredential(db, { name: "A", username: "v", token: null, user: "t" }),
      "done",
    );
    let [row] = (await listCredentials(db, params())).rows;
    assert.deepEqual([row.username, row.password], ["v", "tok1"]);
    assert.equal(
      await updateCredential(db, { name: "A", username: "v", token: "tok3", user: "t" }),
      "done",
    );
    [row] = (await listCredentials(db, params())).rows;
    assert.equal(row.password, "tok3");
  });

  test("a failed transaction writes nothing", async (db) => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
          "T",
          "x",
          time("2026-01-01 00:00:00.000000"),
        ]);
        throw new Error("stop");
      }),
      /stop/,
    );
    assert.equal(await getConstant(db, "T"), null);
  });

  test("times round-trip as local wall-clock text", async (db) => {
    await db.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
      "T",
      "x",
      time("2026-03-29 02:30:00.123000"),
    ]);
    const [row] = await db.query<{ changed_at: string }>(
      "SELECT changed_at FROM Constants WHERE name = ? AND changed_at > ?",
      ["T", time("2026-03-29 02:29:59.000000")],
    );
    assert.equal(row.changed_at, "2026-03-29 02:30:00.123000");
  });

  test("ids are written in the database's format and found from any spelling", async (db) => {
    const id = newId(db.info);
    const hex = id.replaceAll("-", "").toLowerCase();
    assert.match(hex, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    await db.run(
      "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
      [id, time("2026-01-01 00:00:00.000000"), "INFO", "P", "m"],
    );
    for (const spelling of [hex, hex.toUpperCase(), id.toUpperCase()]) {
      const found = await db.query("SELECT id FROM Logs WHERE id = ?", [
        storedId(db.info, spelling),
      ]);
      assert.equal(found.length, 1, spelling);
    }
    assert.equal(storedId(db.info, "not-an-id"), null);
  });
}

Deno.test("a database written by the Python OpenOrchestrator (develop) is read as it is", async () => {
  const t = await tempDatabase({ from: "develop" });
  try {
    assert.equal(t.db.info.revision, "9698388a0709");
    assert.equal(t.db.info.idFormat, "hex");
    assert.equal(t.db.info.gitBranch, true);
    assert.equal(t.db.info.killing, true);
    assert.deepEqual(t.db.info.missingTables, []);
    const constants = await listConstants(t.db, params());
    assert.deepEqual(constants.rows.map((r) => r.name), ["Max retries", "Portal URL"]);
    assert.match(constants.rows[0].changed_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    const id = newId(t.db.info);
    assert.match(id, /^[0-9a-f]{32}$/, "new ids are 32 lowercase hex, as Python writes them");
  } finally {
    await t.close();
  }
});

Deno.test("a 2.0.x database is detected without git_branch and KILLING", async () => {
  const t = await tempDatabase({ from: "2.0" });
  try {
    assert.equal(t.db.info.revision, "90d46abd44a3");
    assert.equal(t.db.info.gitBranch, false);
    assert.equal(t.db.info.killing, false);
    assert.equal(t.db.info.idFormat, "hex");
  } finally {
    await t.close();
  }
});

Deno.test("a copy in the old clone format (uppercase dashed ids) is written in that format", async () => {
  const t = await tempDatabase({ from: "develop" });
  try {
    for (const table of ["Logs", "Queues"]) {
      await t.db.run(
        `UPDATE ${table} SET id = upper(substr(id,1,8)||'-'||substr(id,9,4)||'-'||substr(id,13,4)||'-'||substr(id,17,4)||'-'||substr(id,21))`,
      );
    }
    await t.db.run("DELETE FROM Single_Triggers");
    await t.db.run("DELETE FROM Scheduled_Triggers");
    await t.db.run("DELETE FROM Queue_Triggers");
    await t.db.run("DELETE FROM Triggers");
    const info = await detect(t.db);
    assert.equal(info.idFormat, "dashed-upper");
    const id = newId(info);
    assert.match(id, /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    const [log] = await t.db.query<{ id: string }>("SELECT id FROM Logs LIMIT 1");
    const found = await t.db.query("SELECT id FROM Logs WHERE id = ?", [
      storedId(info, log.id.toLowerCase().replaceAll("-", ""))!,
    ]);
    assert.equal(found.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("an empty file has every table missing, and init creates the schema", async () => {
  const t = await tempDatabase({ empty: true });
  try {
    assert.deepEqual(t.db.info.missingTables, [...SHARED_TABLES]);
    const info = await initSchema(t.db);
    assert.deepEqual(info.missingTables, []);
    assert.equal(info.idFormat, "hex");
    const [ddl] = await t.db.query<{ sql: string }>(
      "SELECT sql FROM sqlite_master WHERE name = 'Logs'",
    );
    assert.match(ddl.sql, /id CHAR\(32\) NOT NULL/);
  } finally {
    await t.close();
  }
});
