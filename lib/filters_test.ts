import assert from "node:assert/strict";
import { formatCursor, parseCursor } from "./cursor.ts";
import { pagedQuery, parseLogFilter, parsePaging, parseQueueFilter } from "./filters.ts";

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

Deno.test("keyset paging caps the size and reads one cursor", () => {
  assert.deepEqual(parsePaging(q("")).value, { size: 50, dir: "desc", after: null, before: null });
  for (const size of ["0", "501", "100000", "-1", "abc", "1e3"]) {
    assert.match(parsePaging(q(`size=${size}`)).errors.size, /from 1 to 500/, size);
  }
  assert.match(parsePaging(q("dir=up")).errors.dir, /asc or desc/);
  const cursor = { time: "2026-11-22 08:00:01.123456", id: "0af4eb56d9dc407aaf658a2d3f5b1c11" };
  const text = formatCursor(cursor);
  assert.equal(text, "2026-11-22T08:00:01.123456_0af4eb56d9dc407aaf658a2d3f5b1c11");
  assert.deepEqual(parseCursor(text), cursor);
  assert.deepEqual(parsePaging(q(`after=${text}&dir=asc`)).value.after, cursor);
  for (
    const bad of [
      "x",
      "2026-11-22T08:00:01_abc",
      `${text}_x`,
      "2026-13-22T08:00:01.123456_0af4eb56d9dc407aaf658a2d3f5b1c11",
    ]
  ) {
    assert.equal(parseCursor(bad), null, bad);
  }
  assert.match(parsePaging(q("before=junk")).errors.before, /cannot be read/);
  assert.match(parsePaging(q(`after=${text}&before=${text}`)).errors.before, /not both/);
  assert.equal(
    pagedQuery({ status: ["NEW", "FAILED"], q: "", from: "2026-11-01T08:00" }, {
      size: 50,
      dir: "desc",
      after: cursor,
    }),
    `?status=NEW&status=FAILED&from=2026-11-01T08%3A00&after=${encodeURIComponent(text)}`,
  );
});
