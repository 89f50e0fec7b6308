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
  assert.equal(
    skipReason(retry, { element: { status: "FAILED", start_date: null }, stuckMark: mark }),
    null,
  );
  assert.equal(
    skipReason(retry, { element: { status: "DONE", start_date: null }, stuckMark: mark }),
    "done (confirm to retry)",
  );
  assert.equal(
    skipReason(retry, { element: { status: "NEW", start_date: null }, stuckMark: mark }),
    "already new",
  );
  assert.equal(
    skipReason(retry, { element: old, stuckMark: mark }),
    "in progress (confirm it is stuck)",
  );
  assert.equal(skipReason(retry, { element: fresh, stuckMark: mark }), "in progress");
  const confirmed = actionRule("retry", { done: true, stuck: true });
  assert.equal(skipReason(confirmed, { element: old, stuckMark: mark }), null);
  assert.equal(skipReason(confirmed, { element: fresh, stuckMark: mark }), "in progress");
  assert.equal(
    skipReason(confirmed, { element: { status: "DONE", start_date: null }, stuckMark: mark }),
    null,
  );
  assert.equal(
    skipReason(actionRule("abandon", none), {
      element: { status: "DONE", start_date: null },
      stuckMark: mark,
    }),
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
  assert.equal(actionReport("retry", { changed: 3, skipped: {} }), "Retried 3 elements.");
  assert.equal(
    actionReport("abandon", { changed: 1, skipped: { "in progress": 1, "no longer exists": 2 } }),
    "Abandoned 1 element. Left alone: 1 in progress, 2 no longer exists.",
  );
});
