/**
 * Realistic demo data for the embedded default database, so a newcomer sees something real:
 * processes with logs, queues with every status, triggers of every type and status, schedulers
 * online, stale and offline, constants and credentials (encrypted under the demo key).
 * @module
 */
import { nextRuns } from "../lib/cron.ts";
import { encrypt } from "../lib/fernet.ts";
import { formatDbTime } from "../lib/time.ts";
import { type Db, type Executor, type Param, time } from "./connection.ts";
import { newId } from "./ids.ts";

/** A small deterministic random source (so the demo looks the same every time). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function ago(now: Date, minutes: number): { time: string } {
  return time(formatDbTime(new Date(now.getTime() - minutes * 60_000)));
}

const PROCESSES = [
  "Invoice Processing",
  "Case Intake",
  "Payroll Export",
  "Citizen Mail",
  "Data Cleanup",
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

async function insertAll(tx: Executor, sql: string, rows: Param[][]): Promise<void> {
  for (const row of rows) await tx.run(sql, row);
}

/** Fills an empty database with the demo data, in one transaction. */
export async function seedDemo(db: Db, key: string, now: Date = new Date()): Promise<void> {
  const random = seededRandom(42);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const id = () => newId(db.info);
  await db.transaction(async (tx) => {
    await insertAll(tx, "INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
      ["Portal URL", "https://portal.example.org/login", ago(now, 60 * 24 * 30)],
      ["Max retries", "3", ago(now, 60 * 24 * 12)],
      ["Invoice approver", "finance-approvers@example.org", ago(now, 60 * 24 * 4)],
      ["SAP system", "PRD-100", ago(now, 60 * 24 * 90)],
      ["Letter template", "Dear {name},\nYour case {case} has been received.", ago(now, 60 * 5)],
      ["Working hours", '{"start": "07:00", "end": "18:00"}', ago(now, 60 * 24)],
    ]);
    await insertAll(
      tx,
      "INSERT INTO Credentials (name, username, password, changed_at) VALUES (?, ?, ?, ?)",
      [
        ["Portal login", "svc_rpa", encrypt(key, "S3cret! æøå"), ago(now, 60 * 24 * 20)],
        ["SAP", "RPA_BATCH", encrypt(key, "correct horse battery staple"), ago(now, 60 * 24 * 3)],
        ["Mail", "robot@example.org", encrypt(key, ""), ago(now, 60 * 24 * 60)],
      ],
    );
    await insertAll(
      tx,
      "INSERT INTO Schedulers (machine_name, last_update, latest_trigger, latest_trigger_time) VALUES (?, ?, ?, ?)",
      [
        ["rpa-vm-01", ago(now, 0), "Nightly invoices", ago(now, 60 * 6)],
        ["rpa-vm-02", ago(now, 3), "Case intake", ago(now, 25)],
        ["rpa-vm-03", ago(now, 60 * 24 * 2), null, null],
      ],
    );

    const triggers: [string, string, string, string, number, string][] = [
      [
        "Nightly invoices",
        "Invoice Processing",
        "SCHEDULED",
        "IDLE",
        5,
        '["rpa-vm-01", "rpa-vm-02"]',
      ],
      ["Payroll export", "Payroll Export", "SCHEDULED", "RUNNING", 3, "[]"],
      ["Weekly report", "Data Cleanup", "SCHEDULED", "PAUSED", 0, "[]"],
      ["Citizen letters", "Citizen Mail", "SCHEDULED", "FAILED", 1, '["rpa-vm-02"]'],
      ["Case intake", "Case Intake", "QUEUE", "IDLE", 2, "[]"],
      ["Mail queue", "Citizen Mail", "QUEUE", "PAUSING", 0, "[]"],
      ["One-off cleanup", "Data Cleanup", "SINGLE", "IDLE", 0, "[]"],
      ["Migration run", "Data Cleanup", "SINGLE", "DONE", 0, "[]"],
      ["Stuck export", "Payroll Export", "SINGLE", "KILLED", 0, "[]"],
    ];
    for (const [i, [name, process, type, status, priority, whitelist]] of triggers.entries()) {
      const triggerId = id();
      await tx.run(
        `INSERT INTO Triggers (id, trigger_name, process_name, last_run, process_path, process_args,
           process_status, is_git_repo, is_blocking, type, scheduler_whitelist, priority${
          db.info.gitBranch ? ", git_branch" : ""
        }) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?${db.info.gitBranch ? ", ?" : ""})`,
        [
          triggerId,
          name,
          process,
          status === "IDLE" && i > 4 ? null : ago(now, 60 * (i + 1)),
          i % 2
            ? `C:\\Robots\\${process.replaceAll(" ", "")}`
            : `https://git.example.org/rpa/${process.toLowerCase().replaceAll(" ", "-")}.git`,
          i === 6 ? '{"dry_run": true}' : "",
          db.info.killing || status !== "KILLED" ? status : "FAILED",
          i % 2 === 0,
          i !== 6,
          type,
          whitelist,
          priority,
          ...(db.info.gitBranch ? [i % 2 ? null : "main"] : []),
        ],
      );
      if (type === "SCHEDULED") {
        // The next run the scheduler itself would write: the expression's first after now.
        const cron = ["0 2 * * MON-FRI", "30 6 1 * *", "0 7 * * MON", "*/15 8-16 * * *"][i];
        await tx.run("INSERT INTO Scheduled_Triggers (id, cron_expr, next_run) VALUES (?, ?, ?)", [
          triggerId,
          cron,
          time(nextRuns(cron, formatDbTime(now), 1)[0]),
        ]);
      } else if (type === "QUEUE") {
        await tx.run(
          "INSERT INTO Queue_Triggers (id, queue_name, min_batch_size) VALUES (?, ?, ?)",
          [
            triggerId,
            name === "Case intake" ? "Intake.Cases" : "Mail.Outgoing",
            name === "Case intake" ? 5 : 1,
          ],
        );
      } else {
        await tx.run("INSERT INTO Single_Triggers (id, next_run) VALUES (?, ?)", [
          triggerId,
          ago(now, i === 6 ? -90 : 60 * 24),
        ]);
      }
    }

    const queues = ["Intake.Cases", "Mail.Outgoing", "Invoices.Approve"];
    for (let n = 0; n < 360; n++) {
      const queue = queues[n % 3];
      const minutes = Math.floor(random() * 60 * 24 * 10);
      const status = n < 20
        ? "NEW"
        : pick(["DONE", "DONE", "DONE", "DONE", "FAILED", "ABANDONED", "NEW", "IN_PROGRESS"]);
      const started = status === "NEW" ? null : ago(now, minutes - 1);
      const ended = status === "NEW" || status === "IN_PROGRESS" ? null : ago(now, minutes - 3);
      await tx.run(
        `INSERT INTO Queues (id, queue_name, status, data, reference, created_date, start_date,
           end_date, message, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id(),
          queue,
          status,
          JSON.stringify({
            case: 1000 + n,
            name: pick(["Ærø Østergård", "Jens Hansen", "Mette Frederiksen"]),
          }),
          `${queue.split(".")[0].toUpperCase()}-${String(1000 + n)}`,
          ago(now, minutes),
          started,
          ended,
          status === "FAILED"
            ? pick(MESSAGES.ERROR)
            : status === "ABANDONED"
            ? "Duplicate case"
            : null,
          queue === "Intake.Cases" ? "Case Intake" : "Citizen Mail",
        ],
      );
    }

    for (let n = 0; n < 1500; n++) {
      const level = random() < 0.08 ? "ERROR" : random() < 0.5 ? "INFO" : "TRACE";
      await tx.run(
        "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
        [
          id(),
          ago(now, Math.floor(random() * 60 * 24 * 7)),
          level,
          pick(PROCESSES),
          pick(MESSAGES[level]),
        ],
      );
    }
  });
}
