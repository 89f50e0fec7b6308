/**
 * Configuration from the environment, compatible with the Flask site this app replaces.
 * Every bad value stops start-up with one line that names the variable and what is wrong.
 * @module
 */
import { isValidKey, keyFingerprint } from "./fernet.ts";
import { escapeControls } from "./log.ts";

/** A SQL Server database and how to log in to it. */
export type MssqlTarget = {
  kind: "mssql";
  /** The host name; empty when a DSN names the server. */
  server: string;
  port?: number;
  instance?: string;
  /** The database; empty when a DSN names it. */
  database: string;
  user?: string;
  password?: string;
  domain?: string;
  /** Windows integrated security (the app pool identity), through ODBC. */
  trusted: boolean;
  encrypt: boolean;
  trustServerCertificate: boolean;
  /** The ODBC data source name, when the string uses one (logged in to through ODBC). */
  dsn?: string;
  /** The ODBC connection string the Python side hands pyodbc: what an ODBC login uses. */
  odbc: string;
};

/** Where the data lives: an SQLite file, or a SQL Server database. */
export type DatabaseTarget =
  | { kind: "sqlite"; path: string; embedded: boolean }
  | MssqlTarget;

/** How a request's user is known. */
export type AuthMode = "none" | "header" | "iis";

/** The format of the alert webhook's body (see the README). */
export type WebhookFormat = "json" | "teams" | "slack";

/** How the alert mail reaches the SMTP server. */
export type SmtpSecurity = "starttls" | "tls" | "none";

/** Where alerts go and when they are raised (`OO_ALERT_*`). */
export type AlertConfig = {
  /** True on the instance that sends alerts (`OO_ALERTS=on`; one instance of several). */
  enabled: boolean;
  webhook: { url: string; format: WebhookFormat } | null;
  smtp: {
    host: string;
    port: number;
    /** `starttls`: upgrade a plain connection (required); `tls`: TLS from the start. */
    security: SmtpSecurity;
    user: string | null;
    password: string | null;
    from: string;
    to: string[];
  } | null;
  /** A scheduler is reported after this many minutes without a ping. */
  schedulerMinutes: number;
  /** A queue is reported when its oldest new element is this many minutes old. */
  queueMinutes: number;
  /** The database is reported after this many minutes unreachable. */
  databaseMinutes: number;
  /** At most one alert per subject (a trigger, a queue, a process…) in this many minutes. */
  repeatMinutes: number;
};

/** The app's whole configuration. */
export type Config = {
  database: DatabaseTarget;
  /** The Fernet key for credentials, when one is configured (or the demo key on the default). */
  key: string | null;
  host: string;
  port: number;
  auth: AuthMode;
  /** The request header that carries the user in `header` mode. */
  authHeader: string;
  /** Users and groups (lower case) that may change things; empty: every authenticated user. */
  admins: string[];
  /** Users and groups (lower case) that may only read. */
  viewers: string[];
  /** The origin browsers use to reach the app (for the CSRF check), when it differs from Host. */
  origin: string | null;
  /** Seconds between two poller rounds. */
  pollSeconds: number;
  /** The app's own folder: the embedded database, the alerts' state. */
  dataDir: string;
  /** The address people reach the app by, for links in alerts (no trailing slash). */
  publicUrl: string;
  /** The bearer token `GET /metrics` asks for; null: no metrics (404). */
  metricsToken: string | null;
  alerts: AlertConfig;
};

/** A configuration value that stops start-up. */
export class ConfigError extends Error {
  /** @param variable the environment variable at fault */
  constructor(variable: string, detail: string) {
    super(`${variable}: ${detail}`);
    this.name = "ConfigError";
  }
}

/** The Fernet key the embedded demo database is encrypted with (named in the README). */
export const DEMO_KEY = "qn1eYnCNdbqYdXEY6u0tS1s3rkCsJfFS8k5XbzPYqK8=";

/**
 * True when the host name or address is on the loopback interface: `localhost`, 127.0.0.0/8,
 * `::1`, and 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.2`, or `::ffff:7f00:2` as URLs write it).
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(h)) return true;
  if (!h.includes(":")) return false;
  try {
    // The URL parser writes an IPv6 address in one canonical form (::ffff:127.0.0.2 becomes
    // ::ffff:7f00:2, 0:0:0:0:0:0:0:1 becomes ::1).
    const canonical = new URL(`http://[${h}]/`).hostname.slice(1, -1);
    return canonical === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
  } catch {
    return false;
  }
}

function splitList(text: string | undefined): string[] {
  return (text ?? "").split(/[,;]/).map((s) => s.trim().toLowerCase()).filter(Boolean);
}

function truthy(text: string | undefined): boolean {
  return /^(yes|true|1|sspi)$/i.test((text ?? "").trim());
}

/** The ODBC driver used when the connection string names none. */
const DEFAULT_ODBC_DRIVER = "ODBC Driver 17 for SQL Server";

/**
 * Whether a driver encrypts when the string does not say: ODBC Driver 18 and later do
 * (mandatory), 17 and the older drivers do not; without a named driver tedious's default (yes).
 */
function encryptsByDefault(driver: string | undefined): boolean {
  if (driver === undefined) return true;
  const version = /ODBC Driver (\d+)/i.exec(driver);
  return version !== null && Number(version[1]) >= 18;
}

/** Decodes `%XX` sequences the way Python's `unquote` does: a bare `%` stays as it is. */
function unquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Reads `key=value;…` pairs as ODBC and ADO do: keys without case, a value in braces may hold
 * `;` and `=` (`}}` is a `}`).
 */
function parseKeyValues(text: string): Map<string, string> {
  const parts = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    const semi = text.indexOf(";", i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      const piece = text.slice(i, semi < 0 ? text.length : semi).trim();
      if (piece) throw new Error(`'${piece}' is not a key=value pair`);
      i = semi < 0 ? text.length : semi + 1;
      continue;
    }
    const key = text.slice(i, eq).trim().toLowerCase().replace(/\s+/g, " ");
    i = eq + 1;
    while (text[i] === " ") i++;
    let value = "";
    if (text[i] === "{") {
      i++;
      for (;;) {
        const close = text.indexOf("}", i);
        if (close < 0) throw new Error(`the value of ${key} has no closing '}'`);
        value += text.slice(i, close);
        i = close + 1;
        if (text[i] !== "}") break;
        value += "}";
        i++;
      }
      const rest = text.indexOf(";", i);
      const tail = text.slice(i, rest < 0 ? text.length : rest).trim();
      if (tail) throw new Error(`unexpected '${tail}' after the braced value of ${key}`);
      i = rest < 0 ? text.length : rest + 1;
    } else {
      const end = semi < 0 ? text.length : semi;
      value = text.slice(i, end).trim();
      i = end + 1;
    }
    parts.set(key, value);
  }
  return parts;
}

/** Quotes an ODBC value in braces when it needs them. */
function odbcValue(value: string): string {
  return /[;{}=\s]/.test(value) || value === "" ? `{${value.replaceAll("}", "}}")}}` : value;
}

/**
 * Reads the parts of an ODBC or ADO connection string. `odbc` is the string to log in with
 * through ODBC; when not given, one is built from the parts (ADO keys are not ODBC keys).
 */
function targetFromPairs(parts: Map<string, string>, odbc?: string): MssqlTarget {
  const pick = (...names: string[]) => names.map((n) => parts.get(n)).find((v) => v !== undefined);
  const dsn = pick("dsn") || undefined;
  const driver = pick("driver");
  const serverText = (pick("server", "data source", "address", "addr") ?? "").replace(/^tcp:/i, "");
  if (!serverText && !dsn) throw new Error("no Server= part (nor a DSN)");
  const database = pick("database", "initial catalog") ?? "";
  if (!database && !dsn) throw new Error("no Database= part (nor a DSN)");
  const [hostPart, portText] = serverText.split(",").map((s) => s.trim());
  const [server, instance] = hostPart.split("\\");
  const rawUser = pick("user id", "uid", "user", "username") ?? "";
  const [domain, user] = rawUser.includes("\\") ? rawUser.split("\\", 2) : [undefined, rawUser];
  const encryptText = pick("encrypt");
  const trustText = pick("trustservercertificate", "trust server certificate");
  const trusted = truthy(pick("trusted_connection", "integrated security")) || !rawUser;
  const password = pick("password", "pwd");
  const built = [
    `Driver=${odbcValue(driver ?? DEFAULT_ODBC_DRIVER)}`,
    `Server=${odbcValue(serverText)}`,
    `Database=${odbcValue(database)}`,
    trusted
      ? "Trusted_Connection=Yes"
      : `UID=${odbcValue(rawUser)};PWD=${odbcValue(password ?? "")}`,
    ...(encryptText === undefined ? [] : [`Encrypt=${truthy(encryptText) ? "yes" : "no"}`]),
    ...(trustText === undefined ? [] : [
      `TrustServerCertificate=${truthy(trustText) ? "yes" : "no"}`,
    ]),
  ].join(";");
  return {
    kind: "mssql",
    server: server ?? "",
    instance: instance || undefined,
    port: portText ? Number(portText) : undefined,
    database: database || dsn || "",
    user: user || undefined,
    domain,
    password,
    trusted,
    encrypt: encryptText === undefined ? encryptsByDefault(driver) : truthy(encryptText),
    trustServerCertificate: truthy(trustText),
    dsn,
    odbc: odbc ?? (dsn ? [...parts].map(([k, v]) => `${k}=${odbcValue(v)}`).join(";") : built),
  };
}

/** SQLAlchemy's URL pattern (`sqlalchemy.engine.url._parse_url`), to split a URL as it does. */
const SQLALCHEMY_URL =
  /^([\w+]+):\/\/(?:([^:/]*)(?::([^@]*))?@)?(?:(?:\[([^/?]+)\]|([^/:?]+))?(?::([^/?]*))?)?(?:\/([^?]*))?(?:\?(.*))?$/s;

/** Python's `parse_qsl`: `+` is a space, `%XX` decoded. */
function parseQuery(text: string): [string, string][] {
  return text.split(/[&;]/).filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    const [k, v] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    return [unquote(k.replaceAll("+", " ")), unquote(v.replaceAll("+", " "))];
  });
}

/**
 * Turns a SQLAlchemy `mssql+…://` URL into the ODBC connection string SQLAlchemy's pyodbc
 * dialect builds from it (`create_connect_args`), and reads that.
 */
function parseMssqlUrl(text: string): MssqlTarget {
  const m = SQLALCHEMY_URL.exec(text);
  if (!m) throw new Error("expected mssql+pyodbc://user:password@server/database");
  const [, , userText, passwordText, ipv6, ipv4, portText, databaseText, queryText] = m;
  const host = unquote(ipv6 ?? ipv4 ?? "");
  if (host.includes("@")) {
    throw new Error(
      `the server '${host}' contains '@': write an '@' in the user or password as %40`,
    );
  }
  const query = parseQuery(queryText ?? "");
  const odbcConnect = query.find(([k]) => k.toLowerCase() === "odbc_connect");
  if (odbcConnect) return targetFromPairs(parseKeyValues(odbcConnect[1]), odbcConnect[1]);
  const user = userText ? unquote(userText) : "";
  const password = passwordText ? unquote(passwordText) : "";
  const database = databaseText ? unquote(databaseText) : "";
  const keys = new Map(query.map(([k, v]) => [k, v]));
  const driverKey = [...keys.keys()].find((k) => k.toLowerCase() === "driver");
  const driver = driverKey ? keys.get(driverKey) : undefined;
  if (driverKey) keys.delete(driverKey);
  if (!host && !keys.has("dsn")) throw new Error("the URL names no server");
  const connectors: string[] = [];
  if (keys.has("dsn") || (host && !database)) {
    connectors.push(`dsn=${odbcValue(host || keys.get("dsn")!)}`);
    keys.delete("dsn");
  } else {
    if (portText && !/^\d+$/.test(portText)) throw new Error("the port is not a number");
    connectors.push(
      `DRIVER={${driver ?? DEFAULT_ODBC_DRIVER}}`,
      `Server=${host}${portText ? `,${Number(portText)}` : ""}`,
      `Database=${odbcValue(database)}`,
    );
  }
  if (user) {
    connectors.push(`UID=${odbcValue(user)}`);
    if (password) connectors.push(`PWD=${odbcValue(password)}`);
  } else if (![...keys.keys()].some((k) => k.toLowerCase() === "trusted_connection")) {
    connectors.push("Trusted_Connection=Yes");
  }
  for (const [k, v] of keys) connectors.push(`${k}=${odbcValue(v)}`);
  const odbc = connectors.join(";");
  return targetFromPairs(parseKeyValues(odbc), odbc);
}

/** Parses `sqlite:///relative.db`, `sqlite:////absolute.db` or a SQLAlchemy `mssql+…://` URL. */
function parseUrl(text: string): DatabaseTarget {
  const sqlite = /^sqlite(?:\+\w+)?:\/\/\/(.+)$/.exec(text);
  if (sqlite) return { kind: "sqlite", path: sqlite[1].replace(/\?.*$/, ""), embedded: false };
  if (!/^mssql(\+\w+)?:\/\//i.test(text)) {
    throw new Error("only sqlite:/// and mssql:// URLs are supported");
  }
  return parseMssqlUrl(text);
}

/** Parses the `OpenOrchestratorSQL` connection string. */
export function parseConnectionString(text: string): DatabaseTarget {
  const trimmed = text.trim();
  const target = /^[a-z+]+:\/\//i.test(trimmed)
    ? parseUrl(trimmed)
    : targetFromPairs(parseKeyValues(trimmed));
  if (target.kind === "mssql" && target.port !== undefined) {
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      throw new Error("the port is not a number from 1 to 65535");
    }
  }
  return target;
}

function parsePort(text: string, variable: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new ConfigError(variable, `'${text}' is not a port number from 1 to 65535`);
  }
  return port;
}

/**
 * Where the embedded default database lives: `OO_DATA_DIR` when set, else the `data` folder
 * beside the executable of a compiled binary (IIS does not promise a working directory), else
 * `./data` under `deno run`.
 */
export function defaultDataDir(env: Record<string, string | undefined>): string {
  const set = env.OO_DATA_DIR?.trim();
  if (set) return set;
  if (!Deno.build.standalone) return "data";
  const exe = Deno.execPath();
  return `${exe.replace(/[\\/][^\\/]*$/, "")}${Deno.build.os === "windows" ? "\\" : "/"}data`;
}

/**
 * Reads the configuration from environment variables.
 * @param env the variables (defaults to the process environment)
 * @param dataDir where the embedded default database lives (default: {@linkcode defaultDataDir})
 */
export function loadConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  dataDir: string = defaultDataDir(env),
): Config {
  const sql = env.OpenOrchestratorSQL?.trim();
  let database: DatabaseTarget;
  if (sql) {
    try {
      database = parseConnectionString(sql);
    } catch (error) {
      throw new ConfigError(
        "OpenOrchestratorSQL",
        `cannot parse the connection string: ${(error as Error).message}`,
      );
    }
  } else {
    database = { kind: "sqlite", path: `${dataDir}/openorchestrator.db`, embedded: true };
  }

  const keyText = env.OpenOrchestratorKey?.trim();
  if (keyText && !isValidKey(keyText)) {
    throw new ConfigError(
      "OpenOrchestratorKey",
      "not a Fernet key (expected 44 characters of url-safe base64 ending in '=')",
    );
  }
  if (
    keyText && database.kind === "mssql" && keyFingerprint(keyText) === keyFingerprint(DEMO_KEY)
  ) {
    // Compared as bytes (in any spelling the key is read in). SQLite files (the demo,
    // `deno task seed`, a bench database) may use it; a real one may not.
    throw new ConfigError(
      "OpenOrchestratorKey",
      "this is the public demo key from the README: use the key your OpenOrchestrator uses",
    );
  }
  const key = keyText || (database.kind === "sqlite" && database.embedded ? DEMO_KEY : null);

  const portText = env.HTTP_PLATFORM_PORT?.trim() || env.PORT?.trim() || "8000";
  const port = parsePort(portText, env.HTTP_PLATFORM_PORT?.trim() ? "HTTP_PLATFORM_PORT" : "PORT");
  const host = env.HOST?.trim() || "127.0.0.1";

  const auth = (env.OO_AUTH?.trim().toLowerCase() || "none") as AuthMode;
  if (!["none", "header", "iis"].includes(auth)) {
    throw new ConfigError("OO_AUTH", `'${env.OO_AUTH}' is not one of none, header, iis`);
  }
  if (auth === "none" && env.HTTP_PLATFORM_PORT?.trim()) {
    throw new ConfigError(
      "OO_AUTH",
      "mode 'none' behind IIS would make every visitor an admin: set OO_AUTH=iis",
    );
  }
  if (auth !== "none" && auth !== "header" && !isLoopback(host)) {
    throw new ConfigError(
      "HOST",
      `the iis mode only serves on loopback (IIS is the only client), but HOST is ${host}`,
    );
  }
  if (auth === "none" && !isLoopback(host)) {
    throw new ConfigError(
      "OO_AUTH",
      `mode 'none' only serves on loopback, but HOST is ${host}: set OO_AUTH=header or iis`,
    );
  }

  const origin = env.OO_ORIGIN?.trim() || null;
  if (origin && !/^https?:\/\/[^/]+$/.test(origin)) {
    throw new ConfigError("OO_ORIGIN", `'${origin}' is not an origin like https://rpa.example`);
  }

  const pollText = env.OO_POLL_SECONDS?.trim() || "10";
  const pollSeconds = Number(pollText);
  if (!/^\d+$/.test(pollText) || pollSeconds < 1 || pollSeconds > 3600) {
    throw new ConfigError(
      "OO_POLL_SECONDS",
      `'${pollText}' is not a number of seconds from 1 to 3600`,
    );
  }

  const publicUrl = (env.OO_PUBLIC_URL?.trim() || origin || `http://${host}:${port}`)
    .replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+(\/.*)?$/.test(publicUrl)) {
    throw new ConfigError(
      "OO_PUBLIC_URL",
      `'${publicUrl}' is not an address like https://rpa.example`,
    );
  }
  const metricsToken = env.OO_METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && metricsToken.length < 16) {
    throw new ConfigError("OO_METRICS_TOKEN", "use at least 16 characters");
  }

  return {
    database,
    key,
    host,
    port,
    auth,
    authHeader: env.OO_AUTH_HEADER?.trim() || "X-Forwarded-User",
    admins: splitList(env.OO_ADMINS),
    viewers: splitList(env.OO_VIEWERS),
    origin,
    pollSeconds,
    dataDir,
    publicUrl,
    metricsToken,
    alerts: loadAlertConfig(env),
  };
}

function minutes(
  env: Record<string, string | undefined>,
  { variable, fallback }: { variable: string; fallback: number },
) {
  const text = env[variable]?.trim() || String(fallback);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 10_080) {
    throw new ConfigError(variable, `'${text}' is not a number of minutes from 1 to 10080`);
  }
  return value;
}

/** A variable that takes one of a few words (in any case); `fallback` when unset. */
function choice<T extends string>(
  env: Record<string, string | undefined>,
  variable: string,
  options: { choices: readonly T[]; fallback: T },
): T {
  const text = env[variable]?.trim().toLowerCase() || options.fallback;
  if (!(options.choices as readonly string[]).includes(text)) {
    throw new ConfigError(variable, `'${text}' is not one of ${options.choices.join(", ")}`);
  }
  return text as T;
}

/** Reads the `OO_ALERT*` variables. */
function loadAlertConfig(env: Record<string, string | undefined>): AlertConfig {
  const switchText = choice(env, "OO_ALERTS", { choices: ["on", "off"], fallback: "off" });
  const url = env.OO_ALERT_WEBHOOK_URL?.trim();
  if (url && !/^https?:\/\/[^/\s]+/.test(url)) {
    throw new ConfigError("OO_ALERT_WEBHOOK_URL", "not an http:// or https:// address");
  }
  const format = choice(env, "OO_ALERT_WEBHOOK_FORMAT", {
    choices: ["json", "teams", "slack"],
    fallback: "json",
  });
  const host = env.OO_ALERT_SMTP_HOST?.trim();
  let smtp: AlertConfig["smtp"] = null;
  if (host) {
    const security = choice(env, "OO_ALERT_SMTP_SECURITY", {
      choices: ["starttls", "tls", "none"],
      fallback: "starttls",
    });
    const portText = env.OO_ALERT_SMTP_PORT?.trim();
    const from = env.OO_ALERT_MAIL_FROM?.trim();
    if (!from) throw new ConfigError("OO_ALERT_MAIL_FROM", "set it: the sender of alert mail");
    const to = (env.OO_ALERT_MAIL_TO ?? "").split(/[,;]/).map((s) => s.trim()).filter(Boolean);
    if (!to.length) throw new ConfigError("OO_ALERT_MAIL_TO", "set it: who gets alert mail");
    smtp = {
      host,
      port: portText ? parsePort(portText, "OO_ALERT_SMTP_PORT") : security === "tls" ? 465 : 587,
      security,
      user: env.OO_ALERT_SMTP_USER?.trim() || null,
      password: env.OO_ALERT_SMTP_PASSWORD || null,
      from,
      to,
    };
  }
  const enabled = switchText === "on";
  if (enabled && !url && !smtp) {
    throw new ConfigError(
      "OO_ALERTS",
      "on, but neither OO_ALERT_WEBHOOK_URL nor OO_ALERT_SMTP_HOST is set",
    );
  }
  return {
    enabled,
    webhook: url ? { url, format } : null,
    smtp,
    schedulerMinutes: minutes(env, { variable: "OO_ALERT_SCHEDULER_MINUTES", fallback: 15 }),
    queueMinutes: minutes(env, { variable: "OO_ALERT_QUEUE_MINUTES", fallback: 60 }),
    databaseMinutes: minutes(env, { variable: "OO_ALERT_DATABASE_MINUTES", fallback: 5 }),
    repeatMinutes: minutes(env, { variable: "OO_ALERT_REPEAT_MINUTES", fallback: 60 }),
  };
}

/**
 * Reads the configuration for an entry point: on a bad value it prints one line
 * ("Cannot start: PORT: …") and exits with status 1.
 * @param action what the entry point does, e.g. "start"
 */
export function loadConfigOrExit(action: string): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(escapeControls(`Cannot ${action}: ${error.message}`));
    Deno.exit(1);
  }
}
