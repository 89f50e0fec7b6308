import assert from "node:assert/strict";
import {
  actionReport,
  actionRule,
  elementDurations,
  formatDuration,
  skipReason,
  stuckBefore,
} from "./queue_status.ts";

const none = { done: false, stuck: false };

Deno.test("action rules follow docs/design.md#queue-element-rules", () => {
  assert.deepEqual(actionRule("retry", none), {
    from: ["FAILED", "ABANDONED"],
    stuck: false,
    doneOnRequest: true,
  });
  assert.deepEqual(actionRule("retry", { done: true, stuck: true }), {
    from: ["FAILED", "ABANDONED", "DONE"],
    stuck: true,
  });
  assert.deepEqual(actionRule("abandon", { done: true, stuck: true }), {
    from: ["NEW", "FAILED"],
    stuck: false,
  });
  assert.deepEqual(actionRule("delete", none).from, ["NEW", "DONE", "FAILED", "ABANDONED"]);
});

Deno.test("skipReason says why an element stays, and lets stuck ones go only when confirmed", () => {
  const mark = stuckBefore(new Date(2026, 10, 22, 12, 0, 0));
  assert.equal(mark, "2026-11-22 11:00:00.000000");
  const old = { status: "IN_PROGRESS", start_date: "2026-11-22 10:00:00.000000" };
  const fresh = { status: "IN_PROGRESS", start_date: "2026-11-22 11:30:00.000000" };
  const retry = actionRule("retry", none);
  assert.equal(skipReason(retry, { status: "FAILED", start_date: null }, mark), null);
  assert.equal(
    skipReason(retry, { status: "DONE", start_date: null }, mark),
    "done (confirm to retry)",
  );
  assert.equal(skipReason(retry, { status: "NEW", start_date: null }, mark), "already new");
  assert.equal(skipReason(retry, old, mark), "in progress (confirm it is stuck)");
  assert.equal(skipReason(retry, fresh, mark), "in progress");
  const confirmed = actionRule("retry", { done: true, stuck: true });
  assert.equal(skipReason(confirmed, old, mark), null);
  assert.equal(skipReason(confirmed, fresh, mark), "in progress");
  assert.equal(skipReason(confirmed, { status: "DONE", start_date: null }, mark), null);
  assert.equal(
    skipReason(actionRule("abandon", none), { status: "DONE", start_date: null }, mark),
    "already done",
  );
});

Deno.test("durations and reports are said in words", () => {
  assert.deepEqual(
    elementDurations({
      created_date: "2026-11-22 10:00:00.000000",
      start_date: "2026-11-22 10:02:30.000000",
      end_date: "2026-11-22 11:05:00.500000",
    }),
    { waited: 150_000, worked: 3_750_500 },
  );
  assert.deepEqual(
    elementDurations({
      created_date: "2026-11-22 10:00:00.000000",
      start_date: null,
      end_date: null,
    }),
    { waited: null, worked: null },
  );
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(42_000), "42 s");
  assert.equal(formatDuration(184_000), "3 min 4 s");
  assert.equal(formatDuration(7_500_000), "2 h 5 min");
  assert.equal(formatDuration(86_400_000 + 4 * 3_600_000), "1 day 4 h");
  assert.equal(formatDuration(3 * 86_400_000), "3 days");
  assert.equal(actionReport("retry", 3, {}), "Retried 3 elements.");
  assert.equal(
    actionReport("abandon", 1, { "in progress": 1, "no longer exists": 2 }),
    "Abandoned 1 element. Left alone: 1 in progress, 2 no longer exists.",
  );
});
