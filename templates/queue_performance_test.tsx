import assert from "node:assert/strict";
import type { PerformanceDay, QueuePerformance } from "../db/queue_performance.ts";
import { backlogWords, formatDuration } from "./queue_performance.tsx";

Deno.test("processing times are written in the unit that reads best", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [750, "750 ms"],
    [4_240, "4.2 s"],
    [38_000, "38 s"],
    [120_000, "2 min"],
    [150_000, "2.5 min"],
    [4_680_000, "78 min"],
    [9_000_000, "2.5 h"],
    [3 * 86_400_000, "3 days"],
  ];
  assert.deepEqual(cases.map(([ms]) => [ms, formatDuration(ms)]), cases);
});

Deno.test("the backlog is said to grow, shrink or hold level over the span", () => {
  const day = (arrived: number, done: number, abandoned = 0): PerformanceDay => ({
    day: "2026-11-24",
    done,
    failed: 0,
    abandoned,
    arrived,
    medianMs: null,
    p95Ms: null,
  });
  const perf = (days: PerformanceDay[]): QueuePerformance => ({
    queue: "Q",
    span: 7,
    now: "2026-11-24 12:00:00.000000",
    days,
    oldestNew: null,
  });
  assert.equal(
    backlogWords(perf([day(1200, 100), day(10, 0)])),
    "The backlog is growing: 1,210 arrived and 100 ended in these 7 days, 1,110 more than were handled.",
  );
  assert.equal(
    backlogWords(perf([day(1, 2, 1)])),
    "The backlog is shrinking: 1 arrived and 3 ended in these 7 days, 2 more than arrived.",
  );
  assert.equal(
    backlogWords(perf([day(2, 2)])),
    "The backlog holds level: 2 arrived and 2 ended in these 7 days.",
  );
});
