/**
 * Configuration from the environment, compatible with the Flask site this app replaces.
 * Every bad value stops start-up with one line that names the variable and what is wrong.
 * @module
 */
import { isValidKey, keyFingerprint } from "./fernet.ts";
import { escapeControls } from "./log.ts";

/** Where the data lives: an SQLite file, or a SQL Server database. */
export type DatabaseTarget =
  | { kind: "sqlite"; path: string; embedded: boolean }
  | {
    kind: "mssql";
    server: string;
    port?: number;
    instance?: string;
    database: string;
    user?: string;
    password?: string;
    domain?: string;
    trusted: boolean;
    encrypt: boolean;
    trustServerCertificate: boolean;
  };

/** How a request's user is known. */
export type AuthMode = "none" | "header" | "iis";

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

/** The connection-string parts both spellings have, as text. */
type MssqlParts = {
  server: string;
  instance?: string;
  port?: string;
  database: string;
  /** `user` or `DOMAIN\user` (NTLM); empty means Windows integrated security. */
  user?: string;
  password?: string;
  trusted?: string;
  encrypt?: string;
  trustServerCertificate?: string;
};

function mssqlTarget(parts: MssqlParts): DatabaseTarget {
  const rawUser = parts.user ?? "";
  const [domain, user] = rawUser.includes("\\") ? rawUser.split("\\", 2) : [undefined, rawUser];
  return {
    kind: "mssql",
    server: parts.server,
    instance: parts.instance,
    port: parts.port ? Number(parts.port) : undefined,
    database: parts.database,
    user: user || undefined,
    domain,
    password: parts.password,
    trusted: truthy(parts.trusted) || !rawUser,
    encrypt: truthy(parts.encrypt ?? "yes"),
    trustServerCertificate: truthy(parts.trustServerCertificate),
  };
}

/** Parses `sqlite:///relative.db`, `sqlite:////absolute.db` or a SQLAlchemy `mssql+…://` URL. */
function parseUrl(text: string): DatabaseTarget {
  const sqlite = /^sqlite(?:\+\w+)?:\/\/\/(.+)$/.exec(text);
  if (sqlite) return { kind: "sqlite", path: sqlite[1].replace(/\?.*$/, ""), embedded: false };
  const m = /^mssql(?:\+\w+)?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]+)\/([^?]*)(?:\?(.*))?$/.exec(
    text,
  );
  if (!m) {
    if (!/^mssql(\+\w+)?:\/\//.test(text)) {
      throw new Error("only sqlite:/// and mssql:// URLs are supported");
    }
    throw new Error("expected mssql+pyodbc://user:password@server/database");
  }
  const [, userText = "", passwordText = "", hostText, databaseText, queryText = ""] = m;
  const params = new Map(
    [...new URLSearchParams(queryText)].map(([k, v]) => [k.toLowerCase(), v]),
  );
  const [hostPort, instance] = decodeURIComponent(hostText).split("\\");
  const [server, portText] = hostPort.split(":");
  const database = decodeURIComponent(databaseText);
  if (!server) throw new Error("the URL names no server");
  if (!database) throw new Error("the URL names no database");
  return mssqlTarget({
    server,
    instance,
    port: portText,
    database,
    user: decodeURIComponent(userText),
    password: passwordText ? decodeURIComponent(passwordText) : undefined,
    trusted: params.get("trusted_connection"),
    encrypt: params.get("encrypt"),
    trustServerCertificate: params.get("trustservercertificate"),
  });
}

/** Parses an ADO-style `Server=…;Database=…;User Id=…;Password=…` string. */
function parseAdo(text: string): DatabaseTarget {
  const parts = new Map<string, string>();
  for (const piece of text.split(";")) {
    const at = piece.indexOf("=");
    if (at < 0) {
      if (piece.trim()) throw new Error(`'${piece.trim()}' is not a key=value pair`);
      continue;
    }
    parts.set(
      piece.slice(0, at).trim().toLowerCase().replace(/\s+/g, " "),
      piece.slice(at + 1).trim(),
    );
  }
  const pick = (...names: string[]) => names.map((n) => parts.get(n)).find((v) => v !== undefined);
  const serverText = (pick("server", "data source", "address", "addr") ?? "").replace(/^tcp:/i, "");
  if (!serverText) throw new Error("no Server= part");
  const database = pick("database", "initial catalog");
  if (!database) throw new Error("no Database= part");
  const [hostPart, portText] = serverText.split(",");
  const [server, instance] = hostPart.split("\\");
  return mssqlTarget({
    server,
    instance,
    port: portText,
    database,
    user: pick("user id", "uid", "user"),
    password: pick("password", "pwd"),
    trusted: pick("trusted_connection", "integrated security"),
    encrypt: pick("encrypt"),
    trustServerCertificate: pick("trustservercertificate", "trust server certificate"),
  });
}

/** Parses the `OpenOrchestratorSQL` connection string. */
export function parseConnectionString(text: string): DatabaseTarget {
  const trimmed = text.trim();
  const target = /^[a-z+]+:\/\//i.test(trimmed) ? parseUrl(trimmed) : parseAdo(trimmed);
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
