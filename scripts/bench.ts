/**
 * `deno task bench`: builds (once, cached) a large SQLite database in the exact format the Python
 * OpenOrchestrator writes, serves the app on it, times every endpoint of {@linkcode ENDPOINTS}
 * and prints a Markdown table of p50/p95 latencies, response sizes and budgets.
 *
 * Options: `--rebuild` forces a new database, `--requests N` sets the timed requests per
 * endpoint (default 200), `--only TEXT` keeps the endpoints whose name or path contains TEXT,
 * `--scale N` measures a database N times the base size (1 M logs, 500 k queue elements; a
 * fraction such as `--scale 0.01` makes a quick smoke run), and
 * `--concurrent` (with `--seconds N`, default 30) warms each view up, then runs 8 clients over
 * the heavy views at once while a probe sends a cheap request every 20 ms, then 8 clients on the
 * dashboard fragment, and prints requests/s, p50/p99/max and the probe's worst stall.
 * `--export` instead streams the CSV export of every log row (1 M at scale 1) and samples the
 * server's resident memory while it runs: an export must keep it flat. `--db PATH` measures an existing SQLite file (a
 * `clonedb` copy) instead of the generated one. `--behind-iis` serves the app as HttpPlatformHandler
 * starts it (on `HTTP_PLATFORM_PORT`, without the slow-client relay that IIS makes unneeded, the
 * user in a header as from a front proxy); IIS's own hop is not part of it.
 * Exits non-zero only when a request fails (a status other than 200); budgets are for reading.
 * @module
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { type DemoSize, seedDemo } from "../db/demo.ts";
import { openDatabase } from "../db/open.ts";
import {
  BASE_INDEXES,
  CURRENT_REVISION,
  detect,
  RECOMMENDED_INDEXES,
  SHARED_TABLES,
  SQLITE_TABLES,
} from "../db/schema.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { formatDbTime } from "../lib/time.ts";

/** One endpoint to time. */
type Endpoint = {
  /** What the table shows, e.g. `constants fragment`. */
  name: string;
  /** Path and query, e.g. `/constants?q=portal`. */
  path: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The p95 budget in milliseconds, when there is one. */
  budgetMs?: number;
  /** Brings the database's state up to date before the endpoint is timed. */
  prepare?: () => void;
  /** It scans (a text search, a queue's history): the app reads it on a reader Worker. */
  scan?: boolean;
};

/** The default p95 budget of list pages and fragments (constants, credentials), in ms. */
const LIST_BUDGET_MS = 20;

const FRAGMENT = { "HX-Request": "true" };
const JSON_ACCEPT = { "Accept": "application/json" };

/** The p95 budget of every page and fragment over the large tables (queues, logs), in ms. */
const LARGE_BUDGET_MS = 50;
/** The p95 budget of a queue's performance view on the busiest queue, in ms. */
const PERFORMANCE_BUDGET_MS = 20;
/** The p95 budget of a message search (one process over 7 days; everything over 24 hours), in ms. */
const SEARCH_BUDGET_MS = 150;
/** The p95 budget of the search of everything by reference or name, in ms. */
const NAME_SEARCH_BUDGET_MS = 20;
/** The p95 budget of the schedule forecast of 7 days of the 1,000 triggers, in ms. */
const FORECAST_BUDGET_MS = 30;

/**
 * The dashboard, queue and log endpoints with their default filters, deep pages by cursor (60
 * days back), the message search and the live tail. Times are relative to now: the bench
 * database spans the 90 days before it was built.
 */
function largeTableEndpoints(): Endpoint[] {
  const local = (msAgo: number) => formatDbTime(new Date(Date.now() - msAgo)).replace(" ", "T");
  const minute = (msAgo: number) => local(msAgo).slice(0, 16);
  const day = 86_400_000;
  const deep = encodeURIComponent(`${local(60 * day)}_ffffffffffffffffffffffffffffffff`);
  const recent = encodeURIComponent(`${local(60_000)}_00000000000000000000000000000000`);
  const weekAgo = minute(7 * day);
  const queue = "/queues/Intake.Cases";
  const process = "/logs/Invoice%20Processing";
  const around = `from=${minute(30 * day + 120_000)}&to=${minute(30 * day - 120_000)}`;
  const list: [string, string, Record<string, string>?, number?, "scan"?][] = [
    ["dashboard page", "/dashboard"],
    ["dashboard refresh (fragment)", "/dashboard", FRAGMENT],
    ["queues page", "/queues"],
    ["queues fragment", "/queues", FRAGMENT],
    ["queues JSON", "/queues", JSON_ACCEPT],
    ["queues sorted by failed", "/queues?sort=failed&dir=desc", FRAGMENT],
    ["queue page", queue],
    ["queue fragment", queue, FRAGMENT],
    ["queue JSON", queue, JSON_ACCEPT],
    ["queue failed only", `${queue}?status=FAILED`, FRAGMENT],
    [
      "queue failed or abandoned, 7 days",
      `${queue}?status=FAILED&status=ABANDONED&from=${weekAgo}`,
      FRAGMENT,
    ],
    ["queue deep page (cursor 60 days back)", `${queue}?after=${deep}`, FRAGMENT],
    ["queue oldest first", `${queue}?dir=asc`, FRAGMENT],
    ["queue 200 rows", `${queue}?size=200`, FRAGMENT],
    // The busiest queue; the days before today are read once an hour, so these time today's.
    ["queue performance, 7 days", `${queue}/performance`, FRAGMENT, PERFORMANCE_BUDGET_MS, "scan"],
    [
      "queue performance, 30 days",
      `${queue}/performance?days=30`,
      FRAGMENT,
      PERFORMANCE_BUDGET_MS,
      "scan",
    ],
    [
      "queue performance JSON, 30 days",
      `${queue}/performance?days=30`,
      JSON_ACCEPT,
      PERFORMANCE_BUDGET_MS,
      "scan",
    ],
    ["logs overview page", "/logs"],
    ["logs overview JSON", "/logs", JSON_ACCEPT],
    ["all logs page", "/logs/all"],
    ["all logs fragment", "/logs/all", FRAGMENT],
    ["all logs JSON", "/logs/all", JSON_ACCEPT],
    ["all logs deep page (cursor 60 days back)", `/logs/all?after=${deep}`, FRAGMENT],
    ["all error logs", "/logs/all?level=ERROR", FRAGMENT],
    ["all info and error logs", "/logs/all?level=INFO&level=ERROR", FRAGMENT],
    ["process logs page", process],
    ["process logs fragment", process, FRAGMENT],
    ["process error logs", `${process}?level=ERROR`, FRAGMENT],
    ["process deep page (cursor 60 days back)", `${process}?after=${deep}`, FRAGMENT],
    ["process logs around a row (±2 min)", `${process}?${around}&size=200`, FRAGMENT],
    [
      "process message search, 7 days",
      `${process}?q=timeout&from=${weekAgo}`,
      FRAGMENT,
      SEARCH_BUDGET_MS,
      "scan",
    ],
    [
      "process message search, 7 days, no match",
      `${process}?q=no+such+words&from=${weekAgo}`,
      FRAGMENT,
      SEARCH_BUDGET_MS,
      "scan",
    ],
    ["live tail (last minute)", `/logs/all/tail?after=${recent}`, FRAGMENT],
    // The header's search list: names and references at once, the day's messages after them.
    ["search list: a reference", "/search?q=INTAKE-1000", FRAGMENT, NAME_SEARCH_BUDGET_MS],
    [
      "search list: a reference prefix",
      "/search?q=INTAKE-1001",
      FRAGMENT,
      NAME_SEARCH_BUDGET_MS,
    ],
    ["search list: a name", "/search?q=intake", FRAGMENT, NAME_SEARCH_BUDGET_MS],
    [
      "search list: messages, 24 hours",
      "/search/messages?q=timeout",
      FRAGMENT,
      SEARCH_BUDGET_MS,
      "scan",
    ],
    [
      "search list: messages, 24 hours, no match",
      "/search/messages?q=no+such+words",
      FRAGMENT,
      SEARCH_BUDGET_MS,
      "scan",
    ],
    ["search page (with messages)", "/search?q=intake", undefined, SEARCH_BUDGET_MS, "scan"],
    ["search JSON (with messages)", "/search?q=INTAKE-1001", JSON_ACCEPT, SEARCH_BUDGET_MS, "scan"],
  ];
  return list.map(([name, path, headers, budgetMs, scan]) => ({
    name,
    path,
    headers,
    budgetMs: budgetMs ?? LARGE_BUDGET_MS,
    scan: scan === "scan",
  }));
}

/** The endpoints the bench times, in order. Later areas add their entries here. */
const ENDPOINTS: Endpoint[] = [
  { name: "constants page", path: "/constants", budgetMs: LIST_BUDGET_MS },
  {
    name: "constants fragment",
    path: "/constants",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  { name: "constants JSON", path: "/constants", headers: JSON_ACCEPT, budgetMs: LIST_BUDGET_MS },
  {
    name: "constants search",
    path: "/constants?q=portal",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "constants sorted, page 10",
    path: "/constants?sort=changed_at&dir=desc&page=10",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  { name: "credentials page", path: "/credentials", budgetMs: LIST_BUDGET_MS },
  {
    name: "credentials fragment",
    path: "/credentials",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "credentials JSON",
    path: "/credentials",
    headers: JSON_ACCEPT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "credentials search",
    path: "/credentials?q=sap",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "credentials sorted, page 4",
    path: "/credentials?sort=changed_at&dir=desc&page=4",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  { name: "triggers page", path: "/triggers", budgetMs: LIST_BUDGET_MS },
  { name: "triggers fragment", path: "/triggers", headers: FRAGMENT, budgetMs: LIST_BUDGET_MS },
  { name: "triggers JSON", path: "/triggers", headers: JSON_ACCEPT, budgetMs: LIST_BUDGET_MS },
  {
    name: "triggers by status",
    path: "/triggers?status=IDLE&status=FAILED",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "triggers by type",
    path: "/triggers?type=SCHEDULED",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "triggers search",
    path: "/triggers?q=intake",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "triggers sorted by next run, page 5",
    path: "/triggers?sort=next_run&dir=desc&page=5",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "triggers 200 rows",
    path: "/triggers?size=200&sort=priority&dir=desc",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  { name: "trigger form", path: "/triggers/new", headers: FRAGMENT, budgetMs: LIST_BUDGET_MS },
  {
    name: "trigger cron preview",
    path: "/triggers/cron?expr=0+9+1-7+*+MON",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "trigger cron preview JSON",
    path: "/triggers/cron?expr=*/15+8-16+*+*+MON-FRI",
    headers: JSON_ACCEPT,
    budgetMs: LIST_BUDGET_MS,
  },
  { name: "schedulers page", path: "/schedulers", budgetMs: LIST_BUDGET_MS },
  {
    name: "schedulers fragment",
    path: "/schedulers",
    headers: FRAGMENT,
    budgetMs: LIST_BUDGET_MS,
  },
  {
    name: "schedulers JSON",
    path: "/schedulers",
    headers: JSON_ACCEPT,
    budgetMs: LIST_BUDGET_MS,
  },
  // The forecast is computed once a poller round (10 s): most requests are answered from memory,
  // the first after each round reads the 1,000 triggers and computes the week.
  ...[FRAGMENT, JSON_ACCEPT, undefined].map((headers) => ({
    name: `forecast 7 days ${headers === FRAGMENT ? "fragment" : headers ? "JSON" : "page"}`,
    path: "/triggers/forecast?window=7d",
    headers,
    budgetMs: FORECAST_BUDGET_MS,
    prepare: pingSchedulers,
  })),
  ...largeTableEndpoints(),
  { name: "settings page", path: "/settings" },
  { name: "healthz", path: "/healthz" },
];

/**
 * The bench database at `--scale 1`: the demo data scaled to 1,000,000 logs and 500,000 queue
 * elements over 90 days, 29 processes and 50 queues (the first ones the busiest), most error
 * logs with a traceback, 1,000 triggers, and enough constants and credentials for ten pages.
 */
const BASE_COUNTS: DemoSize = {
  logs: 1_000_000,
  logDays: 90,
  queueElements: 500_000,
  queueDays: 90,
  processes: 29,
  queues: 50,
  triggers: 1_000,
  schedulers: 20,
  constants: 300,
  credentials: 100,
  skew: 0.8,
  tracebacks: 0.6,
};

/** The rows of the database measured: `--scale N` multiplies the logs and queue elements. */
let COUNTS = BASE_COUNTS;

/** Who the requests come from `--behind-iis` (as a front proxy names the user); else nobody. */
const BENCH_USER = "bench";
let USER_HEADER: Record<string, string> = {};

/** Bump when the generated contents change, so cached databases are rebuilt. */
const FORMAT_VERSION = 4;

const SEED = 20240917;
const WARMUP = 10;
const DEFAULT_REQUESTS = 200;
const ROOT = join(import.meta.dirname!, "..");
const DATA_DIR = join(ROOT, "bench-data");
/** The cached database and its marker; set for the scale in `main`. */
let DB_PATH = join(DATA_DIR, "bench.db");
let MARKER_PATH = join(DATA_DIR, "bench.json");

/** Measures the database `scale` times the base size, cached in its own file. */
function useScale(scale: number): void {
  COUNTS = {
    ...BASE_COUNTS,
    logs: Math.round(BASE_COUNTS.logs * scale),
    queueElements: Math.round(BASE_COUNTS.queueElements * scale),
  };
  const name = scale === 1 ? "bench" : `bench-x${scale}`;
  DB_PATH = join(DATA_DIR, `${name}.db`);
  MARKER_PATH = join(DATA_DIR, `${name}.json`);
}

/**
 * Makes two of every three scheduler machines online or stale again (the database may be days
 * old): the forecast then has machines to run the triggers on, and collisions to find.
 */
function pingSchedulers(): void {
  const db = new DatabaseSync(DB_PATH);
  try {
    const machines = db.prepare("SELECT machine_name FROM Schedulers ORDER BY machine_name").all();
    const ping = db.prepare("UPDATE Schedulers SET last_update = ? WHERE machine_name = ?");
    machines.forEach((row, i) => {
      if (i % 3 === 2) return;
      const at = new Date(Date.now() - (i % 3 === 0 ? 5_000 : 120_000));
      ping.run(formatDbTime(at), String(row.machine_name));
    });
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Build

/** What a cached database was built from: rebuilt when any of it differs. */
type Marker = { format: number; counts: typeof COUNTS; schema: string };

function expectedMarker(): Marker {
  const schema = createHash("sha256").update(JSON.stringify({
    tables: SHARED_TABLES.map((t) => SQLITE_TABLES[t]),
    base: BASE_INDEXES,
    recommended: RECOMMENDED_INDEXES,
    revision: CURRENT_REVISION,
  })).digest("hex").slice(0, 16);
  return { format: FORMAT_VERSION, counts: COUNTS, schema };
}

function markerText(marker: Marker): string {
  return JSON.stringify([marker.format, marker.counts, marker.schema]);
}

function cachedIsCurrent(expected: Marker): boolean {
  if (!existsSync(DB_PATH) || !existsSync(MARKER_PATH)) return false;
  try {
    const stored = JSON.parse(readFileSync(MARKER_PATH, "utf8")) as Marker;
    return markerText(stored) === markerText(expected);
  } catch {
    return false;
  }
}

function removeDb(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
}

function elapsed(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * Builds the bench database into a temporary file and moves it into place when complete: the
 * tables as the Python side creates them, the scaled demo data, then the indexes (faster than
 * keeping them up to date row by row).
 */
async function buildDatabase(marker: Marker): Promise<void> {
  const started = performance.now();
  mkdirSync(DATA_DIR, { recursive: true });
  rmSync(MARKER_PATH, { force: true });
  const temp = `${DB_PATH}.building`;
  removeDb(temp);
  console.log(`Building ${DB_PATH} (seed ${SEED}) ...`);
  const db = await openDatabase({ kind: "sqlite", path: temp, embedded: false }, { create: true });
  for (const pragma of ["synchronous = OFF", "cache_size = -1000000", "temp_store = MEMORY"]) {
    await db.run(`PRAGMA ${pragma}`);
  }
  await db.transaction(async (tx) => {
    for (const table of SHARED_TABLES) await tx.run(SQLITE_TABLES[table]);
    await tx.run("INSERT INTO alembic_version (version_num) VALUES (?)", [CURRENT_REVISION]);
  });
  await detect(db);

  const now = new Date();
  await seedDemo(db, DEMO_KEY, { now, size: COUNTS, seed: SEED });
  console.log(`  rows: ${elapsed(started)}`);

  const indexStarted = performance.now();
  for (const [name, table, columns] of [...BASE_INDEXES, ...RECOMMENDED_INDEXES]) {
    await db.run(`CREATE INDEX ${name} ON ${table} (${columns})`);
  }
  console.log(
    `  indexes: ${BASE_INDEXES.length + RECOMMENDED_INDEXES.length} (${elapsed(indexStarted)})`,
  );
  await db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  await db.close();

  removeDb(DB_PATH);
  renameSync(temp, DB_PATH);
  removeDb(temp);
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const bytes = statSync(DB_PATH).size;
  writeFileSync(
    MARKER_PATH,
    JSON.stringify(
      { ...marker, builtAt: formatDbTime(now), buildSeconds: seconds, bytes },
      null,
      2,
    ) +
      "\n",
  );
  console.log(`Built in ${seconds} s: ${(bytes / 2 ** 20).toFixed(0)} MiB.`);
}

// ---------------------------------------------------------------------------------------------
// Serve and measure

/** The app under test, with the tail of its output for error messages. */
type Server = { child: Deno.ChildProcess; base: string; output: string[] };

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function keepTail(stream: ReadableStream<Uint8Array>, output: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    output.push(...decoder.decode(chunk, { stream: true }).split("\n").filter(Boolean));
    if (output.length > 40) output.splice(0, output.length - 40);
  }
}

/** The server's V8 limits: those of the `start` task in deno.json (the `compile` task's too). */
function serverV8Flags(): string {
  const tasks = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).tasks;
  const flags = String(tasks.start).match(/--v8-flags=\S+/)?.[0];
  if (!flags) throw new Error("Cannot start the server: deno.json's start task has no --v8-flags");
  return flags;
}

/** Starts `main.ts` on the bench database and waits until `/healthz` says the poller has run. */
async function startServer(): Promise<Server> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", serverV8Flags(), "main.ts"],
    cwd: ROOT,
    env: {
      OpenOrchestratorSQL: `sqlite:///${DB_PATH}`,
      OpenOrchestratorKey: DEMO_KEY,
      HOST: "127.0.0.1",
      ...(Object.keys(USER_HEADER).length
        ? { HTTP_PLATFORM_PORT: String(port), OO_AUTH: "header", OO_ADMINS: BENCH_USER }
        : { PORT: String(port) }),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  keepTail(child.stdout, output);
  keepTail(child.stderr, output);
  const server = { child, base: `http://127.0.0.1:${port}`, output };
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    try {
      // Ready once the poller's first round (the full log count) is done: timing before it
      // would measure start-up, not the pages.
      const response = await fetch(`${server.base}/healthz`);
      const body = response.status === 200 ? await response.json() : await response.body?.cancel();
      if (body?.poller?.last_round) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopServer(server);
  throw new Error(
    `Cannot start the app: ${
      exited ? "it exited" : "no first poller round in /healthz within 60 s"
    }\n` +
      output.join("\n"),
  );
}

/** Stops the app (SIGTERM, then SIGKILL after 5 s). */
async function stopServer(server: Server): Promise<void> {
  try {
    server.child.kill("SIGTERM");
  } catch {
    return; // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      server.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, 5_000);
  await server.child.status;
  clearTimeout(timer);
}

/**
 * The server's peak (`VmHWM`) or current (`VmRSS`) resident memory in bytes, or null where /proc
 * is missing. Read with `cat`: Deno lets only `--allow-all` read another process's
 * `/proc/<pid>` files.
 */
async function memoryOf(pid: number, field: "VmHWM" | "VmRSS"): Promise<number | null> {
  if (Deno.build.os !== "linux") return null;
  try {
    const { success, stdout } = await new Deno.Command("cat", {
      args: [`/proc/${pid}/status`],
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(stdout);
    const kb = success ? new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] : null;
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

/** One endpoint's outcome. */
type Result = {
  endpoint: Endpoint;
  p50: number;
  p95: number;
  bytes: number;
  /** Why it failed, when a response was not 200. */
  failure?: string;
};

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** Times one request, from fetch start to the last body byte. */
async function timeRequest(
  base: string,
  endpoint: Endpoint,
): Promise<{ ms: number; bytes: number; status: number; body: Uint8Array }> {
  const started = performance.now();
  const headers = { ...USER_HEADER, ...endpoint.headers };
  const response = await fetch(base + endpoint.path, { headers });
  const body = new Uint8Array(await response.arrayBuffer());
  return { ms: performance.now() - started, bytes: body.byteLength, status: response.status, body };
}

async function measure(
  base: string,
  timing: { endpoint: Endpoint; requests: number },
): Promise<Result> {
  const { endpoint, requests } = timing;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARMUP + requests; i++) {
    const { ms, bytes: size, status, body } = await timeRequest(base, endpoint);
    if (status !== 200) {
      const text = new TextDecoder().decode(body.subarray(0, 300)).replace(/\s+/g, " ");
      const failure = `request ${i + 1} answered ${status}: ${text}`;
      console.error(`✗ ${endpoint.name} (${endpoint.path}): ${failure}`);
      return { endpoint, p50: NaN, p95: NaN, bytes: size, failure };
    }
    if (i >= WARMUP) times.push(ms);
    bytes = size;
  }
  times.sort((a, b) => a - b);
  return { endpoint, p50: percentile(times, 0.5), p95: percentile(times, 0.95), bytes };
}

function markdownTable(results: Result[]): string {
  const lines = [
    "| endpoint | p50 ms | p95 ms | bytes | p95 budget | |",
    "|---|--:|--:|--:|--:|:-:|",
  ];
  for (const { endpoint, p50, p95, bytes, failure } of results) {
    const budget = endpoint.budgetMs === undefined ? "–" : `${endpoint.budgetMs}`;
    const verdict = failure
      ? "FAILED"
      : endpoint.budgetMs === undefined
      ? ""
      : p95 <= endpoint.budgetMs
      ? "✓"
      : "✗";
    const label = `${endpoint.name} \`${endpoint.path}\``;
    const ms = (n: number) => Number.isNaN(n) ? "–" : n.toFixed(1);
    lines.push(`| ${label} | ${ms(p50)} | ${ms(p95)} | ${bytes} | ${budget} | ${verdict} |`);
  }
  return lines.join("\n");
}

type Options = {
  rebuild: boolean;
  export: boolean;
  db: string;
  requests: number;
  only: string;
  scale: number;
  concurrent: boolean;
  seconds: number;
  behindIis: boolean;
};

function wholeNumber(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new Error(`Cannot run the bench: --${name} must be a whole number from 1, got '${text}'`);
  }
  return Number(text);
}

/** A whole number from 1, or a fraction down to 0.001 for a quick smoke run (1,000 logs). */
function scaleOf(text: string): number {
  if (!/^\d+(\.\d{1,3})?$/.test(text) || Number(text) < 0.001) {
    throw new Error(`Cannot run the bench: --scale must be a number from 0.001, got '${text}'`);
  }
  return Number(text);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rebuild: { type: "boolean", default: false },
      export: { type: "boolean", default: false },
      db: { type: "string", default: "" },
      requests: { type: "string", default: String(DEFAULT_REQUESTS) },
      only: { type: "string", default: "" },
      scale: { type: "string", default: "1" },
      concurrent: { type: "boolean", default: false },
      seconds: { type: "string", default: String(CONCURRENT_SECONDS) },
      "behind-iis": { type: "boolean", default: false },
    },
  });
  return {
    rebuild: values.rebuild,
    export: values.export,
    db: values.db,
    requests: wholeNumber("requests", values.requests),
    only: values.only.toLowerCase(),
    scale: scaleOf(values.scale),
    concurrent: values.concurrent,
    seconds: wholeNumber("seconds", values.seconds),
    behindIis: values["behind-iis"],
  };
}

// ---------------------------------------------------------------------------------------------
// Concurrent load: what users feel while others work

/** Clients that request the heavy views at once, each as fast as it is answered. */
const CLIENTS = 8;
const CONCURRENT_SECONDS = 30;
/** The probe: a cheap request every 20 ms; its slowest answer is the worst stall anyone saw. */
const PROBE_EVERY_MS = 20;
const PROBE_PATH = "/health/header";

/** Latencies of a run, sorted. */
type Latencies = { count: number; p50: number; p99: number; max: number };

function latencies(ms: number[]): Latencies {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** What a load run measured: every answer, split into page views and scans, and the probe. */
type LoadRun = {
  load: Latencies;
  pages: Latencies;
  scans: Latencies;
  probe: Latencies;
  failures: number;
  /** Each view's own figures. */
  views: Map<string, Latencies>;
};

/** `CLIENTS` clients cycling through `endpoints` for `seconds`, plus the probe. */
async function underLoad(
  base: string,
  load: { endpoints: Endpoint[]; seconds: number },
): Promise<LoadRun> {
  const { endpoints, seconds } = load;
  const until = performance.now() + seconds * 1000;
  const pages: number[] = [];
  const scans: number[] = [];
  const probe: number[] = [];
  const byView = new Map<string, number[]>(endpoints.map((e) => [e.name, []]));
  let failures = 0;
  const client = async (first: number) => {
    for (let i = first; performance.now() < until; i++) {
      const endpoint = endpoints[i % endpoints.length];
      const { ms, status } = await timeRequest(base, endpoint);
      if (status !== 200) {
        failures++;
        continue;
      }
      (endpoint.scan ? scans : pages).push(ms);
      byView.get(endpoint.name)!.push(ms);
    }
  };
  const probing = async () => {
    while (performance.now() < until) {
      const { ms, status } = await timeRequest(base, { name: "probe", path: PROBE_PATH });
      if (status !== 200) failures++;
      probe.push(ms);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  };
  await Promise.all([
    ...Array.from({ length: CLIENTS }, (_, k) => client(k * 3)),
    probing(),
  ]);
  return {
    load: latencies([...pages, ...scans]),
    pages: latencies(pages),
    scans: latencies(scans),
    probe: latencies(probe),
    failures,
    views: new Map([...byView].map(([name, ms]) => [name, latencies(ms)])),
  };
}

/** How many of the slowest views (by p99) a load run lists. */
const SLOWEST_VIEWS = 8;

function slowestViews(run: LoadRun): string {
  const ms = (n: number) => Number.isNaN(n) ? "–" : n.toFixed(1);
  const worst = [...run.views].sort(([, a], [, b]) => b.p99 - a.p99).slice(0, SLOWEST_VIEWS);
  return [
    `The ${SLOWEST_VIEWS} slowest views at p99:`,
    "",
    "| view | requests | p50 ms | p99 ms | max ms |",
    "|---|--:|--:|--:|--:|",
    ...worst.map(([name, l]) =>
      `| ${name} | ${l.count} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} |`
    ),
  ].join("\n");
}

function concurrentTable(rows: { name: string; seconds: number; run: LoadRun }[]): string {
  const ms = (n: number) => Number.isNaN(n) ? "–" : n.toFixed(1);
  const lines = [
    "| load | requests/s | p50 ms | p99 ms | max ms | probe p99 ms | probe worst stall ms | failed |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  const line = (name: string, row: { seconds: number; load: Latencies; run?: LoadRun }) => {
    const { seconds, load, run } = row;
    const probe = run ? `${ms(run.probe.p99)} | ${ms(run.probe.max)} | ${run.failures}` : " |  | ";
    return `| ${name} | ${(load.count / seconds).toFixed(0)} | ${ms(load.p50)} | ${
      ms(load.p99)
    } | ${ms(load.max)} | ${probe} |`;
  };
  for (const { name, seconds, run } of rows) {
    lines.push(line(name, { seconds, load: run.load, run }));
    // Where the views are of both kinds: the page views' figures apart from the scans'.
    if (run.pages.count && run.scans.count) {
      lines.push(line("… of which page views", { seconds, load: run.pages }));
      lines.push(
        line("… of which scans (text searches, queue histories)", { seconds, load: run.scans }),
      );
    }
  }
  return lines.join("\n");
}

/**
 * Sends each endpoint {@linkcode WARMUP} times, one request at a time, as the sequential mode
 * does: the load then meets a server that has been running (its code compiled, the pages it
 * reads cached, each queue's history read once), not the first seconds after a start.
 */
async function warmUp(base: string, endpoints: Endpoint[]): Promise<void> {
  console.log(`Warming up: ${WARMUP} requests to each of ${endpoints.length} views ...`);
  for (const endpoint of endpoints) {
    for (let i = 0; i < WARMUP; i++) await timeRequest(base, endpoint);
  }
}

/** The concurrent mode: the heavy views under load, then the dashboard fragment's throughput. */
async function runConcurrent(server: Server, options: Options): Promise<string> {
  const heavy = largeTableEndpoints().filter((e) => !e.path.startsWith("/dashboard"));
  const scans = heavy.filter((e) => e.scan).length;
  const dashboard = [{ name: "dashboard fragment", path: "/dashboard", headers: FRAGMENT }];
  const short = Math.max(1, Math.round(options.seconds / 3));
  await warmUp(server.base, [...heavy, ...dashboard]);
  console.log(`${CLIENTS} clients over ${heavy.length} heavy views for ${options.seconds} s ...`);
  const rows = [{
    name: `${CLIENTS} clients, ${heavy.length} heavy views (${scans} of them scans)`,
    seconds: options.seconds,
    run: await underLoad(server.base, { endpoints: heavy, seconds: options.seconds }),
  }];
  console.log(`${CLIENTS} clients on the dashboard fragment for ${short} s ...`);
  rows.push({
    name: `${CLIENTS} clients, dashboard fragment`,
    seconds: short,
    run: await underLoad(server.base, { endpoints: dashboard, seconds: short }),
  });
  return `${concurrentTable(rows)}\n\n${slowestViews(rows[0].run)}`;
}

// ---------------------------------------------------------------------------------------------
// Export memory: a million-row CSV export must not grow the server

/** Counts CSV records: CRLF line ends outside quoted cells (messages may hold line breaks). */
function recordCounter(): (chunk: Uint8Array) => number {
  let quoted = false;
  let afterCr = false;
  let records = 0;
  return (chunk) => {
    for (const byte of chunk) {
      if (byte === 34) quoted = !quoted;
      else if (!quoted && afterCr && byte === 10) records++;
      afterCr = !quoted && byte === 13;
    }
    return records;
  };
}

/**
 * Streams the CSV export of every log row (`/logs/all?format=csv`) as a client that reads as fast
 * as it can, sampling the server's resident memory every 200 ms; a table of the rows, bytes,
 * time to the first byte and in all, and the memory before, at most during, and after.
 */
async function measureExport(server: Server): Promise<string> {
  const pid = server.child.pid;
  const before = await memoryOf(pid, "VmRSS");
  const samples: number[] = [];
  let streaming = true;
  const sampler = (async () => {
    while (streaming) {
      const rss = await memoryOf(pid, "VmRSS");
      if (rss !== null) samples.push(rss);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  console.log(`Streaming ${server.base}/logs/all?format=csv ...`);
  const started = performance.now();
  const response = await fetch(`${server.base}/logs/all?format=csv`);
  if (response.status !== 200) {
    throw new Error(`Cannot measure the export: it answered ${response.status}`);
  }
  const count = recordCounter();
  let firstByte = NaN;
  let bytes = 0;
  let records = 0;
  for await (const chunk of response.body!) {
    if (Number.isNaN(firstByte)) firstByte = performance.now() - started;
    bytes += chunk.byteLength;
    records = count(chunk);
  }
  const total = performance.now() - started;
  streaming = false;
  await sampler;
  const after = await memoryOf(pid, "VmRSS");
  const mib = (n: number | null | undefined) =>
    n === null || n === undefined ? "n/a" : (n / 2 ** 20).toFixed(0);
  return [
    "| export | rows | MiB sent | first byte ms | total s | RSS before MiB | RSS max during MiB | RSS after MiB |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
    `| \`/logs/all?format=csv\` | ${(records - 1).toLocaleString("en")} | ${mib(bytes)} | ${
      firstByte.toFixed(0)
    } | ${(total / 1000).toFixed(1)} | ${mib(before)} | ${
      mib(samples.length ? Math.max(...samples) : null)
    } | ${mib(after)} |`,
  ].join("\n");
}

async function main(): Promise<number> {
  const options = parseOptions();
  useScale(options.scale);
  if (options.behindIis) USER_HEADER = { "X-Forwarded-User": BENCH_USER };
  const endpoints = ENDPOINTS.filter((e) =>
    `${e.name} ${e.path}`.toLowerCase().includes(options.only)
  );
  if (endpoints.length === 0) {
    throw new Error(`Cannot run the bench: no endpoint matches '${options.only}'`);
  }

  const marker = expectedMarker();
  if (options.db) {
    DB_PATH = options.db;
    console.log(`Measuring ${DB_PATH} as it is.`);
  } else if (options.rebuild || !cachedIsCurrent(marker)) {
    await buildDatabase(marker);
  } else {
    const bytes = statSync(DB_PATH).size;
    console.log(
      `Using the cached ${DB_PATH} (${(bytes / 2 ** 20).toFixed(0)} MiB; --rebuild to rebuild).`,
    );
  }

  const starting = performance.now();
  const server = await startServer();
  const firstRound = elapsed(starting);
  console.log(`The poller's first complete round ended ${firstRound} after start.`);
  const stop = () => {
    stopServer(server).finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", stop);
  const results: Result[] = [];
  let loadTable = "";
  let peak: number | null = null;
  try {
    if (options.concurrent) {
      loadTable = await runConcurrent(server, options);
    } else if (options.export) {
      loadTable = await measureExport(server);
    } else {
      console.log(
        `Serving on ${server.base}; ${WARMUP} warm-up + ${options.requests} timed requests per endpoint.`,
      );
      for (const endpoint of endpoints) {
        endpoint.prepare?.();
        results.push(await measure(server.base, { endpoint, requests: options.requests }));
      }
    }
    peak = await memoryOf(server.child.pid, "VmHWM");
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    await stopServer(server);
  }

  console.log("");
  console.log(
    options.db
      ? `${options.db}; first poller round after ${firstRound}.`
      : `${COUNTS.logs.toLocaleString("en")} logs, ${
        COUNTS.queueElements.toLocaleString("en")
      } queue elements (scale ${options.scale}); first poller round after ${firstRound}.`,
  );
  console.log(
    options.behindIis
      ? "Served as behind IIS: no slow-client relay, the user named in a header."
      : "Served on its own: through the slow-client relay.",
  );
  console.log("");
  console.log(options.concurrent || options.export ? loadTable : markdownTable(results));
  console.log("");
  console.log(
    `Peak RSS of the server (VmHWM): ${
      peak === null ? "n/a" : `${(peak / 2 ** 20).toFixed(0)} MiB`
    }`,
  );
  const failed = results.filter((r) => r.failure);
  if (failed.length) {
    console.error(
      `\n${failed.length} endpoint(s) failed: ${failed.map((r) => r.endpoint.name).join(", ")}`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
