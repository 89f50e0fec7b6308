import assert from "node:assert/strict";
import { DatabaseUnavailableError, QueryTimeoutError, ReadCancelledError } from "./connection.ts";
import { openSqlite } from "./sqlite.ts";
import { tempDatabase } from "./testing.ts";
import { testApp } from "../routes/testing.ts";

/** A read that keeps a connection busy for a while: it counts `n` rows it makes up. */
function slowRead(n: number): string {
  return `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n})
    SELECT COUNT(*) AS n FROM c`;
}

/** What a read asks for to be answered by a reader (a quick read stays on the server's thread). */
const SCAN = { scan: true };

const INSERT = "INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)";
const AT = "2026-01-01 00:00:00.000000";

async function constant(
  query: (sql: string, params: string[]) => Promise<{ value: string }[]>,
  name: string,
): Promise<string | undefined> {
  return (await query("SELECT value FROM Constants WHERE name = ?", [name]))[0]?.value;
}

Deno.test("a slow read on a reader does not hold up a page requested after it", async () => {
  const t = await testApp({ readers: 2 });
  try {
    // Both readers are up (each starts at its first read).
    await Promise.all([t.db.query("SELECT 1", [], SCAN), t.db.query("SELECT 1", [], SCAN)]);
    const order: string[] = [];
    const slow = t.db.query<{ n: number }>(slowRead(5_000_000), [], SCAN).then((rows) => {
      order.push("slow read");
      return rows;
    });
    const page = await t.get("/constants?q=Portal");
    order.push("page");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Portal/);
    assert.deepEqual(await slow, [{ n: 5_000_000 }], "the slow read ran in full");
    assert.deepEqual(order, ["page", "slow read"]);
  } finally {
    await t.close();
  }
});

Deno.test("a reader sees every commit made before its read, and nothing uncommitted", async () => {
  const t = await tempDatabase({ readers: 1 });
  try {
    const read = (sql: string, params: string[]) =>
      t.db.query<{ value: string }>(sql, params, SCAN);
    assert.equal(await constant(read, "a"), undefined, "the reader's connection is open");
    await t.db.run(INSERT, ["a", "1", AT]);
    assert.equal(await constant(read, "a"), "1", "a statement's commit");
    await t.db.transaction(async (tx) => {
      await tx.run("UPDATE Constants SET value = '2' WHERE name = 'a'");
      await tx.run(INSERT, ["b", "1", AT]);
      const inside = (sql: string, params: string[]) => tx.query<{ value: string }>(sql, params);
      assert.equal(await constant(inside, "a"), "2", "a read in the transaction sees it");
      assert.equal(await constant(read, "a"), "1", "a read outside does not, yet");
      assert.equal(await constant(read, "b"), undefined);
    });
    assert.equal(await constant(read, "a"), "2", "a transaction's commit");
    assert.equal(await constant(read, "b"), "1");
  } finally {
    await t.close();
  }
});

Deno.test("a reader's errors: a bad statement stays one, a missing file is an outage", async () => {
  const t = await tempDatabase();
  const moved = `${t.path}.moved`;
  // A reader opens its connection at its first read: the file is not there then.
  const db = openSqlite({ kind: "sqlite", path: t.path, embedded: false }, { readers: 1 });
  try {
    await Deno.rename(t.path, moved);
    await assert.rejects(
      db.query("SELECT COUNT(*) AS n FROM Constants", [], SCAN),
      (error: DatabaseUnavailableError) =>
        error instanceof DatabaseUnavailableError && error.problem === "unreachable" &&
        /^Cannot open the SQLite database .*test\.db: /.test(error.message),
    );
    await Deno.rename(moved, t.path);
    assert.deepEqual(
      await db.query("SELECT COUNT(*) AS n FROM Constants", [], SCAN),
      [{ n: 0 }],
      "it opens again once the file is back",
    );
    await assert.rejects(
      db.query("SELECT * FROM Nope", [], SCAN),
      (error: Error) =>
        !(error instanceof DatabaseUnavailableError) && /no such table: Nope/.test(error.message),
    );
  } finally {
    await db.close();
    await t.close();
  }
});

Deno.test("a read past its time ends with QueryTimeoutError, and another reader takes over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "oo-test-" });
  const db = openSqlite({ kind: "sqlite", path: `${dir}/test.db`, embedded: false }, {
    create: true,
    readers: 1,
    readTimeoutMs: 1000,
  });
  try {
    await db.query("SELECT 1", [], SCAN);
    await assert.rejects(
      db.query(slowRead(15_000_000), [], SCAN),
      (error: QueryTimeoutError) =>
        error instanceof QueryTimeoutError &&
        error.message === "Cannot finish the query: the database did not answer within 1 s. " +
            "Try again, or narrow the filter.",
    );
    assert.deepEqual(
      await db.query("SELECT 2 AS two", [], SCAN),
      [{ two: 2 }],
      "a new reader answers",
    );
  } finally {
    // Closing waits for the timed-out read's connection too.
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("closing the database closes every reader's connection", async () => {
  const t = await tempDatabase({ readers: 2 });
  await Promise.all([t.db.query("SELECT 1", [], SCAN), t.db.query("SELECT 1", [], SCAN)]);
  await t.db.run(INSERT, ["a", "1", AT]);
  await t.db.close();
  // The last connection to close removes the -wal: that was the server's, so no reader's was open.
  await assert.rejects(Deno.stat(`${t.path}-wal`), Deno.errors.NotFound);
  await assert.rejects(t.db.query("SELECT 1", [], SCAN), /not open/);
  await t.close();
});

Deno.test("only a scan goes to a reader: a quick read is answered on the server's connection", async () => {
  const t = await tempDatabase({ readers: 1 });
  try {
    // A temporary table exists only on the connection that made it: the server's.
    await t.db.run("CREATE TEMP TABLE here (x INTEGER)");
    await t.db.run("INSERT INTO here VALUES (1)");
    const rows = await t.db.query<{ x: number }>("SELECT x FROM temp.here");
    assert.deepEqual(rows.map((r) => r.x), [1]);
    await assert.rejects(t.db.query("SELECT x FROM temp.here", [], SCAN), /no such table/);
  } finally {
    await t.close();
  }
});

Deno.test("a scan whose request closes while it waits for the reader is dropped, not run", async () => {
  const t = await testApp({ readers: 1 });
  try {
    await t.db.query("SELECT 1", [], SCAN); // the reader is up
    let slowDone = false;
    const slow = t.db.query(slowRead(5_000_000), [], SCAN).then(() => slowDone = true);
    const gone = new AbortController();
    const waiting = t.db.query("SELECT 2 AS two", [], { scan: true, signal: gone.signal });
    gone.abort();
    await assert.rejects(waiting, ReadCancelledError);
    assert.equal(slowDone, false, "dropped at once, not after the read ahead of it");
    // A request already closed asks for nothing; the page that asked answers 499, quietly.
    const closed = await t.app.request("http://localhost/search/messages?q=timeout", {
      headers: { "HX-Request": "true" },
      signal: gone.signal,
    });
    assert.equal(closed.status, 499);
    await slow;
    assert.deepEqual(
      (await t.db.query<{ two: number }>("SELECT 2 AS two", [], SCAN)).map((r) => r.two),
      [2],
      "the reader goes on",
    );
  } finally {
    await t.close();
  }
});
