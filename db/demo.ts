/**
 * Realistic demo data for the embedded default database, so a newcomer sees something real:
 * processes with logs, queues with every status, triggers of every type and status, schedulers
 * online, stale and offline, constants and credentials (encrypted under the given key).
 *
 * The same generator, scaled up with {@linkcode DemoOptions.size}, builds the bench database
 * (`scripts/bench.ts`): a million logs over many processes and queues, the first ones the
 * busiest. Every choice comes from a seeded random source, so one seed and one `now` give the
 * same rows (passwords aside: Fernet tokens carry a random IV).
 * @module
 */
import { nextRuns } from "../lib/cron.ts";
import { encrypt } from "../lib/fernet.ts";
import { formatDbTime } from "../lib/time.ts";
import { clipLogMessage } from "./audit.ts";
import { type Db, type DbInfo, type Param, time } from "./connection.ts";
import { storedId } from "./ids.ts";

/** How much demo data to write. {@linkcode DEMO_SIZE} is the small demo a newcomer sees. */
export type DemoSize = {
  /** Log rows, spread evenly over the last `logDays` days. */
  logs: number;
  logDays: number;
  /** Queue elements, spread evenly over the last `queueDays` days; the newest 20 are new. */
  queueElements: number;
  queueDays: number;
  /** Process names the logs are written under (at most 29). */
  processes: number;
  /** Queue names the elements are put in (at most 51). */
  queues: number;
  /** Triggers: the demo's nine of every type and status, then generated ones. */
  triggers: number;
  /** Scheduler machines: online, stale and offline in turn. */
  schedulers: number;
  constants: number;
  credentials: number;
  /** How much busier the first processes and queues are: 0 = all alike, 0.8 ≈ 1/rank^0.8. */
  skew: number;
  /** The share of error logs that carry a Python traceback (a few up to the 8000 limit). */
  tracebacks: number;
};

/** The small demo: five processes, three queues, a week of logs. */
export const DEMO_SIZE: DemoSize = {
  logs: 1500,
  logDays: 7,
  queueElements: 360,
  queueDays: 10,
  processes: 5,
  queues: 3,
  triggers: 9,
  schedulers: 3,
  constants: 6,
  credentials: 3,
  skew: 0,
  tracebacks: 0,
};

/** Options of {@linkcode seedDemo}. */
export type DemoOptions = {
  /** The time the data is relative to; default: now. */
  now?: Date;
  /** Counts and spreads; what is left out is {@linkcode DEMO_SIZE}'s. */
  size?: Partial<DemoSize>;
  /** The random seed; default 42. */
  seed?: number;
};

/** A small deterministic random source (so the demo looks the same every time). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 60 * 24;

const PROCESSES = [
  "Invoice Processing",
  "Case Intake",
  "Payroll Export",
  "Citizen Mail",
  "Data Cleanup",
  // Only in a scaled demo:
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
];

const STEPS = ["Intake", "Approve", "Post", "Notify", "Archive"];

/** Queue names with the process that fills them: the demo's three, then two per other process. */
const QUEUES: [queue: string, creator: string][] = [
  ["Intake.Cases", "Case Intake"],
  ["Mail.Outgoing", "Citizen Mail"],
  ["Invoices.Approve", "Citizen Mail"],
  ...PROCESSES.slice(5).flatMap((process, i): [string, string][] => {
    const name = process.replaceAll(" ", "");
    return [[`${name}.${STEPS[i % 5]}`, process], [`${name}.${STEPS[(i + 2) % 5]}`, process]];
  }),
];

const MESSAGES: Record<string, string[]> = {
  TRACE: [
    "Opened the portal",
    "Read 24 rows from the inbox",
    "Logged in as svc_rpa",
    "Closed the browser",
  ],
  INFO: [
    "Process started",
    "Process finished",
    "Handled case",
    "Sent 12 letters",
    "Exported the payroll file",
  ],
  ERROR: [
    "TimeoutError: the portal did not answer within 30 s",
    "Login failed: the password has expired",
    "KeyError: 'cpr' missing in queue element data",
    "The SAP session was closed by the server",
  ],
};

/** The scheduled triggers' expressions: the demo's four first. */
const CRONS = [
  "0 2 * * MON-FRI",
  "30 6 1 * *",
  "0 7 * * MON",
  "*/15 8-16 * * *",
  "0 */2 * * *",
  "45 23 * * *",
  "0 9 1-7 * MON",
  "0 12 L * *",
];

/** A trigger: name, process, type, status, priority, whitelist, and a queue trigger's queue. */
type DemoTrigger = [string, string, string, string, number, string, [string, number]?];

const TRIGGERS: DemoTrigger[] = [
  ["Nightly invoices", "Invoice Processing", "SCHEDULED", "IDLE", 5, '["rpa-vm-01", "rpa-vm-02"]'],
  ["Payroll export", "Payroll Export", "SCHEDULED", "RUNNING", 3, "[]"],
  ["Weekly report", "Data Cleanup", "SCHEDULED", "PAUSED", 0, "[]"],
  ["Citizen letters", "Citizen Mail", "SCHEDULED", "FAILED", 1, '["rpa-vm-02"]'],
  ["Case intake", "Case Intake", "QUEUE", "IDLE", 2, "[]", ["Intake.Cases", 5]],
  ["Mail queue", "Citizen Mail", "QUEUE", "PAUSING", 0, "[]", ["Mail.Outgoing", 1]],
  ["One-off cleanup", "Data Cleanup", "SINGLE", "IDLE", 0, "[]"],
  ["Migration run", "Data Cleanup", "SINGLE", "DONE", 0, "[]"],
  ["Stuck export", "Payroll Export", "SINGLE", "KILLED", 0, "[]"],
];

/** Machine, minutes since its last ping, its latest trigger and minutes since that started. */
const SCHEDULERS: [string, number, string | null, number][] = [
  ["rpa-vm-01", 0, "Nightly invoices", 60 * 6],
  ["rpa-vm-02", 3, "Case intake", 25],
  ["rpa-vm-03", 60 * 24 * 2, null, 0],
];

/** Name, value, and minutes since it changed. */
const CONSTANTS: [string, string, number][] = [
  ["Portal URL", "https://portal.example.org/login", 60 * 24 * 30],
  ["Max retries", "3", 60 * 24 * 12],
  ["Invoice approver", "finance-approvers@example.org", 60 * 24 * 4],
  ["SAP system", "PRD-100", 60 * 24 * 90],
  ["Letter template", "Dear {name},\nYour case {case} has been received.", 60 * 5],
  ["Working hours", '{"start": "07:00", "end": "18:00"}', 60 * 24],
];

/** Name, username, password, and minutes since it changed. */
const CREDENTIALS: [string, string, string, number][] = [
  ["Portal login", "svc_rpa", "S3cret! æøå", 60 * 24 * 20],
  ["SAP", "RPA_BATCH", "correct horse battery staple", 60 * 24 * 3],
  ["Mail", "robot@example.org", "", 60 * 24 * 60],
];

/** A generated constant's kind and its value for a process slug and a number. */
const CONSTANT_KINDS: [string, (slug: string, n: number) => string][] = [
  ["portal URL", (slug, n) => `https://${slug}.portal.example.org/login?tenant=${n}`],
  ["max retries", (_, n) => String(n % 7)],
  ["approver mail", (slug) => `${slug}-approvers@example.org`],
  ["system id", (_, n) => `PRD-${n}`],
  ["timeout seconds", (_, n) => String(n % 600)],
  ["archive folder", (slug) => `\\\\fileserver\\rpa\\${slug}\\archive`],
  ["batch size", (_, n) => String(n % 500)],
  ["report recipients", (slug) => `${slug}@example.org;${slug}-lead@example.org`],
  ["working hours", (_, n) => `{"start": "0${6 + n % 4}:00", "end": "${15 + n % 4}:00"}`],
  ["feature flags", (_, n) => JSON.stringify({ dry_run: n % 2 === 0, notify: n % 3 === 0 })],
  ["contact phone", (_, n) => `+45 ${20 + n % 80} ${10 + n % 90} 00 00`],
  ["letter template", (slug) => `Dear {name},\nYour ${slug} case {case} has been received.`],
];

/** Pieces of the tracebacks' frames. */
const MODULES = ["main", "portal", "sap_client", "queue_worker", "letters", "config", "archive"];
const FUNCTIONS = ["handle_element", "login", "read_inbox", "export_rows", "send_letter", "run"];

const SYSTEMS = ["portal", "SAP", "KMD Nexus", "Outlook", "e-Boks", "SharePoint", "Navision"];

/** How many shares each of `length` names gets: the first the most, by `skew`. */
function shares(length: number, skew: number): number[] {
  return Array.from({ length }, (_, i) => Math.max(1, Math.round(20 / (i + 1) ** skew)));
}

/** One row: its table and its values by column. */
type DemoRow = [table: string, values: Record<string, Param>];

/** The demo rows, table by table, parents before children. */
function* demoRows(
  info: DbInfo,
  key: string,
  options: { now: Date; size: DemoSize; seed: number },
): Generator<DemoRow> {
  const { now, size } = options;
  const random = seededRandom(options.seed);
  // Ids from a stream of their own: the other choices stay the same whatever the id format.
  const idRandom = seededRandom(options.seed + 1);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const ago = (minutes: number) =>
    time(formatDbTime(new Date(now.getTime() - minutes * MINUTE_MS)));
  const id = () => {
    let hex = "";
    for (let i = 0; i < 4; i++) {
      hex += Math.floor(idRandom() * 2 ** 32).toString(16).padStart(8, "0");
    }
    // A UUID v4, as Python's uuid4() makes them.
    return storedId(info, `${hex.slice(0, 12)}4${hex.slice(13, 16)}a${hex.slice(17)}`)!;
  };
  const processes = PROCESSES.slice(0, size.processes);
  const processShares = shares(processes.length, size.skew);
  const shareTotal = processShares.reduce((a, b) => a + b, 0);
  const process = () => {
    let r = random() * shareTotal;
    return processes[processShares.findIndex((share) => (r -= share) < 0)] ?? processes[0];
  };
  // Queue elements are dealt to the queues in turn, a busier queue getting more turns.
  const queueShares = shares(size.queues, size.skew);
  const turns = Array.from(
    { length: Math.max(...queueShares) },
    (_, round) => queueShares.flatMap((share, i) => share > round ? [i] : []),
  ).flat();

  for (let i = 0; i < size.constants; i++) {
    const [kind, value] = CONSTANT_KINDS[Math.floor(i / PROCESSES.length) % CONSTANT_KINDS.length];
    const slug = PROCESSES[i % PROCESSES.length].toLowerCase().replaceAll(" ", "-");
    const [name, text, minutes] = CONSTANTS[i] ??
      [
        `${PROCESSES[i % PROCESSES.length]} ${kind}`,
        value(slug, int(100, 999)),
        int(0, 700) * DAY_MINUTES,
      ];
    yield ["Constants", { name, value: text, changed_at: ago(minutes) }];
  }
  for (let i = 0; i < size.credentials; i++) {
    const system = SYSTEMS[Math.floor(i / PROCESSES.length) % SYSTEMS.length];
    const slug = PROCESSES[i % PROCESSES.length].toLowerCase().replaceAll(" ", "_");
    const [name, username, password, minutes] = CREDENTIALS[i] ?? [
      `${PROCESSES[i % PROCESSES.length]} ${system}`,
      `svc_${slug}`,
      Array.from({ length: int(8, 40) }, () => String.fromCharCode(int(33, 126))).join(""),
      int(0, 400) * DAY_MINUTES,
    ];
    yield ["Credentials", {
      name,
      username,
      password: encrypt(key, password),
      changed_at: ago(minutes),
    }];
  }

  const triggers = [...TRIGGERS];
  for (let i = triggers.length; i < size.triggers; i++) {
    const type = pick(["SCHEDULED", "SCHEDULED", "QUEUE", "SINGLE"]);
    const status = type === "SINGLE" && random() < 0.4
      ? "DONE"
      : pick(["IDLE", "IDLE", "IDLE", "IDLE", "RUNNING", "FAILED", "PAUSED", "PAUSING", "KILLING"]);
    const name = process();
    const queue = QUEUES[Math.floor(random() * size.queues)][0];
    triggers.push([
      `${name} ${type.toLowerCase()} ${i + 1}`,
      name,
      type,
      status,
      random() < 0.5 ? 0 : int(1, 10),
      "[]",
      type === "QUEUE" ? [queue, pick([1, 5, 10, 25])] : undefined,
    ]);
  }

  for (let i = 0; i < size.schedulers; i++) {
    // Generated ones take turns: online, stale (minutes ago) and offline (days ago).
    const [machine, minutes, trigger, triggerMinutes] = SCHEDULERS[i] ?? [
      `rpa-vm-${String(i + 1).padStart(2, "0")}`,
      [random() / 2, int(2, 59), int(1, 30) * DAY_MINUTES][i % 3],
      pick(triggers)[0],
      int(0, 6) * 60,
    ];
    yield ["Schedulers", {
      machine_name: machine,
      last_update: ago(minutes),
      latest_trigger: trigger,
      latest_trigger_time: trigger ? ago(triggerMinutes) : null,
    }];
  }

  // The sub-rows after all the triggers: their ids reference Triggers.
  const subRows: DemoRow[] = [];
  for (
    const [i, [name, processName, type, status, priority, whitelist, queue]] of triggers.entries()
  ) {
    const triggerId = id();
    yield ["Triggers", {
      id: triggerId,
      trigger_name: name,
      process_name: processName,
      last_run: status === "IDLE" && i > 4 ? null : ago(60 * (i + 1)),
      process_path: i % 2
        ? `C:\\Robots\\${processName.replaceAll(" ", "")}`
        : `https://git.example.org/rpa/${processName.toLowerCase().replaceAll(" ", "-")}.git`,
      process_args: i === 6 ? '{"dry_run": true}' : "",
      process_status: info.killing || !status.startsWith("KILL") ? status : "FAILED",
      is_git_repo: i % 2 === 0,
      is_blocking: i !== 6,
      type,
      scheduler_whitelist: whitelist,
      priority,
      ...(info.gitBranch ? { git_branch: i % 2 ? null : "main" } : {}),
    }];
    if (type === "SCHEDULED") {
      // The next run the scheduler itself would write: the expression's first after now.
      const cron = CRONS[i % CRONS.length];
      subRows.push(["Scheduled_Triggers", {
        id: triggerId,
        cron_expr: cron,
        next_run: time(nextRuns(cron, formatDbTime(now), 1)[0]),
      }]);
    } else if (type === "QUEUE") {
      const [queueName, batch] = queue!;
      subRows.push(["Queue_Triggers", {
        id: triggerId,
        queue_name: queueName,
        min_batch_size: batch,
      }]);
    } else {
      subRows.push(["Single_Triggers", { id: triggerId, next_run: ago(i === 6 ? -90 : 60 * 24) }]);
    }
  }
  yield* subRows;

  // Newest first, evenly spread, so the file holds them in time order as a live one does.
  const queueStep = size.queueDays * DAY_MINUTES / size.queueElements;
  for (let n = 0; n < size.queueElements; n++) {
    const [queue, creator] = QUEUES[turns[n % turns.length]];
    const minutes = (n + random()) * queueStep;
    const status = n < 20
      ? "NEW"
      : pick(["DONE", "DONE", "DONE", "DONE", "FAILED", "ABANDONED", "NEW", "IN_PROGRESS"]);
    yield ["Queues", {
      id: id(),
      queue_name: queue,
      status,
      data: JSON.stringify({
        case: 1000 + n,
        name: pick(["Ærø Østergård", "Jens Hansen", "Mette Frederiksen"]),
      }),
      reference: `${queue.split(".")[0].toUpperCase()}-${String(1000 + n)}`,
      created_date: ago(minutes),
      start_date: status === "NEW" ? null : ago(minutes - 1),
      end_date: status === "NEW" || status === "IN_PROGRESS" ? null : ago(minutes - 3),
      message: status === "FAILED"
        ? pick(MESSAGES.ERROR)
        : status === "ABANDONED"
        ? "Duplicate case"
        : null,
      created_by: creator,
    }];
  }

  /** `error` under a traceback of `frames` frames, cut as the Python side cuts a long one. */
  const traceback = (error: string, frames: number) => {
    const lines = ["Traceback (most recent call last):"];
    for (let i = 0; i < frames; i++) {
      const module = pick(MODULES);
      lines.push(
        `  File "C:\\Robots\\robot\\${module}.py", line ${int(10, 900)}, in ${pick(FUNCTIONS)}`,
        `    result = ${module}.${pick(FUNCTIONS)}(element, timeout=30)`,
      );
    }
    return clipLogMessage([...lines, error].join("\n"));
  };
  const logStep = size.logDays * DAY_MINUTES / size.logs;
  for (let n = 0; n < size.logs; n++) {
    const level = random() < 0.08 ? "ERROR" : random() < 0.5 ? "INFO" : "TRACE";
    const minutes = (n + random()) * logStep;
    const processName = process();
    const message = pick(MESSAGES[level]);
    // No draw at all without tracebacks: the small demo stays as it was.
    const traced = level === "ERROR" && size.tracebacks > 0 && random() < size.tracebacks;
    yield ["Logs", {
      id: id(),
      log_time: ago(minutes),
      log_level: level,
      process_name: processName,
      log_message: traced
        ? traceback(message, random() < 0.005 ? int(45, 70) : int(2, 18))
        : message,
    }];
  }
}

/** Rows per INSERT statement. */
const ROWS_PER_STATEMENT = 100;
/** Rows per transaction: the small demo is one, a scaled one commits as it goes. */
const ROWS_PER_TRANSACTION = 50_000;

/**
 * Fills an empty database with the demo data (by default {@linkcode DEMO_SIZE}, in one
 * transaction; a larger size commits every 50,000 rows).
 */
export async function seedDemo(db: Db, key: string, options: DemoOptions = {}): Promise<void> {
  const rows = demoRows(db.info, key, {
    now: options.now ?? new Date(),
    size: { ...DEMO_SIZE, ...options.size },
    seed: options.seed ?? 42,
  });
  let next = rows.next();
  while (!next.done) {
    await db.transaction(async (tx) => {
      // Rows wait by table until a statement's worth; all are written, parents first, when one
      // table's are enough and at the end of the transaction.
      const waiting = new Map<string, Param[][]>();
      const flush = async () => {
        for (const [insert, values] of waiting) {
          const columns = insert.split("(")[1].split(",").length;
          const row = `(${Array(columns).fill("?").join(", ")})`;
          await tx.run(
            `${insert} VALUES ${Array(values.length).fill(row).join(", ")}`,
            values.flat(),
          );
        }
        waiting.clear();
      };
      for (let n = 0; !next.done && n < ROWS_PER_TRANSACTION; n++, next = rows.next()) {
        const [table, values] = next.value;
        const insert = `INSERT INTO ${table} (${Object.keys(values).join(", ")})`;
        const batch = waiting.get(insert) ?? [];
        waiting.set(insert, batch);
        batch.push(Object.values(values));
        if (batch.length === ROWS_PER_STATEMENT) await flush();
      }
      await flush();
    });
  }
}
