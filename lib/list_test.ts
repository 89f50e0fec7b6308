import assert from "node:assert/strict";
import { listQuery, parseListParams } from "./list.ts";

const spec = { sortable: ["name", "changed_at"], sort: "name", dir: "asc" as const };

Deno.test("defaults fill what the query leaves out", () => {
  assert.deepEqual(parseListParams(new URLSearchParams(""), spec), {
    ok: true,
    value: { q: "", sort: "name", dir: "asc", page: 1, size: 25 },
  });
});

Deno.test("a full query is read and written back without the defaults", () => {
  const query = new URLSearchParams("q=%20inv%20&sort=changed_at&dir=desc&page=3&size=100");
  const checked = parseListParams(query, spec);
  assert.ok(checked.ok);
  assert.deepEqual(checked.value, {
    q: "inv",
    sort: "changed_at",
    dir: "desc",
    page: 3,
    size: 100,
  });
  assert.equal(listQuery(checked.value, spec), "?q=inv&sort=changed_at&dir=desc&page=3&size=100");
  assert.equal(
    listQuery({ ...checked.value, q: "", sort: "name", dir: "asc", page: 1, size: 25 }, spec),
    "",
  );
  assert.equal(
    listQuery({ ...checked.value, page: 1 }, spec, { status: ["NEW", "FAILED"] }),
    "?status=NEW&status=FAILED&q=inv&sort=changed_at&dir=desc&size=100",
  );
});

Deno.test("every bad parameter is reported by name", () => {
  const checked = parseListParams(
    new URLSearchParams("sort=password&dir=up&page=0&size=501"),
    spec,
  );
  assert.ok(!checked.ok);
  assert.deepEqual(Object.keys(checked.errors).sort(), ["dir", "page", "size", "sort"]);
  assert.match(checked.errors.sort, /Cannot sort by 'password'/);
  for (const size of ["1e3", "0x10", "2.5", "-5", "9999999999"]) {
    assert.ok(!parseListParams(new URLSearchParams(`size=${size}`), spec).ok, size);
  }
});
