/** Contract tests of the dashboard's reads (every engine). */
import assert from "node:assert/strict";
import { parseDbTime, shiftTime } from "../lib/time.ts";
import { time } from "./connection.ts";
import { PAST_DAYS_RECOUNT_MS, readDashboard } from "./dashboard.ts";
import {
  contractTest,
  insertElement,
  insertLog,
  insertQueueTrigger,
  insertTimedTrigger,
} from "./testing.ts";

// A Tuesday: the window starts on Monday 00:00, 36 hours back.
const NOW = "2026-11-24 12:00:30.000000";
const ago = (hours: number) => shiftTime(NOW, -hours * 3_600_000);

contractTest(
  "dashboard: failures since the last working day, trigger and scheduler problems, chart",
  async (db) => {
    for (
      const [hours, level, process] of [[1, "ERROR", "A"], [35, "ERROR", "A"], [37, "ERROR", "A"], [
        2,
        "INFO",
        "B",
      ], [3, "ERROR", "B"]] as const
    ) {
      await insertLog(db, {
        log_time: ago(hours),
        log_level: level,
        process_name: process,
        log_message: "x",
      });
    }
    for (
      const [hours, status, queue] of [
        [1, "FAILED", "Q1"],
        [30, "FAILED", "Q1"],
        [50, "FAILED", "Q2"],
        [5, "DONE", "Q2"],
        [26, "DONE", "Q2"],
        [24 * 8, "DONE", "Q2"],
      ] as const
    ) {
      await insertElement(db, {
        queue_name: queue,
        status,
        created_date: ago(hours + 1),
        end_date: ago(hours),
      });
    }
    await insertQueueTrigger(db, { name: "Broken", queue: "Q1", status: "FAILED" });
    await insertQueueTrigger(db, { name: "Fine", queue: "Q1", status: "IDLE" });
    await insertTimedTrigger(db, {
      name: "Late scheduled",
      type: "SCHEDULED",
      status: "IDLE",
      nextRun: ago(1),
    });
    await insertTimedTrigger(db, {
      name: "Late single",
      type: "SINGLE",
      status: "IDLE",
      nextRun: ago(2),
    });
    await insertTimedTrigger(db, {
      name: "Just due",
      type: "SINGLE",
      status: "IDLE",
      nextRun: shiftTime(NOW, -2 * 60_000),
    });
    await insertTimedTrigger(db, {
      name: "Running late",
      type: "SCHEDULED",
      status: "RUNNING",
      nextRun: ago(3),
    });
    await insertTimedTrigger(db, {
      name: "Killed",
      type: "SINGLE",
      status: "KILLED",
      nextRun: ago(5),
    });
    for (const [machine, minutes] of [["vm-1", 0.5], ["vm-2", 3], ["vm-3", 60 * 24]] as const) {
      await db.run("INSERT INTO Schedulers (machine_name, last_update) VALUES (?, ?)", [
        machine,
        time(shiftTime(NOW, -minutes * 60_000)),
      ]);
    }

    const dash = await readDashboard(db, { now: parseDbTime(NOW) });
    assert.equal(dash.since, "2026-11-23 00:00:00.000000");
    assert.deepEqual(dash.errorLogs.map((g) => [g.name, g.n, g.last]), [["A", 2, ago(1)], [
      "B",
      1,
      ago(3),
    ]]);
    assert.deepEqual(dash.failedElements.map((g) => [g.name, g.n]), [["Q1", 2]]);
    assert.deepEqual(dash.failedTriggers.map((t) => [t.trigger_name, t.process_status]), [
      ["Broken", "FAILED"],
      ["Killed", "KILLED"],
    ]);
    assert.deepEqual(dash.overdueTriggers.map((t) => [t.trigger_name, t.moment]), [
      ["Late single", ago(2)],
      ["Late scheduled", ago(1)],
    ]);
    assert.deepEqual(dash.offlineSchedulers.map((s) => s.machine_name), ["vm-3"]);
    assert.deepEqual(dash.chart.map((d) => d.day), [
      "2026-11-18",
      "2026-11-19",
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
      "2026-11-23",
      "2026-11-24",
    ]);
    assert.deepEqual(dash.chart.slice(4).map((d) => [d.done, d.failed]), [[0, 1], [1, 1], [1, 1]]);
    assert.equal(
      dash.chart.reduce((n, d) => n + d.done, 0),
      2,
      "an end 8 days ago is out of the chart",
    );

    // The next round counts only today; the days before come from the last round.
    await db.run("UPDATE Queues SET status = 'DONE' WHERE status = 'FAILED'");
    const later = new Date(parseDbTime(NOW).getTime() + 60_000);
    const next = await readDashboard(db, { now: later, previous: dash });
    assert.deepEqual(next.chart.slice(4).map((d) => [d.done, d.failed]), [[0, 1], [1, 1], [2, 0]]);
    // An hour on, or on another day, the days before are counted again.
    const hourLater = new Date(later.getTime() + PAST_DAYS_RECOUNT_MS);
    const recounted = await readDashboard(db, { now: hourLater, previous: next });
    assert.deepEqual(recounted.chart.slice(4).map((d) => [d.done, d.failed]), [
      [1, 0],
      [2, 0],
      [2, 0],
    ]);
  },
);
