/**
 * Every JSON answer matches the shape the README documents: the shapes and the route table are
 * read from the README's "JSON shapes" section, each route is called for real, and each answer
 * is checked against its shape (exact keys, types, the time format).
 * @module
 */
import assert from "node:assert/strict";
import { nowDbTime } from "../lib/time.ts";
import { type TestApp, testApp } from "./testing.ts";

/** A type of the README's shape language. */
type Type =
  | { kind: "name"; name: string; arg?: Type }
  | { kind: "list"; of: Type }
  | { kind: "object"; fields: [string, Type][] }
  | { kind: "nullable"; of: Type };

/** Reads one type expression (`{a: text, b: [int]?}`, `list(trigger)`) from `text` at `at`. */
function parseType(text: string): Type {
  let at = 0;
  const skip = () => {
    while (text[at] === " ") at++;
  };
  const expect = (char: string) => {
    skip();
    if (text[at] !== char) {
      throw new Error(`Cannot read shape: expected ${char} at ${at} in ${text}`);
    }
    at++;
  };
  const word = () => {
    skip();
    const match = /^[\w*]+/.exec(text.slice(at));
    if (!match) throw new Error(`Cannot read shape: expected a name at ${at} in ${text}`);
    at += match[0].length;
    return match[0];
  };
  const type = (): Type => {
    skip();
    let result: Type;
    if (text[at] === "[") {
      at++;
      result = { kind: "list", of: type() };
      expect("]");
    } else if (text[at] === "{") {
      at++;
      const fields: [string, Type][] = [];
      while (true) {
        const key = word();
        expect(":");
        fields.push([key, type()]);
        skip();
        if (text[at] === ",") at++;
        else break;
      }
      expect("}");
      result = { kind: "object", fields };
    } else {
      const name = word();
      skip();
      if (text[at] === "(") {
        at++;
        result = { kind: "name", name, arg: type() };
        expect(")");
      } else result = { kind: "name", name };
    }
    skip();
    if (text[at] === "?") {
      at++;
      return { kind: "nullable", of: result };
    }
    return result;
  };
  const parsed = type();
  skip();
  if (at !== text.length) throw new Error(`Cannot read shape: ${text.slice(at)} left over`);
  return parsed;
}

/** The README's shapes and route table. */
function readmeShapes(readme: string) {
  const section = readme.slice(readme.indexOf("### JSON shapes"));
  const blocks = [...section.matchAll(/```text\n([^]*?)```/g)].map((m) => m[1].trim().split("\n"));
  const shapes = new Map<string, { param?: string; type: Type }>();
  for (const line of blocks[0]) {
    const [, name, param, body] = /^(\w+)(?:\((\w+)\))?\s*=\s*(.+)$/.exec(line)!;
    shapes.set(name, { param, type: parseType(body) });
  }
  const routes = new Map<string, { status: number; shape: Type }[]>();
  for (const line of blocks[1]) {
    const [, method, path, answers] = /^(\w+)\s+(\S+)\s+(.+)$/.exec(line)!;
    routes.set(
      `${method} ${path}`,
      answers.split(/,\s*(?=\d{3} )/).map((answer) => {
        const [status, shape] = answer.split(/ (.*)/s);
        return { status: Number(status), shape: parseType(shape) };
      }),
    );
  }
  return { shapes, routes };
}

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const { shapes, routes } = readmeShapes(README);

/** What is wrong with `value` as a `type` (empty when it fits). */
function mismatches(
  value: unknown,
  type: Type,
  path = "$",
  bound = new Map<string, Type>(),
): string[] {
  if (type.kind === "nullable") {
    return value === null ? [] : mismatches(value, type.of, path, bound);
  }
  if (type.kind === "list") {
    if (!Array.isArray(value)) return [`${path} is not a list`];
    return value.flatMap((item, i) => mismatches(item, type.of, `${path}[${i}]`, bound));
  }
  if (type.kind === "object") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return [`${path} is not an object`];
    }
    const record = value as Record<string, unknown>;
    const [first] = type.fields;
    if (first?.[0] === "*") {
      return Object.entries(record).flatMap(([k, v]) =>
        mismatches(v, first[1], `${path}.${k}`, bound)
      );
    }
    const wanted = type.fields.map(([k]) => k);
    const extra = Object.keys(record).filter((k) => !wanted.includes(k));
    return [
      ...extra.map((k) => `${path}.${k} is not documented`),
      ...type.fields.flatMap(([k, t]) =>
        k in record ? mismatches(record[k], t, `${path}.${k}`, bound) : [`${path}.${k} is missing`]
      ),
    ];
  }
  const ok = (fits: boolean, what: string) =>
    fits ? [] : [`${path} is not ${what}: ${JSON.stringify(value)}`];
  switch (type.name) {
    case "text":
      return ok(typeof value === "string", "text");
    case "int":
      return ok(Number.isInteger(value), "an int");
    case "bool":
      return ok(typeof value === "boolean", "a bool");
    case "time":
      return ok(
        typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(value),
        "a time",
      );
  }
  if (bound.has(type.name)) return mismatches(value, bound.get(type.name)!, path, bound);
  const shape = shapes.get(type.name);
  if (!shape) return [`${path}: the shape ${type.name} is not documented`];
  const inner = new Map(bound);
  if (shape.param) inner.set(shape.param, type.arg!);
  return mismatches(value, shape.type, path, inner);
}

Deno.test("the README's shape language is read exactly", () => {
  assert.deepEqual(
    mismatches(
      { rows: [{ name: "a", value: "b", changed_at: "2026-01-02T03:04:05" }], total: 1 },
      parseType("list(constant)"),
    ),
    [],
  );
  assert.deepEqual(mismatches({ rows: [], total: 1.5 }, parseType("list(constant)")), [
    "$.total is not an int: 1.5",
  ]);
  assert.deepEqual(
    mismatches(
      { name: "a", value: "b", changed_at: "2026-01-02 03:04:05.000000" },
      parseType("constant"),
    ),
    [
      '$.changed_at is not a time: "2026-01-02 03:04:05.000000"',
    ],
  );
  assert.deepEqual(
    mismatches({ name: "a", value: "b", changed_at: null, changedAt: 1 }, parseType("constant")),
    [
      "$.changedAt is not documented",
      "$.changed_at is not a time: null",
    ],
  );
  assert.deepEqual(mismatches({ errors: { q: "x", sort: 2 } }, parseType("errors")), [
    "$.errors.sort is not text: 2",
  ]);
  assert.deepEqual(mismatches(null, parseType("trigger?")), []);
});

const JSON_ACCEPT = { Accept: "application/json" };

/** How each documented route is called; each call must give one of its documented answers. */
function calls(
  t: TestApp,
  ids: Record<string, string>,
): Record<string, (() => Promise<Response>)[]> {
  const post = (path: string, form: Record<string, string | string[]> = {}) =>
    t.post(path, form, JSON_ACCEPT);
  const del = (path: string) => t.del(path, JSON_ACCEPT);
  const today = nowDbTime().slice(0, 10);
  const trigger = {
    type: "SINGLE",
    trigger_name: "Shaped",
    process_name: "Shape",
    process_path: "C:\\Robots\\Shape",
    priority: "0",
    asap: "on",
  };
  return {
    "GET /dashboard": [() => t.json("/dashboard"), () => t.json("/dashboard?window=7d")],
    "GET /triggers": [() => t.json("/triggers")],
    "GET /triggers/forecast": [
      () => t.json("/triggers/forecast"),
      () => t.json("/triggers/forecast?window=7d"),
    ],
    "POST /triggers": [() => post("/triggers", trigger)],
    "GET /triggers/cron": [
      () => t.json("/triggers/cron?expr=0+7+*+*+1-5"),
      () => t.json("/triggers/cron?expr=0+7"),
    ],
    "GET /triggers/:id": [() => t.json(`/triggers/${ids.nightly}`)],
    "POST /triggers/:id": [
      () => post(`/triggers/${ids.oneOff}`, { ...trigger, trigger_name: "One-off cleanup" }),
    ],
    "POST /triggers/:id/actions/:action": [
      () => post(`/triggers/${ids.nightly}/actions/pause`, { seen_status: "IDLE" }),
      () => post(`/triggers/${ids.nightly}/actions/pause`, { seen_status: "IDLE" }),
    ],
    "DELETE /triggers/:id": [
      () => del(`/triggers/${ids.payroll}?seen_status=RUNNING`),
      () => del(`/triggers/${ids.stuck}?seen_status=KILLED`),
    ],
    "GET /schedulers": [() => t.json("/schedulers")],
    "GET /queues": [() => t.json("/queues")],
    "GET /queues/:name": [
      () => t.json("/queues/Intake.Cases?size=5"),
      () => t.json("/queues/all?size=5"),
    ],
    "GET /queues/:name/performance": [
      () => t.json("/queues/Intake.Cases/performance"),
      () => t.json("/queues/Intake.Cases/performance?days=30"),
    ],
    "GET /queues/:name/elements/:id": [() => t.json(`/queues/Intake.Cases/elements/${ids.failed}`)],
    "POST /queues/:name/elements": [
      () => post("/queues/Intake.Cases/elements", { reference: "SHAPE-1" }),
    ],
    "GET /queues/:name/actions/:action": [
      () => t.json("/queues/Intake.Cases/actions/retry?all=1&status=FAILED"),
    ],
    "POST /queues/:name/actions/:action": [
      () => post("/queues/Intake.Cases/actions/retry", { id: ids.failed }),
      () => post("/queues/Intake.Cases/actions/retry", { id: ids.failed }),
      () =>
        post("/queues/Intake.Cases/actions/abandon", { all: "1", status: "NEW", expected: "1" }),
    ],
    "GET /logs": [() => t.json("/logs")],
    "GET /logs/:process": [() => t.json(`/logs/${encodeURIComponent(ids.process)}?size=5`)],
    "POST /logs/:process/actions/delete": [
      () => post(`/logs/${encodeURIComponent(ids.process)}/actions/delete`, { id: ids.log }),
    ],
    "POST /logs/:process/actions/delete-older": [
      () =>
        post(`/logs/${encodeURIComponent(ids.process)}/actions/delete-older`, {
          before: today,
          confirm: ids.process,
        }),
    ],
    "GET /logs/:process/actions/delete-older": [
      () => t.json(`/logs/${encodeURIComponent(ids.process)}/actions/delete-older`),
    ],
    "GET /constants": [() => t.json("/constants")],
    "POST /constants": [() => post("/constants", { name: "Shape", value: "1" })],
    "POST /constants/:name": [() => post("/constants/Shape", { value: "2" })],
    "DELETE /constants/:name": [() => del("/constants/Shape")],
    "GET /credentials": [() => t.json("/credentials")],
    "POST /credentials": [
      () => post("/credentials", { name: "Shape", username: "u", password: "p" }),
    ],
    "POST /credentials/:name": [() => post("/credentials/Shape", { username: "v", password: "" })],
    "DELETE /credentials/:name": [() => del("/credentials/Shape")],
    "POST /credentials/:name/reveal": [
      () => post("/credentials/SAP/reveal", { key: t.config.key! }),
    ],
    "GET /search": [
      () => t.json("/search?q=INTAKE"),
      () => t.json("/search?q=a"),
      () => t.json(`/search?q=${encodeURIComponent(ids.process)}`),
    ],
    "GET /healthz": [() => t.get("/healthz")],
  };
}

Deno.test("every route's JSON answers match the shapes the README documents", async () => {
  const t = await testApp();
  try {
    const one = async (sql: string) =>
      Object.values((await t.db.query<Record<string, string>>(sql))[0])[0];
    const trigger = (name: string) => one(`SELECT id FROM Triggers WHERE trigger_name = '${name}'`);
    const process = await one(
      "SELECT process_name FROM Logs GROUP BY process_name ORDER BY COUNT(*) DESC",
    );
    const ids = {
      nightly: await trigger("Nightly invoices"),
      oneOff: await trigger("One-off cleanup"),
      payroll: await trigger("Payroll export"),
      stuck: await trigger("Stuck export"),
      failed: await one(
        "SELECT id FROM Queues WHERE queue_name = 'Intake.Cases' AND status = 'FAILED'",
      ),
      process,
      log: await one(`SELECT id FROM Logs WHERE process_name = '${process}'`),
    };
    const table = calls(t, ids);
    assert.deepEqual(
      Object.keys(table).sort(),
      [...routes.keys()].sort(),
      "every documented route is called",
    );
    for (const [route, requests] of Object.entries(table)) {
      const documented = routes.get(route)!;
      const seen = new Set<string>();
      for (const request of requests) {
        const res = await request();
        assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/, route);
        const body = await res.json();
        const fits = documented.filter((d) => d.status === res.status);
        const problems = fits.map((d) => mismatches(body, d.shape));
        const match = problems.findIndex((p) => p.length === 0);
        assert.ok(fits.length > 0, `${route} answered ${res.status}: ${JSON.stringify(body)}`);
        assert.ok(match >= 0, `${route} ${res.status}: ${problems.flat().join("; ")}`);
        seen.add(`${fits[match].status} ${JSON.stringify(fits[match].shape)}`);
      }
      assert.equal(seen.size, documented.length, `${route}: every documented answer is produced`);
    }
    // And a refusal anywhere is `errors`.
    for (const path of ["/constants?sort=bogus", "/nowhere", "/queues/Intake.Cases?status=LOST"]) {
      const res = await t.json(path);
      assert.ok(res.status >= 400, path);
      assert.deepEqual(mismatches(await res.json(), parseType("errors")), [], path);
    }
  } finally {
    await t.close();
  }
});
