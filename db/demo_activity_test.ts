import assert from "node:assert/strict";
import { loadConfig } from "../lib/config.ts";
import { nextRuns } from "../lib/cron.ts";
import { formatDbTime } from "../lib/time.ts";
import { demoStep, keepDemoAlive } from "./demo_activity.ts";
import { tempDatabase } from "./testing.ts";

Deno.test("a demo step: two schedulers ping, a due trigger runs, a log and elements arrive", async () => {
  const { db, path, close } = await tempDatabase({ seed: true });
  try {
    const now = new Date(Date.now() + 3 * 3_600_000);
    const at = formatDbTime(now);
    const count = async (sql: string) => Number((await db.query<{ n: number }>(sql))[0].n);
    const logs = await count("SELECT COUNT(*) AS n FROM Logs");
    const elements = await count("SELECT COUNT(*) AS n FROM Queues");
    const [trigger] = await db.query<{ id: string; cron_expr: string }>(
      `SELECT t.id, s.cron_expr FROM Triggers t JOIN Scheduled_Triggers s ON s.id = t.id
        WHERE t.trigger_name = 'Nightly invoices'`,
    );
    await db.run("UPDATE Scheduled_Triggers SET next_run = ? WHERE id = ?", [
      formatDbTime(new Date(now.getTime() - 60_000)),
      trigger.id,
    ]);

    await demoStep(db, now, () => 0);

    const machines = await db.query<{ machine_name: string; last_update: string }>(
      "SELECT machine_name, last_update FROM Schedulers ORDER BY machine_name",
    );
    assert.deepEqual(machines.map((m) => m.last_update === at), [true, true, false]);
    assert.equal(await count("SELECT COUNT(*) AS n FROM Logs"), logs + 1);
    assert.equal(await count("SELECT COUNT(*) AS n FROM Queues"), elements + 1);
    const [ran] = await db.query<{ last_run: string; next_run: string }>(
      `SELECT t.last_run, s.next_run FROM Triggers t JOIN Scheduled_Triggers s ON s.id = t.id
        WHERE t.id = ?`,
      [trigger.id],
    );
    assert.equal(ran.last_run, at);
    assert.equal(ran.next_run, nextRuns(trigger.cron_expr, at, 1)[0]);
    assert.equal(
      await count(`SELECT COUNT(*) AS n FROM Queues WHERE end_date = '${at}'`),
      1,
      "the oldest new element finished",
    );

    // Only the embedded demo database is kept alive; a configured one is never touched.
    assert.equal(keepDemoAlive(db, { kind: "sqlite", path, embedded: false }), null);
    const configured = loadConfig({
      OpenOrchestratorSQL: "Server=sql01;Database=oo;User Id=u;Password=p",
    });
    assert.equal(keepDemoAlive(db, configured.database), null);
    const alive = keepDemoAlive(db, { kind: "sqlite", path, embedded: true });
    assert.ok(alive);
    alive.stop();
  } finally {
    await close();
  }
});
