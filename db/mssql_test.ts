import assert from "node:assert/strict";
import { parseConnectionString } from "../lib/config.ts";
import { DatabaseUnavailableError } from "./connection.ts";
import { mssqlDialect, openMssql, poolConfig } from "./mssql.ts";

function target(text: string) {
  const parsed = parseConnectionString(text);
  if (parsed.kind !== "mssql") throw new Error("not mssql");
  return parsed;
}

Deno.test("the pool reads and writes local time, and logs in with SQL or NTLM credentials", () => {
  const sqlLogin = poolConfig(target("Server=db,1444;Database=OO;User Id=web;Password=pw"));
  assert.equal(sqlLogin.options?.useUTC, false);
  assert.deepEqual([sqlLogin.server, sqlLogin.port, sqlLogin.user, sqlLogin.password], [
    "db",
    1444,
    "web",
    "pw",
  ]);
  const ntlm = poolConfig(target("Server=db\\RPA;Database=OO;User Id=KOMMUNE\\svc;Password=pw"));
  assert.deepEqual(ntlm.authentication, {
    type: "ntlm",
    options: { domain: "KOMMUNE", userName: "svc", password: "pw" },
  });
  assert.equal(ntlm.options?.instanceName, "RPA");
});

Deno.test("integrated security without the msnodesqlv8 driver says what to use instead", async () => {
  const db = openMssql(target("Server=db;Database=OO;Trusted_Connection=yes"));
  try {
    await assert.rejects(db.query("SELECT 1"), (error: Error) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.match(error.message, /msnodesqlv8/);
      assert.match(error.message, /SQL login/);
      assert.match(error.message, /NTLM/);
      return true;
    });
  } finally {
    await db.close();
  }
});

Deno.test("SQL Server pages with OFFSET … FETCH and refuses non-integers in the SQL text", () => {
  assert.equal(mssqlDialect.page(25, 50), " OFFSET 50 ROWS FETCH NEXT 25 ROWS ONLY");
  assert.throws(() => mssqlDialect.page(1.5, 0), /not a row count/);
  assert.throws(() => mssqlDialect.page(10, -1), /not a row count/);
});
