import assert from "node:assert/strict";
import { checkTsql, fitsCp1252, MAX_PARAMS } from "./tsql_check.ts";
import { recordingDb, sqliteSpelling } from "./recording.ts";
import type { RecordedStatement } from "./tsql_check.ts";
import { tempDatabase } from "./testing.ts";
import { listConstants } from "./constants.ts";
import { initSchema } from "./schema.ts";
import { likePattern, prefixPattern } from "./sql.ts";

const varchar = (name: string, value: string) => ({ name, type: "varchar", value });

Deno.test("the T-SQL check passes what SQL Server runs", () => {
  for (
    const text of [
      "SELECT name, value FROM Constants WHERE (name LIKE @p0 ESCAPE '\\') ORDER BY value ASC, name ASC OFFSET 0 ROWS FETCH NEXT 25 ROWS ONLY",
      "SELECT DISTINCT TOP (1000) queue_name AS name FROM Queues",
      "DELETE FROM Logs WHERE id IN (SELECT id FROM Logs WHERE process_name = @p0 ORDER BY log_time OFFSET 0 ROWS FETCH NEXT 4000 ROWS ONLY)",
      "CREATE INDEX ix ON Logs (log_time) INCLUDE (process_name, log_level)",
      "SELECT TABLE_NAME AS name FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'dbo'",
      "SELECT 'a || b, \"quoted\", LIMIT 5, TRUE' AS text",
    ]
  ) {
    assert.deepEqual(checkTsql({ text, params: [varchar("p0", "x")] }), [], text);
  }
  const like = "SELECT id FROM Queues WHERE reference LIKE @p0 ESCAPE '\\'";
  for (const pattern of [likePattern("a[b"), prefixPattern("\\[x]_%")]) {
    assert.deepEqual(checkTsql({ text: like, params: [varchar("p0", pattern)] }), [], pattern);
  }
});

Deno.test("the T-SQL check finds what SQL Server refuses and SQLite accepts", () => {
  const cases: [RecordedStatement, RegExp][] = [
    [
      { text: "SELECT name FROM Constants ORDER BY name ASC, name ASC", params: [] },
      /ORDER BY names name twice/,
    ],
    [
      { text: "SELECT t.id FROM Triggers t ORDER BY id DESC, t.id DESC", params: [] },
      /ORDER BY names id twice/,
    ],
    [{ text: "SELECT id FROM Logs OFFSET 5 ROWS", params: [] }, /parse|OFFSET/],
    [{ text: "SELECT id FROM Logs LIMIT 5", params: [] }, /LIMIT is not T-SQL/],
    [{ text: "SELECT id FROM Triggers WHERE is_blocking = TRUE", params: [] }, /TRUE\/FALSE/],
    [{ text: "SELECT 'a' || name FROM Constants", params: [] }, /\|\| is not T-SQL/],
    [{ text: 'SELECT id FROM "Logs"', params: [] }, /double-quoted/],
    [
      {
        text: "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE'",
        params: [],
      },
      /ignores TABLE_SCHEMA/,
    ],
    [
      {
        text: "SELECT id FROM Logs WHERE id IN (@p0)",
        params: Array.from({ length: MAX_PARAMS + 1 }, (_, i) => varchar(`p${i}`, "x")),
      },
      /2101 parameters/,
    ],
    [
      {
        text: "SELECT value FROM Constants WHERE name = @p0",
        params: [{ name: "p0", type: "nvarchar", value: "x" }],
      },
      /@p0 is bound as nvarchar/,
    ],
    [
      {
        text: "INSERT INTO Logs (log_message) VALUES (@p0)",
        params: [varchar("p0", 'changed "a" → "b"')],
      },
      /stores as '\?'/,
    ],
    [
      {
        text: "SELECT id FROM Queues WHERE reference LIKE @p0 ESCAPE '\\'",
        params: [varchar("p0", "A\\_[B%")],
      },
      /@p0 is a LIKE pattern with an unescaped \[/,
    ],
  ];
  for (const [statement, problem] of cases) {
    const problems = checkTsql(statement);
    assert.ok(problems.some((p) => problem.test(p)), `${statement.text}: ${problems}`);
  }
});

Deno.test("Windows-1252 holds Danish letters and typographic quotes, not arrows", () => {
  assert.equal(fitsCp1252("Ærø – “Åbenrå” €"), true);
  assert.equal(fitsCp1252("a → b"), false);
});

Deno.test("the recorder binds as SQL Server does and runs the SQLite spelling", async () => {
  const t = await tempDatabase({ seed: true });
  try {
    const log: RecordedStatement[] = [];
    const db = recordingDb(t.db, log);
    const page = await listConstants(db, { q: "", sort: "name", dir: "asc", page: 1, size: 25 });
    assert.ok(page.total > 0);
    assert.match(
      log[0].text,
      /ORDER BY name ASC OFFSET 0 ROWS FETCH NEXT 25 ROWS ONLY\) ORDER BY name ASC$/,
    );
    assert.equal(
      sqliteSpelling("SELECT DISTINCT TOP (9) a FROM t", []).sql,
      "SELECT DISTINCT a FROM t LIMIT 9",
    );
  } finally {
    await t.close();
  }
});

Deno.test("on SQL Server the schema names dbo, Logs gets the covering log_time index, Queues(reference)", async () => {
  const t = await tempDatabase({ empty: true });
  try {
    const log: RecordedStatement[] = [];
    const db = recordingDb(t.db, log);
    const info = await initSchema(db);
    assert.equal(info.idFormat, "guid");
    const texts = log.map((s) => s.text);
    assert.ok(
      texts.includes(
        "CREATE INDEX ix_oo_web_Logs_time_covering ON Logs (log_time) INCLUDE (process_name, log_level)",
      ),
    );
    assert.ok(!texts.some((s) => s.includes("ix_oo_web_Logs_time ")), "not the plain one");
    assert.ok(texts.includes("CREATE INDEX ix_oo_web_Queues_reference ON Queues (reference)"));
    const catalog = texts.filter((s) => s.includes("INFORMATION_SCHEMA"));
    assert.ok(catalog.length > 0);
    for (const s of catalog) assert.match(s, /TABLE_SCHEMA = 'dbo'/);
  } finally {
    await t.close();
  }
});
