import assert from "node:assert/strict";
import { parseLogFilter, parseQueueFilter } from "./filters.ts";

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
