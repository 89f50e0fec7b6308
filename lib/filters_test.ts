import assert from "node:assert/strict";
import type { FieldErrors } from "./list.ts";
import {
  aroundWindow,
  parseLogFilter,
  parseQueueFilter,
  parseRange,
  presetFrom,
} from "./filters.ts";

const q = (text: string) => new URLSearchParams(text);

Deno.test("queue filters read statuses by their stored names; all of them means no filter", () => {
  const { value, errors } = parseQueueFilter(
    q("status=FAILED&status=NEW&status=FAILED&q=%20abc%20"),
  );
  assert.deepEqual(errors, {});
  assert.deepEqual(value.statuses, ["NEW", "FAILED"]);
  assert.equal(value.q, "abc");
  assert.equal(value.date, "created");
  assert.deepEqual(
    parseQueueFilter(q("status=NEW,IN_PROGRESS,DONE,FAILED,ABANDONED")).value.statuses,
    [],
  );
  assert.match(parseQueueFilter(q("status=Failed")).errors.status, /Unknown status 'Failed'/);
  assert.match(parseQueueFilter(q("date=started")).errors.date, /created or ended/);
  assert.match(parseQueueFilter(q(`q=${"x".repeat(201)}`)).errors.q, /at most 200/);
  assert.equal(parseQueueFilter(q("date=ended")).value.date, "ended");
});

Deno.test("log filters read levels and the highlighted row", () => {
  const { value, errors } = parseLogFilter(
    q("level=ERROR&highlight=0AF4EB56-D9DC-407A-AF65-8A2D3F5B1C11&from=2026-11-01T08:00"),
  );
  assert.deepEqual(errors, {});
  assert.deepEqual(value.levels, ["ERROR"]);
  assert.equal(value.from, "2026-11-01 08:00:00.000000");
  assert.match(parseLogFilter(q("level=WARN")).errors.level, /choose from TRACE, INFO, ERROR/);
  assert.match(parseLogFilter(q("highlight=<script>")).errors.highlight, /log id/);
});

Deno.test("presets and the around window are field values", () => {
  assert.equal(presetFrom("2026-11-22 08:13:59.000000", 3_600_000), "2026-11-22T07:13");
  // Within an hour, across hours, at the day's first and last minutes, across midnight either
  // way, and across the year's end and a leap day.
  const cases: [string, number, string, string][] = [
    ["2026-11-22 08:13:59.500000", 2, "2026-11-22T08:11", "2026-11-22T08:15"],
    ["2026-11-22 08:14:00.000001", 2, "2026-11-22T08:12", "2026-11-22T08:16"],
    ["2026-11-22 08:14:30.000000", 30, "2026-11-22T07:44", "2026-11-22T08:44"],
    ["2026-11-22 00:02:00.000000", 2, "2026-11-22T00:00", "2026-11-22T00:04"],
    ["2026-11-22 23:57:10.000000", 2, "2026-11-22T23:55", "2026-11-22T23:59"],
    ["2026-11-22 00:01:00.000000", 2, "2026-11-21T23:59", "2026-11-22T00:03"],
    ["2026-11-22 23:58:00.000000", 2, "2026-11-22T23:56", "2026-11-23T00:00"],
    ["2026-12-31 23:59:59.999999", 2, "2026-12-31T23:57", "2027-01-01T00:01"],
    ["2028-03-01 00:30:00.000000", 60, "2028-02-29T23:30", "2028-03-01T01:30"],
  ];
  for (const [time, minutes, from, to] of cases) {
    assert.deepEqual(aroundWindow(time, minutes), { from, to }, `${time} ±${minutes} min`);
  }
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
