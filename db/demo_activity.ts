/**
 * Keeps the embedded demo database alive while the app runs, so a newcomer sees the live parts
 * work: two demo schedulers keep pinging, scheduled triggers that are due run (their last run is
 * now, their next run the expression's next), and logs and queue elements arrive and finish at a
 * gentle rate. Only ever for the embedded demo database: `keepDemoAlive` refuses any other.
 * @module
 */
import type { DatabaseTarget } from "../lib/config.ts";
import { nextRuns } from "../lib/cron.ts";
import { formatDbTime } from "../lib/time.ts";
import { type Db, time } from "./connection.ts";
import { newId } from "./ids.ts";

/** The demo schedulers that stay online (the third stays offline, as seeded). */
const PINGING = ["rpa-vm-01", "rpa-vm-02"];

/** Seconds between two steps of the demo. */
const DEMO_STEP_SECONDS = 5;

const MESSAGES = [
  ["INFO", "Case Intake", "Handled case"],
  ["TRACE", "Case Intake", "Read 3 rows from the inbox"],
  ["INFO", "Citizen Mail", "Sent 2 letters"],
  ["ERROR", "Citizen Mail", "TimeoutError: the portal did not answer within 30 s"],
] as const;

/** One step of demo activity at `now`; `random` picks what happens. */
export function demoStep(db: Db, now: Date, random: () => number = Math.random): Promise<void> {
  const at = time(formatDbTime(now));
  return db.transaction(async (tx) => {
    for (const machine of PINGING) {
      await tx.run("UPDATE Schedulers SET last_update = ? WHERE machine_name = ?", [at, machine]);
    }
    const [level, process, message] = MESSAGES[Math.floor(random() * MESSAGES.length)];
    await tx.run(
      "INSERT INTO Logs (id, log_time, log_level, process_name, log_message) VALUES (?, ?, ?, ?, ?)",
      [newId(db.info), at, level, process, message],
    );
    const due = await tx.query<{ id: string; cron_expr: string }>(
      `SELECT t.id, s.cron_expr FROM Triggers t JOIN Scheduled_Triggers s ON s.id = t.id
        WHERE t.process_status = 'IDLE' AND s.next_run <= ?`,
      [at],
    );
    for (const trigger of due) {
      const [next] = nextRuns(trigger.cron_expr, formatDbTime(now), 1);
      await tx.run("UPDATE Triggers SET last_run = ? WHERE id = ?", [at, trigger.id]);
      await tx.run("UPDATE Scheduled_Triggers SET next_run = ? WHERE id = ?", [
        next ? time(next) : null,
        trigger.id,
      ]);
    }
    if (random() < 0.3) {
      const reference = `INTAKE-LIVE-${now.getTime().toString(36).toUpperCase()}`;
      await tx.run(
        `INSERT INTO Queues (id, queue_name, status, data, reference, created_date, created_by)
         VALUES (?, 'Intake.Cases', 'NEW', ?, ?, ?, 'Case Intake')`,
        [newId(db.info), JSON.stringify({ case: now.getTime() % 10_000 }), reference, at],
      );
    }
    const [oldest] = await tx.query<{ id: string }>(
      `SELECT id FROM Queues WHERE queue_name = 'Intake.Cases' AND status = 'NEW'
        ORDER BY created_date, id${tx.dialect.page(1, 0)}`,
    );
    if (oldest && random() < 0.3) {
      const failed = random() < 0.15;
      await tx.run(
        `UPDATE Queues SET status = ?, start_date = ?, end_date = ?, message = ? WHERE id = ?`,
        [failed ? "FAILED" : "DONE", at, at, failed ? MESSAGES[3][2] : null, oldest.id],
      );
    }
  });
}

/**
 * Runs a demo step every {@linkcode DEMO_STEP_SECONDS} seconds on the embedded demo database until
 * it is closed (or `stop` is called); does nothing and returns null for any other database.
 */
export function keepDemoAlive(db: Db, target: DatabaseTarget): { stop(): void } | null {
  if (target.kind !== "sqlite" || !target.embedded) return null;
  const timer = setInterval(() => {
    demoStep(db, new Date()).catch(() => clearInterval(timer)); // closed: the app is stopping
  }, DEMO_STEP_SECONDS * 1000);
  Deno.unrefTimer(timer);
  return { stop: () => clearInterval(timer) };
}
