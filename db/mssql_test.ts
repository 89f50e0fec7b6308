import assert from "node:assert/strict";
// @ts-types="npm:@types/mssql@12.3.0"
import sql from "mssql";
import { parseConnectionString } from "../lib/config.ts";
import { DatabaseUnavailableError } from "./connection.ts";
import { newId } from "./ids.ts";
import { dateToTime, timeToDate } from "../lib/time.ts";
import {
  isOutage,
  isQueryTimeout,
  loadOdbcDriver,
  mssqlDialect,
  newPool,
  odbcConfig,
  openMssql,
  poolConfig,
  retryDeadlockOnce,
  usesOdbc,
} from "./mssql.ts";

function target(text: string) {
  const parsed = parseConnectionString(text);
  if (parsed.kind !== "mssql") throw new Error("not mssql");
  return parsed;
}

Deno.test("the pool logs in with SQL or NTLM credentials through tedious", () => {
  const sqlLogin = poolConfig(target("Server=db,1444;Database=OO;User Id=web;Password=pw"));
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
  assert.equal(usesOdbc(target("Server=db;Database=OO;User Id=web;Password=pw")), false);
});

Deno.test("integrated security and DSNs log in through ODBC with the Python side's string", () => {
  const trusted = target(
    "mssql+pyodbc://sql01\\RPA/OO?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes",
  );
  assert.equal(usesOdbc(trusted), true);
  const config = odbcConfig(trusted) as sql.config & { connectionString: string };
  assert.equal(config.driver, "msnodesqlv8");
  assert.equal(
    config.connectionString,
    "DRIVER={ODBC Driver 18 for SQL Server};Server=sql01\\RPA;Database=OO;Trusted_Connection=Yes;TrustServerCertificate=yes",
  );
  assert.equal(usesOdbc(target("mssql+pyodbc://web:pw@RPA_DSN")), true);
  assert.equal(
    usesOdbc(target("mssql+pyodbc://a@b.dk:pw@db/OO?authentication=ActiveDirectoryPassword")),
    true,
  );
});

Deno.test("pages time out after 30 s; scripts (index builds, clones) never do", () => {
  const login = target("Server=db;Database=OO;User Id=web;Password=pw");
  assert.equal(poolConfig(login).requestTimeout, 30_000);
  assert.equal(poolConfig(login, { script: true }).requestTimeout, 0);
  assert.equal(odbcConfig(target("Server=db;Database=OO"), { script: true }).requestTimeout, 0);
});

Deno.test("scripts that open a database open it without a request timeout", async () => {
  for (const script of ["db_optimize.ts", "clonedb.ts", "db_init.ts"]) {
    const text = await Deno.readTextFile(new URL(`../scripts/${script}`, import.meta.url));
    const opens = [...text.matchAll(/openDatabase\(([^;]*)\)/g)];
    assert.ok(opens.length > 0, script);
    for (const [call] of opens) assert.match(call, /script: true/, `${script}: ${call}`);
  }
});

Deno.test("a query timeout is not an outage; a connect timeout or a lost socket is", () => {
  const slow = new sql.RequestError("Timeout: Request failed to complete in 30000ms", "ETIMEOUT");
  assert.equal(isOutage(slow), false);
  assert.equal(isQueryTimeout(slow), true);
  const connect = new sql.ConnectionError("Failed to connect in 10000ms", "ETIMEOUT");
  assert.equal(isOutage(connect), true);
  assert.equal(isQueryTimeout(connect), false);
  assert.equal(isOutage(new sql.RequestError("Connection lost", "ECONNCLOSED")), true);
  assert.equal(isOutage(new sql.RequestError("Invalid column name 'x'.", "EREQUEST")), false);
});

Deno.test("a deadlock victim (1205) is tried once more; other errors are not", async () => {
  const victim = Object.assign(new sql.RequestError("Transaction was deadlocked", "EREQUEST"), {
    number: 1205,
  });
  let calls = 0;
  assert.equal(
    await retryDeadlockOnce(() => (calls++ === 0 ? Promise.reject(victim) : Promise.resolve(7))),
    7,
  );
  assert.equal(calls, 2);
  calls = 0;
  await assert.rejects(retryDeadlockOnce(() => (calls++, Promise.reject(victim))), /deadlocked/);
  assert.equal(calls, 2, "only once more");
  calls = 0;
  await assert.rejects(
    retryDeadlockOnce(() => (calls++, Promise.reject(new Error("syntax")))),
    /syntax/,
  );
  assert.equal(calls, 1);
});

Deno.test("a driver error emitted on the pool is logged, never thrown", () => {
  const pool = newPool(sql, poolConfig(target("Server=db;Database=OO;User Id=u;Password=p")));
  const logged: unknown[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    pool.emit("error", new Error("socket hang up"));
  } finally {
    console.error = error;
  }
  assert.match(String(logged[0]), /socket hang up/);
});

Deno.test("on SQL Server ids are GUIDs even before the server first answers", async () => {
  const db = openMssql(target("Server=127.0.0.1,1;Database=OO;User Id=u;Password=p"));
  try {
    assert.equal(db.info.idFormat, "guid");
    assert.match(
      newId(db.info),
      /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
    );
  } finally {
    await db.close();
  }
});

Deno.test("naive times in the spring-forward gap round-trip exactly, in any zone", async () => {
  // The test process may run in UTC: the binding and reading are checked in zones with a DST
  // gap, where a local Date for 02:30 on the change day does not exist.
  const here = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `
    import { dateToTime } from ${here("../lib/time.ts")};
    import { bindParams } from ${here("./mssql.ts")};
    const times = ["2026-03-29 02:30:00.123000", "2026-03-08 02:30:00.000000", "1999-12-31 23:59:59.997000"];
    const bound = [];
    bindParams({ input: (_name, _type, value) => bound.push(value) }, { text: "?", params: times.map((time) => ({ time })) });
    // useUTC: tedious sends a Date's UTC components and reads DATETIME into them.
    console.log(JSON.stringify(bound.map((date) => dateToTime(date))));`;
  for (const zone of ["Europe/Copenhagen", "America/New_York"]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      cwd: new URL("..", import.meta.url).pathname,
      env: { TZ: zone },
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), [
      "2026-03-29 02:30:00.123000",
      "2026-03-08 02:30:00.000000",
      "1999-12-31 23:59:59.997000",
    ], zone);
  }
  assert.equal(dateToTime(timeToDate("2026-03-29 02:30:00.5")), "2026-03-29 02:30:00.500000");
  assert.equal(
    poolConfig(target("Server=db;Database=OO;User Id=u;Password=p")).options?.useUTC,
    true,
  );
  assert.equal(odbcConfig(target("Server=db;Database=OO")).options?.useUTC, true);
});

Deno.test("the msnodesqlv8 ODBC driver loads under Deno", async () => {
  const driver = await loadOdbcDriver();
  assert.equal(typeof driver.ConnectionPool, "function");
});

Deno.test("integrated login to an unreachable server ends in a message naming the server", async () => {
  // FreeTDS stands in for Microsoft's ODBC driver; port 1 on loopback refuses at once.
  const db = openMssql(target("mssql+pyodbc://127.0.0.1,1/OO_test?driver=FreeTDS"));
  try {
    await assert.rejects(db.query("SELECT 1"), (error: Error) => {
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.match(error.message, /SQL Server 127\.0\.0\.1,1 \(database OO_test\)/);
      assert.doesNotMatch(error.message, /did not load/);
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
  assert.equal(
    mssqlDialect.firstRows("SELECT id FROM Queues WHERE status = ?", 4000),
    "SELECT TOP (4000) id FROM Queues WHERE status = ?",
  );
});

Deno.test("an ODBC data source that does not exist is named in the outage message", async () => {
  const db = openMssql(target("mssql+pyodbc://@NoSuchDsn"));
  try {
    await assert.rejects(db.query("SELECT 1"), (error: Error) => {
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.match(error.message, /the ODBC data source NoSuchDsn: .*not found/);
      return true;
    });
  } finally {
    await db.close();
  }
});
