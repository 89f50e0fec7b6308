import assert from "node:assert/strict";
import { addGroups, copyTally, processRows } from "./log_summary.ts";

Deno.test("a tally grows by counted groups; a copy grows apart from the original", () => {
  const base = addGroups({}, [
    { process_name: "B", log_level: "INFO", n: 2, last: "2026-11-01 10:00:00.000000" },
    { process_name: "A", log_level: "ERROR", n: 1, last: "2026-11-01 09:00:00.000000" },
  ]);
  const grown = addGroups(copyTally(base), [
    { process_name: "B", log_level: "INFO", n: 3, last: "2026-11-02 10:00:00.000000" },
    { process_name: "B", log_level: "ERROR", n: 1, last: "2026-11-01 11:00:00.000000" },
  ]);
  assert.deepEqual(base.B.counts, { INFO: 2 });
  assert.deepEqual(processRows(grown), [
    {
      process: "A",
      counts: { ERROR: 1 },
      total: 1,
      lastLog: "2026-11-01 09:00:00.000000",
      lastError: "2026-11-01 09:00:00.000000",
    },
    {
      process: "B",
      counts: { INFO: 5, ERROR: 1 },
      total: 6,
      lastLog: "2026-11-02 10:00:00.000000",
      lastError: "2026-11-01 11:00:00.000000",
    },
  ]);
});
