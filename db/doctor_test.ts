import assert from "node:assert/strict";
import { formatChecks, runDoctor } from "./doctor.ts";
import { openMssql } from "./mssql.ts";
import { contractTest } from "./testing.ts";
import { parseConnectionString } from "../lib/config.ts";
import type { MssqlTarget } from "../lib/config.ts";

contractTest("the doctor finds nothing failed on a new database", async (db) => {
  const checks = await runDoctor(db);
  const failed = checks.filter((c) => c.status === "FAIL");
  assert.deepEqual(failed, [], formatChecks(checks));
  const names = checks.map((c) => c.check);
  for (const name of ["reachable", "login", "schema", "indexes", "writes", "read: Logs"]) {
    assert.ok(names.includes(name), name);
  }
  if (db.dialect.name === "mssql") assert.ok(names.includes("permissions"));
});

Deno.test("the doctor stops at one FAIL line when the server cannot be reached", async () => {
  const target = parseConnectionString(
    "Server=127.0.0.1,1;Database=OO;User Id=u;Password=p",
  ) as MssqlTarget;
  const db = openMssql(target);
  try {
    const checks = await runDoctor(db);
    assert.equal(checks.length, 1);
    assert.equal(checks[0].status, "FAIL");
    assert.match(checks[0].result, /SQL Server 127\.0\.0\.1,1 \(database OO\)/);
  } finally {
    await db.close();
  }
});
