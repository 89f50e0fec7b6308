import assert from "node:assert/strict";
import {
  ConfigError,
  defaultDataDir,
  DEMO_KEY,
  isLoopback,
  loadConfig,
  type MssqlTarget,
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

Deno.test("SQLite URLs as the Flask site takes them", () => {
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
});

/** Every SQL Server form SQLAlchemy + pyodbc (and ADO) accept, and what we read from it. */
const MSSQL_FORMS: [string, Partial<MssqlTarget>][] = [
  [
    "mssql+pyodbc://sqlsrv01\\RPA/OpenOrchestrator?driver=ODBC+Driver+17+for+SQL+Server&trusted_connection=yes",
    {
      server: "sqlsrv01",
      instance: "RPA",
      database: "OpenOrchestrator",
      trusted: true,
      encrypt: false,
      odbc:
        "DRIVER={ODBC Driver 17 for SQL Server};Server=sqlsrv01\\RPA;Database=OpenOrchestrator;trusted_connection=yes",
    },
  ],
  [
    // The OpenOrchestrator README's own example: no user at all means integrated security.
    "mssql+pyodbc://localhost\\SQLEXPRESS/OpenOrchestrator?driver=ODBC+Driver+17+for+SQL+Server",
    {
      server: "localhost",
      instance: "SQLEXPRESS",
      trusted: true,
      encrypt: false,
      odbc:
        "DRIVER={ODBC Driver 17 for SQL Server};Server=localhost\\SQLEXPRESS;Database=OpenOrchestrator;Trusted_Connection=Yes",
    },
  ],
  [
    "mssql+pyodbc://db/OO?driver=ODBC+Driver+18+for+SQL+Server",
    { trusted: true, encrypt: true, trustServerCertificate: false },
  ],
  [
    "mssql+pyodbc://db/OO?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes&Encrypt=no",
    { encrypt: false, trustServerCertificate: true },
  ],
  [
    "mssql+pyodbc://rpa_web:p%40ss%3Bword@db.example:1433/OO?TrustServerCertificate=yes",
    {
      server: "db.example",
      port: 1433,
      database: "OO",
      user: "rpa_web",
      password: "p@ss;word",
      trusted: false,
      encrypt: false,
      trustServerCertificate: true,
    },
  ],
  ["mssql+pyodbc://web:pa/ss@db/OO?driver=ODBC+Driver+17+for+SQL+Server", {
    user: "web",
    password: "pa/ss",
    server: "db",
  }],
  ["mssql+pyodbc://web:100%pure@db/OO?driver=ODBC+Driver+17+for+SQL+Server", {
    password: "100%pure",
  }],
  ["mssql+pyodbc://web:a%40b@db,1433/OO?driver=ODBC+Driver+17+for+SQL+Server", {
    password: "a@b",
    server: "db",
    port: 1433,
  }],
  // No driver named: the default driver (17) and its default, no encryption.
  ["mssql+pyodbc://web:pw@db,1444/OO", { server: "db", port: 1444, encrypt: false }],
  ["mssql+pyodbc://@RPA_DSN", {
    dsn: "RPA_DSN",
    server: "",
    database: "RPA_DSN",
    trusted: true,
    odbc: "dsn=RPA_DSN;Trusted_Connection=Yes",
  }],
  ["mssql+pyodbc://web:pw@RPA_DSN", {
    dsn: "RPA_DSN",
    user: "web",
    password: "pw",
    trusted: false,
    odbc: "dsn=RPA_DSN;UID=web;PWD=pw",
  }],
  [
    "mssql+pyodbc:///?odbc_connect=" + encodeURIComponent(
      "DRIVER={ODBC Driver 18 for SQL Server};SERVER=tcp:db.example,1433;DATABASE=OO;" +
        "UID=web;PWD={a;b}};c};Encrypt=yes",
    ),
    {
      server: "db.example",
      port: 1433,
      database: "OO",
      user: "web",
      password: "a;b};c",
      trusted: false,
      encrypt: true,
      odbc:
        "DRIVER={ODBC Driver 18 for SQL Server};SERVER=tcp:db.example,1433;DATABASE=OO;UID=web;PWD={a;b}};c};Encrypt=yes",
    },
  ],
  [
    "mssql+pyodbc://?odbc_connect=DRIVER%3D%7BODBC+Driver+17+for+SQL+Server%7D%3BSERVER%3Dsql01%5CRPA%3BDATABASE%3DOO%3BTrusted_Connection%3Dyes",
    { server: "sql01", instance: "RPA", database: "OO", trusted: true, encrypt: false },
  ],
  [
    "Server=tcp:sqlsrv01\\RPA,1444;Database=OpenOrchestrator;User Id=KOMMUNE\\svc_rpa;Password=x=y;Encrypt=no",
    {
      server: "sqlsrv01",
      instance: "RPA",
      port: 1444,
      database: "OpenOrchestrator",
      domain: "KOMMUNE",
      user: "svc_rpa",
      password: "x=y",
      encrypt: false,
      trusted: false,
    },
  ],
  ["Server=db;Database=OO;User Id=web;Password={a;b}", { password: "a;b", trusted: false }],
  ["Server=db, 1433;Database=OO;User Id=web;Password=pw", { server: "db", port: 1433 }],
  ["Data Source=db;Initial Catalog=OO;Integrated Security=SSPI", {
    server: "db",
    database: "OO",
    trusted: true,
    odbc: "Driver={ODBC Driver 17 for SQL Server};Server=db;Database=OO;Trusted_Connection=Yes",
  }],
  ["Driver={ODBC Driver 18 for SQL Server};Server=db;Database=OO;Trusted_Connection=yes", {
    trusted: true,
    encrypt: true,
    odbc: "Driver={ODBC Driver 18 for SQL Server};Server=db;Database=OO;Trusted_Connection=Yes",
  }],
];

Deno.test("every SQL Server connection string form SQLAlchemy + pyodbc and ADO accept", () => {
  for (const [text, expected] of MSSQL_FORMS) {
    const target = parseConnectionString(text);
    assert.equal(target.kind, "mssql", text);
    const picked = Object.fromEntries(
      Object.keys(expected).map((k) => [k, (target as Record<string, unknown>)[k]]),
    );
    assert.deepEqual(picked, expected, text);
  }
});

Deno.test("forms we cannot read stop start-up with one line naming what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["mssql+pyodbc://web:p@ss@db/OO", /'ss@db' contains '@': write an '@' .* as %40/],
    ["Server=db;Database=OO;Password={open", /no closing '\}'/],
    ["Server=db;Database=OO;Password={a}b", /unexpected 'b' after the braced value/],
    ["mssql+pyodbc:///OO", /names no server/],
    ["mssql+pyodbc://db:14x3/OO", /port/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => loadConfig({ OpenOrchestratorSQL: text }), (error: Error) => {
      assert.ok(error instanceof ConfigError, text);
      assert.match(error.message, /^OpenOrchestratorSQL: cannot parse the connection string: /);
      assert.match(error.message, message, text);
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    });
  }
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

Deno.test("alerts and metrics: off by default, every bad value named", () => {
  const plain = loadConfig({ OO_ORIGIN: "https://rpa.example" }, "/srv/oo-data");
  assert.equal(plain.alerts.enabled, false);
  assert.equal(plain.alerts.webhook, null);
  assert.equal(plain.alerts.smtp, null);
  assert.equal(plain.metricsToken, null);
  assert.equal(plain.dataDir, "/srv/oo-data");
  assert.equal(plain.publicUrl, "https://rpa.example", "links default to OO_ORIGIN");
  assert.equal(loadConfig({}, "data").publicUrl, "http://127.0.0.1:8000");

  const on = loadConfig({
    OO_ALERTS: "ON",
    OO_ALERT_WEBHOOK_URL: "https://example.webhook.office.com/x",
    OO_ALERT_WEBHOOK_FORMAT: "teams",
    OO_ALERT_SMTP_HOST: "smtp.example",
    OO_ALERT_SMTP_SECURITY: "tls",
    OO_ALERT_MAIL_FROM: "rpa@example",
    OO_ALERT_MAIL_TO: "a@example; b@example",
    OO_ALERT_QUEUE_MINUTES: "30",
    OO_PUBLIC_URL: "https://rpa.example/oo/",
    OO_METRICS_TOKEN: "0123456789abcdef",
  }, "data");
  assert.equal(on.alerts.enabled, true);
  assert.deepEqual(on.alerts.webhook, {
    url: "https://example.webhook.office.com/x",
    format: "teams",
  });
  assert.deepEqual(on.alerts.smtp, {
    host: "smtp.example",
    port: 465,
    security: "tls",
    user: null,
    password: null,
    from: "rpa@example",
    to: ["a@example", "b@example"],
  });
  assert.equal(on.alerts.queueMinutes, 30);
  assert.equal(on.alerts.repeatMinutes, 60);
  assert.equal(on.publicUrl, "https://rpa.example/oo");
  assert.equal(on.metricsToken, "0123456789abcdef");

  for (
    const [env, variable] of [
      [{ OO_ALERTS: "yes" }, "OO_ALERTS"],
      [{ OO_ALERTS: "on" }, "OO_ALERTS"],
      [{ OO_ALERT_WEBHOOK_URL: "ftp://x" }, "OO_ALERT_WEBHOOK_URL"],
      [{ OO_ALERT_WEBHOOK_FORMAT: "discord" }, "OO_ALERT_WEBHOOK_FORMAT"],
      [{ OO_ALERT_SMTP_HOST: "smtp.example", OO_ALERT_MAIL_TO: "a@example" }, "OO_ALERT_MAIL_FROM"],
      [{ OO_ALERT_SMTP_HOST: "smtp.example", OO_ALERT_MAIL_FROM: "a@example" }, "OO_ALERT_MAIL_TO"],
      [{ OO_ALERT_SMTP_HOST: "s", OO_ALERT_SMTP_SECURITY: "ssl" }, "OO_ALERT_SMTP_SECURITY"],
      [{ OO_ALERT_SCHEDULER_MINUTES: "0" }, "OO_ALERT_SCHEDULER_MINUTES"],
      [{ OO_ALERT_REPEAT_MINUTES: "1.5" }, "OO_ALERT_REPEAT_MINUTES"],
      [{ OO_PUBLIC_URL: "rpa.example" }, "OO_PUBLIC_URL"],
      [{ OO_METRICS_TOKEN: "short" }, "OO_METRICS_TOKEN"],
    ] as [Record<string, string>, string][]
  ) {
    assert.throws(
      () => loadConfig(env, "data"),
      (error: Error) => error instanceof ConfigError && error.message.startsWith(`${variable}:`),
      JSON.stringify(env),
    );
  }
});
