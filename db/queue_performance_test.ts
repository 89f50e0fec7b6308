/** Contract tests of a queue's performance per day (every engine). */
import assert from "node:assert/strict";
import { parseDbTime } from "../lib/time.ts";
import type { Db } from "./connection.ts";
import { PAST_DAYS_RECOUNT_MS } from "./dashboard.ts";
import {
  pastDaysFresh,
  type PerformanceDay,
  type QueuePerformance,
  readPastDays,
  readQueuePerformance,
} from "./queue_performance.ts";
import { contractTest, insertElement, tempDatabase } from "./testing.ts";

// A Tuesday at noon: the 7 days are Wednesday 18 to Tuesday 24.
const NOW = parseDbTime("2026-11-24 12:00:30.000000");

/** An element of queue Q: status, created, and optionally started and ended (`MM-DD HH:MM:SS…`). */
function element(
  db: Db,
  status: string,
  created: string,
  start: string | null = null,
  end: string | null = null,
  queue = "Q",
) {
  const at = (t: string | null) => {
    if (t === null) return null;
    const [day, clock] = t.split(" ");
    return `2026-${day} ${clock.padEnd(8, ":00").slice(0, 8)}${clock.slice(8) || ".000000"}`;
  };
  return insertElement(db, {
    queue_name: queue,
    status,
    created_date: at(created)!,
    start_date: at(start),
    end_date: at(end),
  });
}

function day(
  day: string,
  counts: [done: number, failed: number, abandoned: number, arrived: number],
  medianMs: number | null = null,
  p95Ms: number | null = null,
): PerformanceDay {
  const [done, failed, abandoned, arrived] = counts;
  return { day: `2026-11-${day}`, done, failed, abandoned, arrived, medianMs, p95Ms };
}

contractTest("queue performance: counts, percentiles and day boundaries per day", async (db) => {
  // Today: 8 ended (7 done, 1 failed), 6 of them created today, and a new one.
  for (const [status, seconds] of [["DONE", 1], ["DONE", 2], ["DONE", 3], ["DONE", 4]] as const) {
    await element(db, status, "11-24 08:00", "11-24 09:00:00", `11-24 09:00:0${seconds}`);
  }
  await element(db, "FAILED", "11-24 08:00", "11-24 09:00:00", "11-24 09:00:10");
  await element(db, "DONE", "11-24 08:00", "11-24 09:00:00", "11-24 09:01:40");
  // Started before midnight, ended after it: today's, 750 ms.
  await element(db, "DONE", "11-23 23:00", "11-23 23:59:59.500000", "11-24 00:00:00.250000");
  // Ended on the stroke of midnight: today's, 60 s.
  await element(db, "DONE", "11-23 22:00", "11-23 23:59:00", "11-24 00:00:00.000000");
  await element(db, "NEW", "11-24 11:00");
  // Yesterday: one done in its last 10 ms (1 s; SQL Server DATETIME keeps 1/300 s), one whose start is after its end (a
  // writer's clock was off): counted, but not timed.
  await element(db, "DONE", "11-23 20:00", "11-23 23:59:58.990000", "11-23 23:59:59.990000");
  await element(db, "DONE", "11-23 09:00", "11-23 10:00:05", "11-23 10:00:00");
  await element(db, "ABANDONED", "11-21 09:00", null, "11-22 12:00");
  await element(db, "FAILED", "11-20 07:00", "11-20 08:00:00", "11-20 08:00:30");
  await element(db, "NEW", "11-20 08:00");
  await element(db, "IN_PROGRESS", "11-19 09:00", "11-24 11:30");
  // The first day starts at its midnight; a failure without a start is not timed.
  await element(db, "FAILED", "11-18 00:00:00.000000", null, "11-18 00:00:00.000000");
  // Before the first day, and another queue: not counted.
  await element(db, "DONE", "11-17 09:00", "11-17 23:59:00", "11-17 23:59:59.990000");
  await element(db, "NEW", "11-17 23:59:59.990000", null, null, "Other");
  await element(db, "DONE", "11-24 08:00", "11-24 09:00:00", "11-24 09:00:05", "Other");

  const read = await readQueuePerformance(db, "Q", { span: 7, now: NOW });
  assert.equal(read.now, "2026-11-24 12:00:30.000000");
  assert.deepEqual(read.days, [
    day("18", [0, 1, 0, 1]),
    day("19", [0, 0, 0, 1]),
    day("20", [0, 1, 0, 2], 30_000, 30_000),
    day("21", [0, 0, 0, 1]),
    day("22", [0, 0, 1, 0]),
    day("23", [2, 0, 0, 4], 1000, 1000),
    // [750, 1000, 2000, 3000, 4000, 10000, 60000, 100000]: ranks ⌈0.5·8⌉ = 4 and ⌈0.95·8⌉ = 8.
    day("24", [7, 1, 0, 7], 3000, 100_000),
  ]);
  assert.equal(read.oldestNew, "2026-11-20 08:00:00.000000");

  const month = await readQueuePerformance(db, "Q", { span: 30, now: NOW });
  assert.equal(month.days.length, 30);
  assert.equal(month.days[0].day, "2026-10-26");
  assert.deepEqual(
    month.days.find((d) => d.day === "2026-11-17"),
    day("17", [1, 0, 0, 1], 59_990, 59_990),
  );
  assert.deepEqual(month.days.slice(-7), read.days);

  const empty = await readQueuePerformance(db, "Nothing", { span: 7, now: NOW });
  assert.deepEqual(empty.days.map((d) => d.done + d.failed + d.arrived), [0, 0, 0, 0, 0, 0, 0]);
  assert.equal(empty.oldestNew, null);
});

contractTest(
  "queue performance: kept days before today stand for an hour and until midnight, for any span",
  async (db) => {
    const past = await readPastDays(db, "Q", { now: NOW });
    assert.equal(past.days.length, 29);
    assert.deepEqual([past.days[0].day, past.days.at(-1)!.day], ["2026-10-26", "2026-11-23"]);
    await element(db, "DONE", "11-23 09:00", "11-23 09:00:00", "11-23 09:00:02");
    await element(db, "DONE", "11-24 09:00", "11-24 09:00:00", "11-24 09:00:04");
    await element(db, "DONE", "11-23 09:00", "11-23 09:00:00", "11-23 09:00:08", "Other");
    const later = (ms: number) => new Date(NOW.getTime() + ms);
    const yesterday = (p: QueuePerformance) => p.days.find((d) => d.day === "2026-11-23")!;

    const kept = await readQueuePerformance(db, "Q", {
      span: 7,
      now: later(PAST_DAYS_RECOUNT_MS - 1000),
      past,
    });
    assert.equal(yesterday(kept).done, 0, "yesterday as kept");
    assert.deepEqual([kept.days[6].done, kept.days[6].medianMs], [1, 4000], "today read again");
    const month = await readQueuePerformance(db, "Q", { span: 30, now: NOW, past });
    assert.deepEqual(month.days.slice(0, 29), past.days);
    assert.deepEqual(month.days.slice(-7), kept.days.slice(0, 6).concat(month.days.slice(-1)));

    // An hour later they are read again.
    assert.equal(pastDaysFresh(past, later(PAST_DAYS_RECOUNT_MS)), false);
    const recounted = await readQueuePerformance(db, "Q", {
      span: 7,
      now: later(PAST_DAYS_RECOUNT_MS),
      past,
    });
    assert.deepEqual([yesterday(recounted).done, yesterday(recounted).medianMs], [1, 2000]);
    const other = await readQueuePerformance(db, "Other", { span: 7, now: NOW });
    assert.deepEqual([yesterday(other).done, yesterday(other).medianMs], [1, 8000]);

    // After midnight, the day that was today is a day before today: all are read again.
    const evening = parseDbTime("2026-11-23 23:50:00.000000");
    const before = await readPastDays(db, "Q", { now: evening });
    await element(db, "DONE", "11-23 23:00", "11-23 23:55:00", "11-23 23:55:01");
    assert.equal(pastDaysFresh(before, new Date(evening.getTime() + 9 * 60_000)), true);
    const afterMidnight = new Date(evening.getTime() + 20 * 60_000);
    assert.equal(pastDaysFresh(before, afterMidnight), false);
    const after = await readQueuePerformance(db, "Q", {
      span: 7,
      now: afterMidnight,
      past: before,
    });
    assert.deepEqual(after.days.map((d) => d.day).slice(-2), ["2026-11-23", "2026-11-24"]);
    assert.equal(yesterday(after).done, 2, "read after its end");
  },
);

Deno.test("queue performance: the days before today are three scans in all, today three quick reads", async () => {
  const t = await tempDatabase();
  try {
    await element(t.db, "DONE", "11-20 07:00", "11-20 08:00:00", "11-20 08:00:30");
    await element(t.db, "DONE", "11-24 07:00", "11-24 08:00:00", "11-24 08:00:10");
    const query = t.db.query;
    const reads: ("scan" | "quick")[] = [];
    t.db.query = (sql, params, options) => {
      if (/FROM Queues/.test(sql) && !/MIN\(created_date\)/.test(sql)) {
        reads.push(options?.scan ? "scan" : "quick");
      }
      return query(sql, params, options);
    };
    const month = await readQueuePerformance(t.db, "Q", { span: 30, now: NOW });
    assert.deepEqual(reads, ["scan", "scan", "scan", "quick", "quick", "quick"]);
    assert.deepEqual(
      month.days.filter((d) => d.done).map((d) => [d.day, d.medianMs]),
      [["2026-11-20", 30_000], ["2026-11-24", 10_000]],
    );
    reads.length = 0;
    const past = await readPastDays(t.db, "Q", { now: NOW });
    assert.deepEqual(reads, ["scan", "scan", "scan"]);
    reads.length = 0;
    await readQueuePerformance(t.db, "Q", { span: 7, now: NOW, past });
    assert.deepEqual(reads, ["quick", "quick", "quick"], "the kept days are not read again");
  } finally {
    await t.close();
  }
});
