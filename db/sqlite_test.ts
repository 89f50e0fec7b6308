import assert from "node:assert/strict";
import { tempDatabase } from "./testing.ts";

Deno.test("SQLite rows are objects keyed by column name; a repeated name keeps its last value", async () => {
  const t = await tempDatabase({ empty: true });
  try {
    assert.equal(await t.db.run("CREATE TABLE t (a TEXT, b INTEGER)"), 0);
    assert.equal(await t.db.run("INSERT INTO t VALUES ('x', 1), ('y', NULL)"), 2);
    const rows = await t.db.query<Record<string, unknown>>(
      "SELECT b, a, a AS same, b AS same FROM t ORDER BY a",
    );
    assert.deepEqual(rows, [{ b: 1, a: "x", same: 1 }, { b: null, a: "y", same: null }]);
    assert.deepEqual(Object.keys(rows[0]), ["b", "a", "same"]);
    assert.deepEqual(await t.db.query("SELECT a FROM t WHERE a = ?", ["none"]), []);
  } finally {
    await t.close();
  }
});
