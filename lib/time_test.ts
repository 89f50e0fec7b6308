import assert from "node:assert/strict";
import {
  formatDbTime,
  inputTime,
  jsonTime,
  normalizeDbTime,
  parseDbTime,
  relativeTime,
  shiftTime,
} from "./time.ts";

Deno.test("stored times have six fraction digits, a space and no zone", () => {
  assert.equal(formatDbTime(new Date(2026, 0, 2, 3, 4, 5, 67)), "2026-01-02 03:04:05.067000");
  assert.equal(
    parseDbTime("2026-01-02 03:04:05.067000").getTime(),
    new Date(2026, 0, 2, 3, 4, 5, 67).getTime(),
  );
});

Deno.test("normalizeDbTime accepts Python, form and SQL Server spellings and refuses non-dates", () => {
  assert.equal(normalizeDbTime("2026-11-22 07:55:04.918155"), "2026-11-22 07:55:04.918155");
  assert.equal(normalizeDbTime("2026-11-22T07:55"), "2026-11-22 07:55:00.000000");
  assert.equal(normalizeDbTime("2026-11-22 07:55:04.9"), "2026-11-22 07:55:04.900000");
  for (
    const bad of [
      "2026-02-30T10:00",
      "2026-13-01T00:00",
      "2026-01-01T24:00",
      "yesterday",
      "2026-01-01",
    ]
  ) {
    assert.equal(normalizeDbTime(bad), null, bad);
  }
});

Deno.test("JSON, form and relative spellings", () => {
  assert.equal(jsonTime("2026-11-22 07:55:04.918155"), "2026-11-22T07:55:04");
  assert.equal(jsonTime(null), null);
  assert.equal(inputTime("2026-11-22 07:55:04.918155"), "2026-11-22T07:55");
  const now = new Date(2026, 10, 22, 12, 0, 0);
  assert.equal(relativeTime("2026-11-22 11:57:00.000000", now), "3 min ago");
  assert.equal(relativeTime("2026-11-22 14:00:00.000000", now), "in 2 h");
  assert.equal(relativeTime("2026-11-22 12:00:10.000000", now), "just now");
  assert.equal(relativeTime("2026-11-19 12:00:00.000000", now), "3 days ago");
});

Deno.test("shiftTime does calendar arithmetic on stored times and keeps the microseconds", () => {
  assert.equal(shiftTime("2026-03-01 00:00:30.123456", -60_000), "2026-02-28 23:59:30.123456");
  assert.equal(shiftTime("2024-02-28 23:00:00.000000", 3_600_000), "2024-02-29 00:00:00.000000");
  // No DST: 02:30 on the spring-forward night exists in the stored wall-clock text.
  assert.equal(shiftTime("2026-03-29 01:30:00.000000", 3_600_000), "2026-03-29 02:30:00.000000");
});
