import assert from "node:assert/strict";
import {
  ConfigError,
  defaultDataDir,
  DEMO_KEY,
  isLoopback,
  loadConfig,
  parseConnectionString,
} from "./config.ts";

Deno.test("no OpenOrchestratorSQL means the embedded SQLite default with the demo key", () => {
  const config = loadConfig({}, "data");
  assert.deepEqual(config.database, {
    kind: "sqlite",
    path: "data/openorchestrator.db",
    embedded: true,
  });
  assert.equal(config.key, DEMO_KEY);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 8000);
  assert.equal(config.auth, "none");
});

Deno.test("SQLAlchemy URLs as the Flask site takes them", () => {
  assert.deepEqual(parseConnectionString("sqlite:///relative/oo.db"), {
    kind: "sqlite",
    path: "relative/oo.db",
    embedded: false,
  });
  assert.deepEqual(parseConnectionString("sqlite:////abs/oo.db"), {
    kind: "sqlite",
    path: "/abs/oo.db",
    embedded: false,
  });
  const trusted = parseConnectionString(
    "mssql+pyodbc://sqlsrv01\\RPA/OpenOrchestrator?driver=ODBC+Driver+17+for+SQL+Server&trusted_connection=yes",
  );
  assert.equal(trusted.kind, "mssql");
  if (trusted.kind !== "mssql") return;
  assert.equal(trusted.server, "sqlsrv01");
  assert.equal(trusted.instance, "RPA");
  assert.equal(trusted.database, "OpenOrchestrator");
  assert.equal(trusted.trusted, true);
  const login = parseConnectionString(
    "mssql+pyodbc://rpa_web:p%40ss%3Bword@db.example:1433/OO?TrustServerCertificate=yes",
  );
  assert.deepEqual(login, {
    kind: "mssql",
    server: "db.example",
    instance: undefined,
    port: 1433,
    database: "OO",
    user: "rpa_web",
    domain: undefined,
    password: "p@ss;word",
    trusted: false,
    encrypt: true,
    trustServerCertificate: true,
  });
});

Deno.test("ADO-style connection strings, with domain users and instances", () => {
  const ado = parseConnectionString(
    "Server=tcp:sqlsrv01\\RPA,1444;Database=OpenOrchestrator;User Id=KOMMUNE\\svc_rpa;Password=x=y;Encrypt=no",
  );
  assert.equal(ado.kind, "mssql");
  if (ado.kind !== "mssql") return;
  assert.deepEqual(
    [
      ado.server,
      ado.instance,
      ado.port,
      ado.database,
      ado.domain,
      ado.user,
      ado.password,
      ado.encrypt,
    ],
    ["sqlsrv01", "RPA", 1444, "OpenOrchestrator", "KOMMUNE", "svc_rpa", "x=y", false],
  );
  const integrated = parseConnectionString(
    "Data Source=db;Initial Catalog=OO;Integrated Security=SSPI",
  );
  assert.equal(integrated.kind === "mssql" && integrated.trusted, true);
});

Deno.test("a bad value stops start-up with one line naming the variable", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { OpenOrchestratorSQL: "postgres://x/y" },
      /^OpenOrchestratorSQL: cannot parse the connection string: only sqlite/,
    ],
    [{ OpenOrchestratorSQL: "Server=db" }, /^OpenOrchestratorSQL: .*no Database= part/],
    [{ OpenOrchestratorSQL: "Database=x" }, /^OpenOrchestratorSQL: .*no Server= part/],
    [{ OpenOrchestratorSQL: "mssql://db:99999/x" }, /^OpenOrchestratorSQL: /],
    [{ OpenOrchestratorKey: "short" }, /^OpenOrchestratorKey: not a Fernet key/],
    // Python's Fernet refuses a key without its padding.
    [{ OpenOrchestratorKey: DEMO_KEY.slice(0, -1) }, /^OpenOrchestratorKey: not a Fernet key/],
    [{ PORT: "80a" }, /^PORT: '80a' is not a port number/],
    [{ HTTP_PLATFORM_PORT: "0" }, /^HTTP_PLATFORM_PORT: /],
    [{ OO_AUTH: "kerberos" }, /^OO_AUTH: 'kerberos' is not one of none, header, iis/],
    [{ HOST: "0.0.0.0" }, /^OO_AUTH: mode 'none' only serves on loopback/],
    [{ HTTP_PLATFORM_PORT: "8000" }, /^OO_AUTH: mode 'none' behind IIS/],
    [{ OO_AUTH: "iis", HOST: "0.0.0.0" }, /^HOST: the iis mode only serves on loopback/],
    [{ OO_ORIGIN: "rpa.example" }, /^OO_ORIGIN: /],
    [{ OO_POLL_SECONDS: "0" }, /^OO_POLL_SECONDS: /],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (error: Error) => {
      assert.ok(error instanceof ConfigError, JSON.stringify(env));
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    });
  }
});

Deno.test("HTTP_PLATFORM_PORT wins over PORT; lists are case-insensitive", () => {
  const config = loadConfig({
    OpenOrchestratorSQL: "Server=db;Database=OO;User Id=u;Password=p",
    PORT: "8000",
    HTTP_PLATFORM_PORT: "31337",
    OO_AUTH: "IIS",
    OO_ADMINS: "KOMMUNE\\RPA-Admins; alice",
    OO_VIEWERS: "Domain Users",
  });
  assert.equal(config.port, 31337);
  assert.equal(config.auth, "iis");
  assert.deepEqual(config.admins, ["kommune\\rpa-admins", "alice"]);
  assert.deepEqual(config.viewers, ["domain users"]);
  assert.equal(config.key, null, "no demo key for a configured database");
});

Deno.test("the public demo key is refused for a SQL Server database, with one line", () => {
  const sql = "Server=SQL01;Database=OpenOrchestrator;User Id=oo;Password=x";
  assert.throws(
    () => loadConfig({ OpenOrchestratorSQL: sql, OpenOrchestratorKey: ` ${DEMO_KEY} ` }),
    {
      name: "ConfigError",
      message: "OpenOrchestratorKey: this is the public demo key from the README: " +
        "use the key your OpenOrchestrator uses",
    },
  );
  const spelled = DEMO_KEY.slice(0, 20) + "\n" + DEMO_KEY.slice(20);
  assert.throws(
    () => loadConfig({ OpenOrchestratorSQL: sql, OpenOrchestratorKey: spelled }),
    /public demo key/,
    "in any spelling the key is read in",
  );
  const other = "x".repeat(43) + "=";
  assert.equal(loadConfig({ OpenOrchestratorSQL: sql, OpenOrchestratorKey: other }).key, other);
  // A demo SQLite file (deno task seed) is encrypted with it.
  const demo = { OpenOrchestratorSQL: "sqlite:///demo.db", OpenOrchestratorKey: DEMO_KEY };
  assert.equal(loadConfig(demo).key, DEMO_KEY);
});

Deno.test("loopback detection", () => {
  const loopback = [
    ...["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"],
    // All of 127.0.0.0/8 mapped into IPv6, in every spelling (URLs write [::ffff:7f00:2]).
    ...["::ffff:127.0.0.2", "::FFFF:127.255.255.254", "[::ffff:7f00:2]", "0:0:0:0:0:ffff:7f01:203"],
    "0:0:0:0:0:0:0:1",
  ];
  for (const host of loopback) {
    assert.equal(isLoopback(host), true, host);
  }
  const others = ["0.0.0.0", "10.0.0.1", "example.org", "::", "::2", "::ffff:128.0.0.1"];
  others.push("::ffff:10.0.0.1", "::ffff:7e00:1", "64:ff9b::127.0.0.1", "::127.0.0.1", ":::1");
  for (const host of others) {
    assert.equal(isLoopback(host), false, host);
  }
});

Deno.test("the embedded database lives in OO_DATA_DIR, else ./data under deno run", () => {
  assert.equal(defaultDataDir({}), "data");
  assert.equal(defaultDataDir({ OO_DATA_DIR: " D:\\oo-data " }), "D:\\oo-data");
  const config = loadConfig({ OO_DATA_DIR: "/srv/oo" });
  assert.deepEqual(config.database, {
    kind: "sqlite",
    path: "/srv/oo/openorchestrator.db",
    embedded: true,
  });
});

Deno.test("OpenOrchestratorKey takes every spelling Python's Fernet takes", () => {
  // The standard base64 alphabet ('+' and '/') as well as the url-safe one.
  const standard = "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=";
  const config = loadConfig({
    OpenOrchestratorSQL: "sqlite:///x.db",
    OpenOrchestratorKey: standard,
  });
  assert.equal(config.key, standard);
});
