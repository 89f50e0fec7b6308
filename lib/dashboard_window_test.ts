import assert from "node:assert/strict";
import { lastWorkingDayStart } from "./dashboard_window.ts";

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
