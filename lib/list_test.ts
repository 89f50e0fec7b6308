import assert from "node:assert/strict";
import { formatCursor, parseCursor } from "./cursor.ts";
import { type ListDefinition, type ListParams, listQuery, parseList } from "./list.ts";

const spec: ListDefinition<never> = {
  name: "constants",
  paging: "page",
  columns: [
    { key: "name", label: "Name", sort: "name" },
    { key: "value", label: "Value" },
    { key: "changed_at", label: "Changed", sort: "changed_at" },
  ],
  sort: "name",
  dir: "asc",
};

const cursorList: ListDefinition<never> = {
  name: "logs",
  paging: "cursor",
  columns: [{ key: "log_time", label: "Time", sort: "log_time" }],
  sort: "log_time",
  dir: "desc",
  size: 50,
};

const q = (text: string) => new URLSearchParams(text);

/** What a page-number list reads of its parameters. */
function pageOf({ q, sort, dir, page, size }: ListParams) {
  return { q, sort, dir, page, size };
}

/** What a cursor list reads of its parameters. */
function pagingOf({ size, dir, after, before }: ListParams) {
  return { size, dir, after, before };
}

Deno.test("defaults fill what the query leaves out", () => {
  const parsed = parseList(new URLSearchParams(""), spec);
  assert.deepEqual(parsed.errors, {});
  assert.deepEqual(pageOf(parsed.value), { q: "", sort: "name", dir: "asc", page: 1, size: 25 });
});

Deno.test("a full query is read and written back without the defaults", () => {
  const query = new URLSearchParams("q=%20inv%20&sort=changed_at&dir=desc&page=3&size=100");
  const checked = parseList(query, spec);
  assert.deepEqual(checked.errors, {});
  assert.deepEqual(pageOf(checked.value), {
    q: "inv",
    sort: "changed_at",
    dir: "desc",
    page: 3,
    size: 100,
  });
  assert.equal(
    listQuery(checked.value, { list: spec }),
    "?q=inv&sort=changed_at&dir=desc&page=3&size=100",
  );
  assert.equal(
    listQuery({ ...checked.value, q: "", sort: "name", dir: "asc", page: 1, size: 25 }, {
      list: spec,
    }),
    "",
  );
  assert.equal(
    listQuery({ ...checked.value, page: 1 }, {
      list: spec,
      filters: { status: ["NEW", "FAILED"] },
    }),
    "?status=NEW&status=FAILED&q=inv&sort=changed_at&dir=desc&size=100",
  );
});

Deno.test("every bad parameter is reported by name", () => {
  const checked = parseList(
    new URLSearchParams("sort=password&dir=up&page=0&size=501"),
    spec,
  );
  assert.deepEqual(Object.keys(checked.errors).sort(), ["dir", "page", "size", "sort"]);
  assert.match(checked.errors.sort, /Cannot sort by 'password'/);
  for (const size of ["1e3", "0x10", "2.5", "-5", "9999999999"]) {
    assert.ok(parseList(new URLSearchParams(`size=${size}`), spec).errors.size, size);
  }
});

Deno.test("keyset paging caps the size and reads one cursor", () => {
  assert.deepEqual(pagingOf(parseList(q(""), cursorList).value), {
    size: 50,
    dir: "desc",
    after: null,
    before: null,
  });
  for (const size of ["0", "501", "100000", "-1", "abc", "1e3"]) {
    assert.match(parseList(q(`size=${size}`), cursorList).errors.size, /from 1 to 500/, size);
  }
  assert.match(parseList(q("dir=up"), cursorList).errors.dir, /asc or desc/);
  const cursor = { time: "2026-11-22 08:00:01.123456", id: "0af4eb56d9dc407aaf658a2d3f5b1c11" };
  const text = formatCursor(cursor);
  assert.equal(text, "2026-11-22T08:00:01.123456_0af4eb56d9dc407aaf658a2d3f5b1c11");
  assert.deepEqual(parseCursor(text), cursor);
  assert.deepEqual(parseList(q(`after=${text}&dir=asc`), cursorList).value.after, cursor);
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
  assert.match(parseList(q("before=junk"), cursorList).errors.before, /cannot be read/);
  assert.match(parseList(q(`after=${text}&before=${text}`), cursorList).errors.before, /not both/);
  assert.equal(
    listQuery({ size: 50, dir: "desc", after: cursor }, {
      list: cursorList,
      filters: { status: ["NEW", "FAILED"], q: "", from: "2026-11-01T08:00" },
    }),
    `?status=NEW&status=FAILED&from=2026-11-01T08%3A00&after=${encodeURIComponent(text)}`,
  );
});
