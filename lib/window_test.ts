import assert from "node:assert/strict";
import type { FieldErrors } from "./list.ts";
import { aroundWindow, lastWorkingDayStart, parseRange, presetFrom, shiftTime } from "./window.ts";

Deno.test("shiftTime does calendar arithmetic on stored times and keeps the microseconds", () => {
  assert.equal(shiftTime("2026-03-01 00:00:30.123456", -60_000), "2026-02-28 23:59:30.123456");
  assert.equal(shiftTime("2024-02-28 23:00:00.000000", 3_600_000), "2024-02-29 00:00:00.000000");
  // No DST: 02:30 on the spring-forward night exists in the stored wall-clock text.
  assert.equal(shiftTime("2026-03-29 01:30:00.000000", 3_600_000), "2026-03-29 02:30:00.000000");
});

Deno.test("the last working day window starts at midnight of the previous working day", () => {
  const cases: [string, string][] = [
    ["2026-11-21 09:00:00.000000", "2026-11-20 00:00:00.000000"], // Saturday: Friday
    ["2026-11-22 23:59:00.000000", "2026-11-20 00:00:00.000000"], // Sunday: Friday
    ["2026-11-23 00:30:00.000000", "2026-11-20 00:00:00.000000"], // Monday: Friday
    ["2026-11-24 09:00:00.000000", "2026-11-23 00:00:00.000000"], // Tuesday: Monday
    ["2026-11-27 09:00:00.000000", "2026-11-26 00:00:00.000000"], // Friday: Thursday
    ["2026-03-01 08:00:00.000000", "2026-02-27 00:00:00.000000"], // Sunday over a month end
  ];
  for (const [now, start] of cases) assert.equal(lastWorkingDayStart(now), start, now);
});

Deno.test("presets and the around window are field values", () => {
  assert.equal(presetFrom("2026-11-22 08:13:59.000000", 3_600_000), "2026-11-22T07:13");
  assert.deepEqual(aroundWindow("2026-11-22 08:13:59.500000", 2), {
    from: "2026-11-22T08:11",
    to: "2026-11-22T08:15",
  });
});

Deno.test("parseRange reads from/to, takes in the whole `to` minute, and says what is wrong", () => {
  const ok = (from: string, to: string) => {
    const errors: FieldErrors = {};
    const range = parseRange(new URLSearchParams({ from, to }), errors);
    return { range, errors };
  };
  const { range, errors } = ok("2026-11-01T08:00", "2026-11-01T09:30");
  assert.deepEqual(errors, {});
  assert.equal(range.from, "2026-11-01 08:00:00.000000");
  assert.equal(range.until, "2026-11-01 09:31:00.000000");
  assert.equal(
    ok("2026-11-01T08:00", "2026-11-01T08:00").range.until,
    "2026-11-01 08:01:00.000000",
  );
  assert.equal(ok("", "2026-11-01T08:00:10").range.until, "2026-11-01 08:00:11.000000");
  assert.deepEqual(ok("", "").range, { from: null, until: null, fromText: "", toText: "" });

  assert.match(ok("2026-13-01T08:00", "").errors.from, /From must be a date and time/);
  assert.match(ok("yesterday", "").errors.from, /got 'yesterday'/);
  assert.match(ok("2026-02-30T08:00", "").errors.from, /From must be/);
  assert.match(ok("", "2026-11-01 08:00").errors.to, /To must be a date and time/);
  assert.match(ok("2026-11-02T08:00", "2026-11-01T08:00").errors.to, /To must not be before From/);
});
