/**
 * `deno task bench`: builds (once, cached) a large SQLite database in the exact format the Python
 * OpenOrchestrator writes, serves the app on it, times every endpoint of {@linkcode ENDPOINTS}
 * and prints a Markdown table of p50/p95 latencies, response sizes and budgets.
 *
 * Options: `--rebuild` forces a new database, `--requests N` sets the timed requests per
 * endpoint (default 200), `--only TEXT` keeps the endpoints whose name or path contains TEXT,
 * `--scale N` measures a database N times the base size (1 M logs, 500 k queue elements), and
 * `--concurrent` (with `--seconds N`, default 30) runs 8 clients over the heavy views at once
 * while a probe sends a cheap request every 20 ms, then 8 clients on the dashboard fragment, and
 * prints requests/s, p50/p99/max and the probe's worst stall.
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
import {
  BASE_INDEXES,
  CURRENT_REVISION,
  RECOMMENDED_INDEXES,
  SHARED_TABLES,
  SQLITE_TABLES,
} from "../db/schema.ts";
import { nextRuns } from "../lib/cron.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { encrypt } from "../lib/fernet.ts";

/** One endpoint to time. */
export type Endpoint = {
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
};

/** The default p95 budget of list pages and fragments (constants, credentials), in ms. */
const LIST_BUDGET_MS = 20;

const FRAGMENT = { "HX-Request": "true" };
const JSON_ACCEPT = { "Accept": "application/json" };

/** The p95 budget of every page and fragment over the large tables (queues, logs), in ms. */
const LARGE_BUDGET_MS = 50;
/** The p95 budget of a message search within one process over 7 days, in ms. */
const SEARCH_BUDGET_MS = 150;
/** The p95 budget of the schedule forecast of 7 days of the 1,000 triggers, in ms. */
const FORECAST_BUDGET_MS = 30;

/**
 * The dashboard, queue and log endpoints with their default filters, deep pages by cursor (60
 * days back), the message search and the live tail. Times are relative to now: the bench
 * database spans the 90 days before it was built.
 */
function largeTableEndpoints(): Endpoint[] {
  // `dbTime` (below) is a function declaration: it is there already when ENDPOINTS is built.
  const local = (msAgo: number) => dbTime(Date.now() - msAgo).replace(" ", "T");
  const minute = (msAgo: number) => local(msAgo).slice(0, 16);
  const day = 86_400_000;
  const deep = encodeURIComponent(`${local(60 * day)}_ffffffffffffffffffffffffffffffff`);
  const recent = encodeURIComponent(`${local(60_000)}_00000000000000000000000000000000`);
  const weekAgo = minute(7 * day);
  const queue = "/queues/Invoices.Intake";
  const process = "/logs/Invoice%20Processing";
  const around = `from=${minute(30 * day + 120_000)}&to=${minute(30 * day - 120_000)}`;
  const list: [string, string, Record<string, string>?, number?][] = [
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
    ],
    [
      "process message search, 7 days, no match",
      `${process}?q=no+such+words&from=${weekAgo}`,
      FRAGMENT,
      SEARCH_BUDGET_MS,
    ],
    ["live tail (last minute)", `/logs/all/tail?after=${recent}`, FRAGMENT],
  ];
  return list.map(([name, path, headers, budgetMs]) => ({
    name,
    path,
    headers,
    budgetMs: budgetMs ?? LARGE_BUDGET_MS,
  }));
}

/** The endpoints the bench times, in order. Later areas add their entries here. */
export const ENDPOINTS: Endpoint[] = [
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

/** Row counts of the bench database. */
/** The rows of the base database (`--scale 1`). */
const BASE_COUNTS = {
  logs: 1_000_000,
  queues: 500_000,
  triggers: 1_000,
  schedulers: 20,
  constants: 300,
  credentials: 100,
};

/** The rows of the database measured: `--scale N` multiplies the logs and queue elements. */
let COUNTS = BASE_COUNTS;

/** Bump when the generated contents change, so cached databases are rebuilt. */
const FORMAT_VERSION = 3;

const SEED = 20240917;
const WARMUP = 10;
const DEFAULT_REQUESTS = 200;
/** The server's V8 limits, as the `start` and `compile` tasks in deno.json set them. */
const SERVER_V8_FLAGS = "--v8-flags=--max-old-space-size=160,--max-semi-space-size=4";
const DAY_MS = 86_400_000;
const ROOT = join(import.meta.dirname!, "..");
const DATA_DIR = join(ROOT, "bench-data");
/** The cached database and its marker; set for the scale in `main`. */
let DB_PATH = join(DATA_DIR, "bench.db");
let MARKER_PATH = join(DATA_DIR, "bench.json");

/** Measures the database `scale` times the base size, cached in its own file. */
function useScale(scale: number): void {
  COUNTS = { ...BASE_COUNTS, logs: BASE_COUNTS.logs * scale, queues: BASE_COUNTS.queues * scale };
  const name = scale === 1 ? "bench" : `bench-x${scale}`;
  DB_PATH = join(DATA_DIR, `${name}.db`);
  MARKER_PATH = join(DATA_DIR, `${name}.json`);
}

// ---------------------------------------------------------------------------------------------
// Data pools

const PROCESSES = [
  "Invoice Processing",
  "Case Intake",
  "Payroll Export",
  "Citizen Mail",
  "Data Cleanup",
  "Benefit Applications",
  "Tax Reconciliation",
  "Vendor Onboarding",
  "HR Onboarding",
  "HR Offboarding",
  "Building Permits",
  "Parking Fines",
  "Housing Benefits",
  "School Enrollment",
  "Pension Statements",
  "Document Archiving",
  "Journal Sync",
  "Bank Reconciliation",
  "Contract Renewal",
  "Meeting Minutes",
  "Elderly Care Visits",
  "Student Grants",
  "Waste Collection Orders",
  "Sick Leave Registration",
  "Address Changes",
  "Debt Collection",
  "Child Care Allocation",
  "License Renewals",
  "Report Distribution",
  "OpenOrchestrator Web",
];

const DOMAINS = [
  "Invoices",
  "Cases",
  "Payroll",
  "Mail",
  "Benefits",
  "Tax",
  "Vendors",
  "HR",
  "Permits",
  "Fines",
  "Housing",
  "Schools",
  "Pensions",
  "Archive",
  "Journal",
  "Bank",
  "Contracts",
  "Care",
  "Grants",
  "Waste",
  "SickLeave",
  "Addresses",
  "Debt",
  "ChildCare",
  "Licenses",
];

const STEPS = ["Intake", "Approve", "Post", "Notify", "Archive"];

/** 50 queue names: two steps of each domain, e.g. `Invoices.Intake`. */
const QUEUES = DOMAINS.flatMap((d, i) => [`${d}.${STEPS[i % 5]}`, `${d}.${STEPS[(i + 2) % 5]}`]);

const MACHINES = Array.from(
  { length: COUNTS.schedulers },
  (_, i) => `RPA-VM-${String(i + 1).padStart(2, "0")}`,
);

const SYSTEMS = ["portal", "SAP", "KMD Nexus", "Outlook", "e-Boks", "SharePoint", "Navision"];

const WORDS = (
  "case element row invoice letter citizen record file batch page field value amount account " +
  "journal document approval request response session window button table column sheet folder " +
  "attachment customer vendor payment period deadline status reference number address"
).split(" ");

const TRACE_MESSAGES = [
  "Opened {system}",
  "Logged in to {system} as svc_rpa",
  "Read {n} rows from the inbox",
  "Clicked '{word}' in {system}",
  "Waiting for element #{word}-{n}",
  "Downloaded {word}_{n}.pdf ({n} kB)",
  "Closed the browser",
  "Found {n} {word}s to handle",
  "Parsed {word} {ref}: {words}",
];

const INFO_MESSAGES = [
  "Process started",
  "Process finished in {n} s",
  "Handled queue element {ref}",
  "Sent {n} letters",
  "Created {n} queue elements",
  "Exported {n} rows to {system}",
  "Case {ref} closed: {words}",
  "Skipped {ref}: {words}",
];

const ERROR_MESSAGES = [
  "TimeoutError: {system} did not answer within 30 s",
  "Login failed: the password for {system} has expired",
  "KeyError: '{word}' missing in queue element data",
  "The {system} session was closed by the server",
  "ValueError: could not convert '{word}' to float in {ref}",
  "ElementNotFound: #{word}-{n} not found after 20 s",
];

const LOG_LEVELS = [["ERROR", 0.05], ["INFO", 0.45], ["TRACE", 0.5]] as const;

const RECENT_QUEUE_STATUSES = [
  ["NEW", 0.6],
  ["IN_PROGRESS", 0.05],
  ["DONE", 0.25],
  ["FAILED", 0.08],
  ["ABANDONED", 0.02],
] as const;

const OLD_QUEUE_STATUSES = [
  ["NEW", 0.01],
  ["IN_PROGRESS", 0.001],
  ["DONE", 0.789],
  ["FAILED", 0.13],
  ["ABANDONED", 0.07],
] as const;

const TRIGGER_TYPES = [["SCHEDULED", 0.45], ["QUEUE", 0.3], ["SINGLE", 0.25]] as const;

const TRIGGER_STATUSES = [
  ["IDLE", 0.6],
  ["RUNNING", 0.08],
  ["FAILED", 0.08],
  ["PAUSED", 0.12],
  ["PAUSING", 0.04],
  ["KILLING", 0.03],
  ["KILLED", 0.05],
] as const;

const CRONS = [
  "0 2 * * MON-FRI",
  "30 6 1 * *",
  "0 7 * * MON",
  "*/15 8-16 * * *",
  "0 */2 * * *",
  "45 23 * * *",
  "0 9 1-7 * MON",
  "5 4 * * SUN",
  "0 12 L * *",
  "*/5 * * * *",
  "0 6,12,18 * * MON-FRI",
  "30 1 15 JAN,JUL *",
];

const CONSTANT_KINDS = [
  "portal URL",
  "max retries",
  "approver mail",
  "system id",
  "letter template",
  "working hours",
  "batch size",
  "timeout seconds",
  "archive folder",
  "report recipients",
  "feature flags",
  "contact phone",
];

// ---------------------------------------------------------------------------------------------
// Random data

/** A seeded generator of floats in [0, 1) (mulberry32): the same seed, the same database. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generators and pools one build draws from. */
class Gen {
  readonly random: () => number;
  readonly now: number;
  readonly #processWeights: number[];
  readonly #queueWeights: number[];

  constructor(seed: number, now: number) {
    this.random = seededRandom(seed);
    this.now = now;
    this.#processWeights = cumulative(PROCESSES.map((_, i) => 1 / (i + 1) ** 0.8));
    this.#queueWeights = cumulative(QUEUES.map((_, i) => 1 / (i + 1) ** 0.7));
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** Picks a value from `[value, share]` pairs whose shares add up to 1. */
  weighted<T>(table: readonly (readonly [T, number])[]): T {
    let r = this.random();
    for (const [value, share] of table) {
      if ((r -= share) < 0) return value;
    }
    return table[table.length - 1][0];
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A UUID v4 as the Python side stores it in SQLite: 32 lowercase hex digits, no dashes. */
  id(): string {
    let hex = "";
    for (let i = 0; i < 4; i++) {
      hex += Math.floor(this.random() * 4294967296).toString(16).padStart(8, "0");
    }
    return hex.slice(0, 12) + "4" + hex.slice(13, 16) + "89ab"[this.int(0, 3)] + hex.slice(17);
  }

  process(): string {
    return PROCESSES[pickIndex(this.#processWeights, this.random())];
  }

  queue(): string {
    return QUEUES[pickIndex(this.#queueWeights, this.random())];
  }

  /** A stored time `ms` milliseconds before now, with random microseconds. */
  ago(ms: number): string {
    return dbTime(this.now - ms, this.int(0, 999));
  }

  /** Fills `{system}`, `{n}`, `{word}`, `{words}` and `{ref}` in a template. */
  fill(template: string): string {
    return template.replace(/\{(\w+)\}/g, (_, slot: string) => {
      switch (slot) {
        case "system":
          return this.pick(SYSTEMS);
        case "n":
          return String(this.int(1, 500));
        case "word":
          return this.pick(WORDS);
        case "ref":
          return `${this.pick(DOMAINS).toUpperCase()}-${this.int(100000, 999999)}`;
        default:
          return this.words(this.int(3, 30));
      }
    });
  }

  words(count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.pick(WORDS));
    return out.join(" ");
  }

  /** A Python traceback of `frames` frames ending in `error`. */
  traceback(frames: number, error: string): string {
    const lines = ["Traceback (most recent call last):"];
    for (let i = 0; i < frames; i++) {
      const module = this.pick(WORDS);
      lines.push(
        `  File "C:\\Robots\\${this.pick(DOMAINS)}\\robot\\${module}.py", line ${
          this.int(10, 900)
        }, in ${this.pick(WORDS)}_${this.pick(WORDS)}`,
        `    ${this.pick(WORDS)} = ${module}.${this.pick(WORDS)}(${this.pick(WORDS)}, timeout=30)`,
      );
    }
    lines.push(error);
    return lines.join("\n");
  }
}

function cumulative(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
}

function pickIndex(cumulativeWeights: number[], r: number): number {
  const i = cumulativeWeights.findIndex((w) => r < w);
  return i < 0 ? cumulativeWeights.length - 1 : i;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Formats epoch ms (local wall clock) plus extra microseconds as `YYYY-MM-DD HH:MM:SS.ffffff`. */
function dbTime(ms: number, micros = 0): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${pad(micros, 3)}`;
}

/**
 * Makes the machines that were online or stale when the database was built so again (it may be
 * days old): the forecast then has machines to run the triggers on, and collisions to find.
 */
function pingSchedulers(): void {
  const db = new DatabaseSync(DB_PATH);
  try {
    const ping = db.prepare("UPDATE Schedulers SET last_update = ? WHERE machine_name = ?");
    MACHINES.slice(0, 14).forEach((machine, i) => {
      ping.run(dbTime(Date.now() - (i < 8 ? 5_000 : 120_000)), machine);
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

/** Runs `insert` `count` times in transactions of `chunk` rows, printing progress. */
function inChunks(
  db: DatabaseSync,
  label: string,
  count: number,
  insert: (i: number) => void,
): void {
  const started = performance.now();
  const chunk = 100_000;
  for (let from = 0; from < count; from += chunk) {
    db.exec("BEGIN");
    const to = Math.min(count, from + chunk);
    for (let i = from; i < to; i++) insert(i);
    db.exec("COMMIT");
    if (count > chunk) {
      console.log(`  ${label}: ${to.toLocaleString("en")} rows (${elapsed(started)})`);
    }
  }
  if (count <= chunk) {
    console.log(`  ${label}: ${count.toLocaleString("en")} rows (${elapsed(started)})`);
  }
}

function insertLogs(db: DatabaseSync, gen: Gen): void {
  const insert = db.prepare(
    "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
  );
  const span = 90 * DAY_MS;
  const step = span / COUNTS.logs;
  const start = gen.now - span;
  inChunks(db, "Logs", COUNTS.logs, (i) => {
    const level = gen.weighted(LOG_LEVELS);
    let message: string;
    if (level === "ERROR" && gen.chance(0.002)) {
      // A few at the column limit: a very deep traceback, cut the Python way (first 4000 + last
      // 4000 characters) when longer than 8000.
      const long = gen.traceback(gen.int(45, 70), gen.fill(gen.pick(ERROR_MESSAGES)));
      message = long.length > 8000 ? long.slice(0, 4000) + long.slice(-4000) : long;
    } else if (level === "ERROR") {
      const error = gen.fill(gen.pick(ERROR_MESSAGES));
      message = gen.chance(0.6) ? gen.traceback(gen.int(2, 18), error) : error;
    } else {
      message = gen.fill(gen.pick(level === "INFO" ? INFO_MESSAGES : TRACE_MESSAGES));
    }
    insert.run(
      gen.id(),
      dbTime(start + i * step + gen.random() * step, gen.int(0, 999)),
      level,
      gen.process(),
      message,
    );
  });
}

function insertQueues(db: DatabaseSync, gen: Gen): void {
  const insert = db.prepare(
    `INSERT INTO Queues (id, queue_name, status, data, reference, created_date, start_date,
       end_date, message, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const span = 90 * DAY_MS;
  const step = span / COUNTS.queues;
  const start = gen.now - span;
  inChunks(db, "Queues", COUNTS.queues, (i) => {
    const created = start + i * step + gen.random() * step;
    const recent = gen.now - created < DAY_MS;
    // Elements of the last day are mostly waiting; older ones are mostly handled.
    const status = gen.weighted(recent ? RECENT_QUEUE_STATUSES : OLD_QUEUE_STATUSES);
    const startMs = Math.min(gen.now - 1000, created + gen.random() * 4 * 3_600_000);
    const endMs = Math.min(gen.now, startMs + 1000 + gen.random() * 600_000);
    const started = status === "NEW" || (status === "ABANDONED" && gen.chance(0.5))
      ? null
      : startMs;
    const ended = status === "NEW" || status === "IN_PROGRESS" ? null : endMs;
    const queue = gen.queue();
    const data = JSON.stringify({
      case: gen.int(10000, 99999),
      name: gen.pick(["Ærø Østergård", "Jens Hansen", "Mette Frederiksen", "Ali Öztürk"]),
      amount: gen.int(1, 100000) / 100,
      note: gen.words(gen.chance(0.002) ? 250 : gen.int(0, 20)),
    }).slice(0, 2000);
    insert.run(
      gen.id(),
      queue,
      status,
      data,
      gen.chance(0.95) ? `${queue.split(".")[0].toUpperCase()}-${pad(i, 7)}` : null,
      dbTime(created, gen.int(0, 999)),
      started === null ? null : dbTime(started, gen.int(0, 999)),
      ended === null ? null : dbTime(ended, gen.int(0, 999)),
      status === "FAILED"
        ? gen.fill(gen.pick(ERROR_MESSAGES))
        : status === "ABANDONED"
        ? gen.pick(["Duplicate case", "Abandoned by admin", "Citizen withdrew the application"])
        : status === "DONE" && gen.chance(0.3)
        ? gen.fill(gen.pick(INFO_MESSAGES))
        : null,
      gen.chance(0.9) ? gen.process() : null,
    );
  });
}

function insertTriggers(db: DatabaseSync, gen: Gen): string[] {
  const insert = db.prepare(
    `INSERT INTO Triggers (id, trigger_name, process_name, last_run, process_path, process_args,
       process_status, is_git_repo, is_blocking, type, scheduler_whitelist, priority, git_branch)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const single = db.prepare("INSERT INTO Single_Triggers (id, next_run) VALUES (?, ?)");
  const scheduled = db.prepare(
    "INSERT INTO Scheduled_Triggers (id, cron_expr, next_run) VALUES (?, ?, ?)",
  );
  const queued = db.prepare(
    "INSERT INTO Queue_Triggers (id, queue_name, min_batch_size) VALUES (?, ?, ?)",
  );
  const names: string[] = [];
  inChunks(db, "Triggers", COUNTS.triggers, (i) => {
    const id = gen.id();
    const type = gen.weighted(TRIGGER_TYPES);
    // Only a single trigger ends DONE (scheduled and queue triggers go back to IDLE).
    const status = type === "SINGLE" && gen.chance(0.4) ? "DONE" : gen.weighted(TRIGGER_STATUSES);
    const process = gen.process();
    const name = `${process} ${type.toLowerCase()} ${i + 1}`;
    names.push(name);
    const active = status === "RUNNING" || status === "PAUSING" || status === "KILLING";
    const lastRunMs = active
      ? gen.now - gen.int(1, 120) * 60_000
      : status === "IDLE" && gen.chance(0.15)
      ? null
      : gen.now - gen.random() * 30 * DAY_MS;
    const git = gen.chance(0.4);
    const slug = process.toLowerCase().replaceAll(" ", "-");
    const machines = [...new Set(Array.from({ length: gen.int(1, 3) }, () => gen.pick(MACHINES)))];
    insert.run(
      id,
      name,
      process,
      lastRunMs === null ? null : dbTime(lastRunMs, gen.int(0, 999)),
      git
        ? `https://git.example.org/rpa/${slug}.git`
        : `C:\\Robots\\${process.replaceAll(" ", "")}`,
      gen.chance(0.7) ? "" : gen.pick(['{"dry_run": true}', "--days 3", '{"mode": "full"}']),
      status,
      git ? 1 : 0,
      gen.chance(0.2) ? 1 : 0,
      type,
      gen.chance(0.6) ? "[]" : JSON.stringify(machines).replaceAll('","', '", "'),
      gen.chance(0.5) ? 0 : gen.int(1, 10),
      git ? gen.pick(["main", "main", "develop", "release/2025"]) : null,
    );
    if (type === "SCHEDULED") {
      const cron = gen.pick(CRONS);
      // The scheduler moves next_run when it starts a run: idle ones point after now, the others
      // after their last run (possibly in the past).
      const from = status === "IDLE" || lastRunMs === null ? gen.now : lastRunMs;
      scheduled.run(id, cron, nextRuns(cron, dbTime(from), 1)[0]);
    } else if (type === "QUEUE") {
      queued.run(id, gen.queue(), gen.pick([1, 1, 5, 10, 25, 50]));
    } else {
      const nextMs = status === "DONE" || status === "KILLED"
        ? (lastRunMs ?? gen.now) - gen.int(0, 60) * 1000
        : gen.now + (gen.random() - 0.3) * 10 * DAY_MS;
      single.run(id, dbTime(Math.floor(nextMs / 60_000) * 60_000));
    }
  });
  return names;
}

function insertSmallTables(db: DatabaseSync, gen: Gen, triggerNames: string[]): void {
  const scheduler = db.prepare(
    `INSERT INTO Schedulers (machine_name, last_update, latest_trigger, latest_trigger_time)
     VALUES (?, ?, ?, ?)`,
  );
  inChunks(db, "Schedulers", COUNTS.schedulers, (i) => {
    // Online (seconds ago), stale (minutes ago), offline (days ago).
    const age = i < 8
      ? gen.int(0, 6_000)
      : i < 14
      ? gen.int(2, 59) * 60_000
      : gen.int(1, 30) * DAY_MS + gen.int(0, DAY_MS);
    const ran = gen.chance(0.8);
    scheduler.run(
      MACHINES[i],
      gen.ago(age),
      ran ? gen.pick(triggerNames) : null,
      ran ? gen.ago(age + gen.int(0, 6) * 3_600_000) : null,
    );
  });

  const constant = db.prepare("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)");
  inChunks(db, "Constants", COUNTS.constants, (i) => {
    const domain = DOMAINS[i % DOMAINS.length];
    const kind = CONSTANT_KINDS[Math.floor(i / DOMAINS.length) % CONSTANT_KINDS.length];
    constant.run(
      `${domain} ${kind}`,
      constantValue(gen, domain, kind),
      gen.ago(gen.random() * 700 * DAY_MS),
    );
  });

  const credential = db.prepare(
    "INSERT INTO Credentials (name, username, password, changed_at) VALUES (?, ?, ?, ?)",
  );
  inChunks(db, "Credentials", COUNTS.credentials, (i) => {
    const domain = DOMAINS[i % DOMAINS.length];
    const system = SYSTEMS[Math.floor(i / DOMAINS.length) % SYSTEMS.length];
    let password = "";
    for (let n = gen.int(8, 40); n > 0; n--) {
      password += String.fromCharCode(gen.int(33, 126));
    }
    credential.run(
      `${domain} ${system}`,
      `svc_${domain.toLowerCase()}_${system.toLowerCase().replace(/\W/g, "")}`,
      encrypt(DEMO_KEY, password),
      gen.ago(gen.random() * 400 * DAY_MS),
    );
  });
}

function constantValue(gen: Gen, domain: string, kind: string): string {
  const slug = domain.toLowerCase();
  switch (kind) {
    case "portal URL":
      return `https://${slug}.portal.example.org/login?tenant=${gen.int(100, 999)}`;
    case "approver mail":
      return `${slug}-approvers@example.org`;
    case "system id":
      return `PRD-${gen.int(100, 999)}`;
    case "letter template":
      return `Dear {name},\n${gen.words(gen.int(20, 140))}\nKind regards, ${domain}`.slice(0, 1000);
    case "working hours":
      return `{"start": "0${gen.int(6, 9)}:00", "end": "${gen.int(15, 19)}:00"}`;
    case "archive folder":
      return `\\\\fileserver\\rpa\\${domain}\\archive`;
    case "report recipients":
      return Array.from({ length: gen.int(1, 12) }, () => `${gen.pick(WORDS)}@example.org`).join(
        ";",
      );
    case "feature flags":
      return JSON.stringify(
        Object.fromEntries(WORDS.slice(0, gen.int(1, 30)).map((w) => [w, gen.chance(0.5)])),
      );
    case "contact phone":
      return `+45 ${gen.int(20, 99)} ${gen.int(10, 99)} ${gen.int(10, 99)} ${gen.int(10, 99)}`;
    default:
      return String(gen.int(1, 600));
  }
}

/** Builds the bench database into a temporary file and moves it into place when complete. */
function buildDatabase(marker: Marker): void {
  const started = performance.now();
  mkdirSync(DATA_DIR, { recursive: true });
  rmSync(MARKER_PATH, { force: true });
  const temp = `${DB_PATH}.building`;
  removeDb(temp);
  console.log(`Building ${DB_PATH} (seed ${SEED}) ...`);
  const db = new DatabaseSync(temp);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = OFF");
  db.exec("PRAGMA cache_size = -1000000");
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("BEGIN");
  for (const table of SHARED_TABLES) db.exec(SQLITE_TABLES[table]);
  db.prepare("INSERT INTO alembic_version (version_num) VALUES (?)").run(CURRENT_REVISION);
  db.exec("COMMIT");

  const gen = new Gen(SEED, Date.now());
  insertLogs(db, gen);
  insertQueues(db, gen);
  const triggerNames = insertTriggers(db, gen);
  insertSmallTables(db, gen, triggerNames);

  const indexStarted = performance.now();
  for (const [name, table, columns] of [...BASE_INDEXES, ...RECOMMENDED_INDEXES]) {
    db.exec(`CREATE INDEX ${name} ON ${table} (${columns})`);
  }
  console.log(
    `  indexes: ${BASE_INDEXES.length + RECOMMENDED_INDEXES.length} (${elapsed(indexStarted)})`,
  );
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();

  removeDb(DB_PATH);
  renameSync(temp, DB_PATH);
  removeDb(temp);
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const bytes = statSync(DB_PATH).size;
  writeFileSync(
    MARKER_PATH,
    JSON.stringify({ ...marker, builtAt: dbTime(gen.now), buildSeconds: seconds, bytes }, null, 2) +
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

/** Starts `main.ts` on the bench database and waits until `/healthz` says the poller has run. */
async function startServer(): Promise<Server> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER_V8_FLAGS, "main.ts"],
    cwd: ROOT,
    env: {
      OpenOrchestratorSQL: `sqlite:///${DB_PATH}`,
      OpenOrchestratorKey: DEMO_KEY,
      PORT: String(port),
      HOST: "127.0.0.1",
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
 * The server's peak resident memory (VmHWM) in bytes, or null where /proc is missing. Read with
 * `cat`: Deno lets only `--allow-all` read another process's `/proc/<pid>` files.
 */
async function peakMemory(pid: number): Promise<number | null> {
  if (Deno.build.os !== "linux") return null;
  try {
    const { success, stdout } = await new Deno.Command("cat", {
      args: [`/proc/${pid}/status`],
      stderr: "null",
    }).output();
    const kb = success ? /^VmHWM:\s+(\d+) kB/m.exec(new TextDecoder().decode(stdout))?.[1] : null;
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
  const response = await fetch(base + endpoint.path, { headers: endpoint.headers });
  const body = new Uint8Array(await response.arrayBuffer());
  return { ms: performance.now() - started, bytes: body.byteLength, status: response.status, body };
}

async function measure(base: string, endpoint: Endpoint, requests: number): Promise<Result> {
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
  requests: number;
  only: string;
  scale: number;
  concurrent: boolean;
  seconds: number;
};

function wholeNumber(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new Error(`Cannot run the bench: --${name} must be a whole number from 1, got '${text}'`);
  }
  return Number(text);
}

function parseOptions(): Options {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rebuild: { type: "boolean", default: false },
      requests: { type: "string", default: String(DEFAULT_REQUESTS) },
      only: { type: "string", default: "" },
      scale: { type: "string", default: "1" },
      concurrent: { type: "boolean", default: false },
      seconds: { type: "string", default: String(CONCURRENT_SECONDS) },
    },
  });
  return {
    rebuild: values.rebuild,
    requests: wholeNumber("requests", values.requests),
    only: values.only.toLowerCase(),
    scale: wholeNumber("scale", values.scale),
    concurrent: values.concurrent,
    seconds: wholeNumber("seconds", values.seconds),
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

/** `CLIENTS` clients cycling through `endpoints` for `seconds`, plus the probe. */
async function underLoad(
  base: string,
  endpoints: Endpoint[],
  seconds: number,
): Promise<{ load: Latencies; probe: Latencies; failures: number }> {
  const until = performance.now() + seconds * 1000;
  const load: number[] = [];
  const probe: number[] = [];
  let failures = 0;
  const client = async (first: number) => {
    for (let i = first; performance.now() < until; i++) {
      const { ms, status } = await timeRequest(base, endpoints[i % endpoints.length]);
      if (status === 200) load.push(ms);
      else failures++;
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
  return { load: latencies(load), probe: latencies(probe), failures };
}

function concurrentTable(
  rows: { name: string; seconds: number; run: Awaited<ReturnType<typeof underLoad>> }[],
): string {
  const ms = (n: number) => Number.isNaN(n) ? "–" : n.toFixed(1);
  const lines = [
    "| load | requests/s | p50 ms | p99 ms | max ms | probe p99 ms | probe worst stall ms | failed |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const { name, seconds, run } of rows) {
    lines.push(
      `| ${name} | ${(run.load.count / seconds).toFixed(0)} | ${ms(run.load.p50)} | ${
        ms(run.load.p99)
      } | ${ms(run.load.max)} | ${ms(run.probe.p99)} | ${ms(run.probe.max)} | ${run.failures} |`,
    );
  }
  return lines.join("\n");
}

/** The concurrent mode: the heavy views under load, then the dashboard fragment's throughput. */
async function runConcurrent(server: Server, options: Options): Promise<string> {
  const heavy = largeTableEndpoints().filter((e) => !e.path.startsWith("/dashboard"));
  const dashboard = [{ name: "dashboard fragment", path: "/dashboard", headers: FRAGMENT }];
  const short = Math.max(1, Math.round(options.seconds / 3));
  console.log(`${CLIENTS} clients over ${heavy.length} heavy views for ${options.seconds} s ...`);
  const rows = [{
    name: `${CLIENTS} clients, heavy views`,
    seconds: options.seconds,
    run: await underLoad(server.base, heavy, options.seconds),
  }];
  console.log(`${CLIENTS} clients on the dashboard fragment for ${short} s ...`);
  rows.push({
    name: `${CLIENTS} clients, dashboard fragment`,
    seconds: short,
    run: await underLoad(server.base, dashboard, short),
  });
  return concurrentTable(rows);
}

async function main(): Promise<number> {
  const options = parseOptions();
  useScale(options.scale);
  const endpoints = ENDPOINTS.filter((e) =>
    `${e.name} ${e.path}`.toLowerCase().includes(options.only)
  );
  if (endpoints.length === 0) {
    throw new Error(`Cannot run the bench: no endpoint matches '${options.only}'`);
  }

  const marker = expectedMarker();
  if (options.rebuild || !cachedIsCurrent(marker)) {
    buildDatabase(marker);
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
    } else {
      console.log(
        `Serving on ${server.base}; ${WARMUP} warm-up + ${options.requests} timed requests per endpoint.`,
      );
      for (const endpoint of endpoints) {
        endpoint.prepare?.();
        results.push(await measure(server.base, endpoint, options.requests));
      }
    }
    peak = await peakMemory(server.child.pid);
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    await stopServer(server);
  }

  console.log("");
  console.log(
    `${COUNTS.logs.toLocaleString("en")} logs, ${
      COUNTS.queues.toLocaleString("en")
    } queue elements (scale ${options.scale}); first poller round after ${firstRound}.`,
  );
  console.log("");
  console.log(options.concurrent ? loadTable : markdownTable(results));
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
