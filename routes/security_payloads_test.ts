/**
 * The security review's payload classes, kept as regression tests: stored XSS through every
 * field a form writes and every field a robot writes, shown on every page; CSRF variants on every
 * mutating route; a viewer refused on every mutating route. The routes come from the app itself
 * (`app.routes`), so a new route is covered without touching this file.
 * @module
 */
import assert from "node:assert/strict";
import type { Db } from "../db/connection.ts";
import { time } from "../db/connection.ts";
import { newId } from "../db/ids.ts";
import { SHARED_TABLES } from "../db/schema.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { encrypt } from "../lib/fernet.ts";
import { QUEUE_ACTIONS } from "../lib/queue_status.ts";
import { type TestApp, testApp } from "./testing.ts";
import { insertElement, insertLog } from "../db/testing.ts";

const UNSAFE = new Set(["POST", "DELETE", "PUT", "PATCH"]);

/** A payload that breaks out of text and of both attribute quotings; `n` marks the field. */
function payload(n: number): string {
  return `<img src=x id=f${n} onerror=alert(${n})>"'><svg/onload=alert(${n})>`;
}

/** True when `html` holds a payload's markup unescaped. */
function injected(html: string): boolean {
  return html.includes("<img src=x") || html.includes("<svg/onload");
}

/** Every table's rows, to tell that nothing was written. */
async function snapshot(db: Db): Promise<string> {
  const rows = [];
  for (const table of SHARED_TABLES) {
    rows.push(await db.query(`SELECT * FROM ${table} ORDER BY 1`));
  }
  return JSON.stringify(rows);
}

/** Values for the path parameters: a real constant, credential, queue, process and trigger. */
async function pathValues(t: TestApp) {
  const first = async (sql: string) => Object.values((await t.db.query(sql))[0])[0] as string;
  return {
    constant: await first("SELECT name FROM Constants ORDER BY name"),
    credential: await first("SELECT name FROM Credentials ORDER BY name"),
    queue: await first("SELECT queue_name FROM Queues ORDER BY queue_name"),
    element: await first("SELECT id FROM Queues ORDER BY queue_name"),
    process: await first("SELECT process_name FROM Logs ORDER BY process_name"),
    trigger: await first("SELECT id FROM Triggers ORDER BY trigger_name"),
  };
}

/** The concrete paths of a route pattern (one per queue action where the pattern has one). */
function concrete(pattern: string, v: Awaited<ReturnType<typeof pathValues>>): string[] {
  const e = encodeURIComponent;
  const path = pattern
    .replace(/^\/constants\/:name/, `/constants/${e(v.constant)}`)
    .replace(/^\/credentials\/:name/, `/credentials/${e(v.credential)}`)
    .replace(/^\/queues\/:name/, `/queues/${e(v.queue)}`)
    .replace(/\/elements\/:id/, `/elements/${e(v.element)}`)
    .replace(/^\/logs\/:process/, `/logs/${e(v.process)}`)
    .replace(/^\/triggers\/:id/, `/triggers/${e(v.trigger)}`);
  assert.doesNotMatch(path.replace(/:action$/, ""), /:/, `a parameter without a value: ${path}`);
  return path.endsWith(":action")
    ? QUEUE_ACTIONS.map((action) => path.replace(/:action$/, action))
    : [path];
}

/** The app's routes of the given kind, as concrete paths. */
function routesOf(t: TestApp, unsafe: boolean, values: Awaited<ReturnType<typeof pathValues>>) {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const route of t.app.routes) {
    if (route.method === "ALL" || UNSAFE.has(route.method) !== unsafe) continue;
    if (route.path.startsWith("/static/") || route.path === "/healthz") continue;
    for (const path of concrete(route.path, values)) {
      const key = `${route.method} ${path}`;
      if (!seen.has(key)) out.push({ method: route.method, path });
      seen.add(key);
    }
  }
  return out;
}

function send(
  t: TestApp,
  method: string,
  path: string,
  headers: Record<string, string>,
  form: Record<string, string> = {},
) {
  return t.app.request(`http://localhost${path}`, {
    method,
    headers,
    body: method === "DELETE" ? undefined : new URLSearchParams(form),
  });
}

const SAME_ORIGIN = {
  "HX-Request": "true",
  Origin: "http://localhost",
  "Sec-Fetch-Site": "same-origin",
};

Deno.test("a viewer is refused on every mutating route, and nothing is written", async () => {
  const env = {
    OO_AUTH: "header",
    OO_AUTH_HEADER: "X-Remote-User",
    OO_ADMINS: "alice",
    OO_VIEWERS: "bob",
  };
  const t = await testApp({ env });
  try {
    const routes = routesOf(t, true, await pathValues(t));
    assert.ok(routes.length >= 20, `${routes.length} mutating routes`);
    const before = await snapshot(t.db);
    for (const { method, path } of routes) {
      const res = await send(t, method, path, { ...SAME_ORIGIN, "X-Remote-User": "KOMMUNE\\bob" }, {
        name: "Viewer",
        value: "x",
        key: DEMO_KEY,
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match(await res.text(), /may only read/);
    }
    assert.equal(await snapshot(t.db), before);
    // The same routes are there for an admin (the refusals above were not a missing route).
    for (const { method, path } of routes) {
      const res = await send(t, method, path, { ...SAME_ORIGIN, "X-Remote-User": "alice" });
      assert.notEqual(res.status, 403, `${method} ${path}`);
      assert.doesNotMatch(await res.text(), /There is no page at/, `${method} ${path}`);
    }
  } finally {
    await t.close();
  }
});

Deno.test("CSRF: every mutating route refuses cross-site variants, and nothing is written", async () => {
  const t = await testApp();
  try {
    const routes = routesOf(t, true, await pathValues(t));
    const variants: Record<string, string>[] = [
      { ...SAME_ORIGIN, "HX-Request": "" },
      { ...SAME_ORIGIN, "HX-Request": "1" },
      { ...SAME_ORIGIN, "Sec-Fetch-Site": "cross-site" },
      { ...SAME_ORIGIN, "Sec-Fetch-Site": "same-site" },
      { ...SAME_ORIGIN, "Sec-Fetch-Site": "none" },
      { ...SAME_ORIGIN, Origin: "http://evil.example" },
      { ...SAME_ORIGIN, Origin: "null" },
      { ...SAME_ORIGIN, Origin: "http://localhost.evil.example" },
      { ...SAME_ORIGIN, Origin: "http://localhost:8080" },
      { ...SAME_ORIGIN, Origin: "http://evil.example", "Content-Type": "text/plain" },
      // A plain cross-site form: no HX-Request, no Sec-Fetch-Site (an old browser), no Origin.
      { "Content-Type": "application/x-www-form-urlencoded" },
    ];
    const before = await snapshot(t.db);
    for (const { method, path } of routes) {
      for (const headers of variants) {
        const res = await send(t, method, path, headers, { name: "Evil", value: "x" });
        assert.equal(res.status, 403, `${method} ${path} ${JSON.stringify(headers)}`);
        await res.body?.cancel();
      }
    }
    assert.equal(await snapshot(t.db), before);
  } finally {
    await t.close();
  }
});

/** Writes a payload into every text column a robot (or the Python scheduler) writes. */
async function robotRows(db: Db, next: () => number): Promise<void> {
  const now = time("2026-11-20 08:00:00.000000");
  const queue = payload(next());
  await insertElement(db, {
    queue_name: queue,
    status: "FAILED",
    created_date: "2026-11-20 07:00:00.000000",
    data: payload(next()),
    reference: payload(next()),
    message: payload(next()),
    created_by: payload(next()),
  });
  const process = payload(next());
  await insertLog(db, {
    log_time: "2026-11-20 07:30:00.000000",
    log_level: "ERROR",
    process_name: process,
    log_message: payload(next()),
  });
  const machine = payload(next());
  await db.run(
    `INSERT INTO Schedulers (machine_name, last_update, latest_trigger, latest_trigger_time)
     VALUES (?, ?, ?, ?)`,
    [machine, now, payload(next()), now],
  );
  for (const type of ["SCHEDULED", "QUEUE", "SINGLE"]) {
    const id = newId(db.info);
    await db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO Triggers (id, trigger_name, process_name, last_run, process_path,
           process_args, process_status, is_git_repo, is_blocking, type, scheduler_whitelist,
           priority, git_branch) VALUES (?, ?, ?, ?, ?, ?, 'FAILED', ?, ?, ?, ?, 0, ?)`,
        [
          id,
          payload(next()),
          payload(next()),
          now,
          payload(next()),
          payload(next()),
          true,
          false,
          type,
          JSON.stringify([payload(next()), machine]),
          payload(next()),
        ],
      );
      if (type === "SCHEDULED") {
        await tx.run("INSERT INTO Scheduled_Triggers (id, cron_expr, next_run) VALUES (?, ?, ?)", [
          id,
          payload(next()),
          now,
        ]);
      } else if (type === "QUEUE") {
        await tx.run(
          "INSERT INTO Queue_Triggers (id, queue_name, min_batch_size) VALUES (?, ?, 1)",
          [id, queue],
        );
      } else {
        await tx.run("INSERT INTO Single_Triggers (id, next_run) VALUES (?, ?)", [id, now]);
      }
    });
  }
  await db.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
    payload(next()),
    payload(next()),
    now,
  ]);
  await db.run(
    "INSERT INTO Credentials (name, username, password, changed_at) VALUES (?, ?, ?, ?)",
    [payload(next()), payload(next()), encrypt(DEMO_KEY, payload(0)), now],
  );
}

Deno.test("stored XSS: every field robots and forms write is escaped on every page", async () => {
  const t = await testApp({ seed: false });
  try {
    let n = 0;
    const next = () => ++n;
    await robotRows(t.db, next);
    const robotFields = n;
    // Through the forms, as an admin: every answer (201 or a 422 that echoes the form) escapes.
    const forms: [string, Record<string, string>][] = [
      ["/constants", { name: `C${payload(next())}`, value: payload(next()) }],
      ["/credentials", { name: `K${payload(next())}`, username: payload(next()), password: "x" }],
      [`/queues/${encodeURIComponent(payload(1))}/elements`, {
        reference: payload(next()),
        data: payload(next()),
      }],
      ["/triggers", {
        type: "SCHEDULED",
        trigger_name: `T${payload(next())}`,
        process_name: payload(next()),
        process_path: payload(next()),
        process_args: payload(next()),
        git_branch: payload(next()),
        is_git_repo: "on",
        cron_expr: "0 2 * * *",
      }],
      // Refused input is echoed back in the form: escaped too.
      ["/triggers", { type: "SCHEDULED", trigger_name: "", cron_expr: payload(next()) }],
      ["/constants", { name: "", value: payload(next()) }],
      [`/logs/${encodeURIComponent(payload(6))}/actions/delete-older`, {
        before: payload(next()),
        confirm: payload(next()),
      }],
    ];
    const shown = new Set<number>();
    const seen = (html: string) => {
      for (const m of html.matchAll(/id=f(\d+) /g)) shown.add(Number(m[1]));
    };
    for (const [path, form] of forms) {
      const res = await send(t, "POST", path, SAME_ORIGIN, form);
      assert.ok(res.status < 500, `${path}: ${res.status}`);
      const html = await res.text();
      assert.ok(!injected(html), path);
      seen(html);
    }
    const [written] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Triggers WHERE trigger_name LIKE 'T<img%'",
    );
    assert.equal(written.n, 1, "the trigger with payloads in every text field was created");

    // Every page, as a full page and as the htmx fragment, over every payload row.
    const values = {
      constant: `C${payload(robotFields + 1)}`,
      credential: `K${payload(robotFields + 3)}`,
      queue: payload(1),
      element: (await t.db.query<{ id: string }>("SELECT id FROM Queues"))[0].id,
      process: payload(6),
      trigger: (await t.db.query<{ id: string }>(
        "SELECT id FROM Triggers WHERE trigger_name LIKE 'T<img%'",
      ))[0].id,
    };
    const pages = routesOf(t, false, values).map((r) => r.path);
    const triggerIds = await t.db.query<{ id: string }>("SELECT id FROM Triggers");
    for (const { id } of triggerIds) pages.push(`/triggers/${id}`, `/triggers/${id}/edit`);
    const elementIds = await t.db.query<{ id: string }>("SELECT id FROM Queues");
    for (const { id } of elementIds) {
      pages.push(`/queues/${encodeURIComponent(payload(1))}/elements/${id}`);
    }
    pages.push(`/constants/${encodeURIComponent(payload(robotFields - 4))}/edit`);
    pages.push(`/credentials/${encodeURIComponent(payload(robotFields - 2))}/edit`);
    pages.push(`/triggers/cron?cron_expr=${encodeURIComponent(payload(0))}`);
    pages.push(`/logs?process=${encodeURIComponent(payload(6))}`);
    pages.push(`/queues?search=${encodeURIComponent(payload(0))}`);
    for (const path of pages) {
      const kinds: Record<string, string>[] = [{}, { "HX-Request": "true" }];
      for (const headers of kinds) {
        const res = await t.get(path, headers);
        const html = await res.text();
        assert.ok(res.status < 500, `${path}: ${res.status}`);
        assert.ok(!injected(html), `${path} ${JSON.stringify(headers)}`);
        seen(html);
      }
    }
    // Every payload was shown somewhere (escaped), so the pages above did test each field.
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !shown.has(i));
    assert.deepEqual(missing, []);
  } finally {
    await t.close();
  }
});
