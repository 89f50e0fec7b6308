/**
 * Contract tests of the queue queries (every engine): summaries, the keyset element list, adding
 * an element, and the compare-and-set actions.
 */
import assert from "node:assert/strict";
import { parseQueueFilter } from "../lib/filters.ts";
import { formatDbTime, shiftTime } from "../lib/time.ts";
import { BATCH_ROWS, type Db, type Executor, time } from "./connection.ts";
import { mssqlIdKey, newId } from "./ids.ts";
import {
  addElement,
  applyQueueAction,
  countMovable,
  exportElements,
  getElement,
  listElements,
  MOVED_BY_SOMEONE_ELSE,
  readQueueSummaries,
} from "./queues.ts";
import {
  contractTest,
  insertElement,
  insertQueueTrigger,
  keepingReads,
  paging,
  tempDatabase,
} from "./testing.ts";

const T0 = "2026-11-20 08:00:00.000000";
const at = (minutes: number) => shiftTime(T0, minutes * 60_000);

const filter = (query = "") => parseQueueFilter(new URLSearchParams(query)).value;

function idKey(db: Db): (id: string) => string {
  return db.dialect.name === "mssql" ? mssqlIdKey : (id) => id;
}

{
  const test = contractTest;

  test("queue summaries: counts by status, oldest new, last activity, consuming triggers", async (db) => {
    for (
      const [i, status] of ["NEW", "NEW", "NEW", "IN_PROGRESS", "DONE", "DONE", "FAILED"].entries()
    ) {
      await insertElement(db, {
        queue_name: "A",
        status,
        created_date: at(i),
        start_date: status === "NEW" ? null : at(i + 10),
        end_date: ["DONE", "FAILED"].includes(status) ? at(i + 20) : null,
      });
    }
    await insertElement(db, { queue_name: "B", status: "ABANDONED", created_date: at(-600) });
    // Ended two days before: further back than any look-back window.
    await insertElement(db, {
      queue_name: "D",
      status: "DONE",
      created_date: at(-3000),
      start_date: at(-2990),
      end_date: at(-2900),
    });
    await insertQueueTrigger(db, { name: "Take A", queue: "A", status: "RUNNING" });
    await insertQueueTrigger(db, { name: "Take C", queue: "C" });

    const first = await readQueueSummaries(db, at(60));
    assert.deepEqual(first.rows.map((r) => r.name), ["A", "B", "C", "D"]);
    const [a, b, c, d] = first.rows;
    assert.deepEqual(a.counts, { NEW: 3, IN_PROGRESS: 1, DONE: 2, FAILED: 1, ABANDONED: 0 });
    assert.equal(a.total, 7);
    assert.equal(a.oldestNew, at(0));
    assert.equal(a.lastActivity, at(26), "the newest end date");
    assert.deepEqual(a.triggers.map((t) => [t.trigger_name, t.process_status]), [[
      "Take A",
      "RUNNING",
    ]]);
    assert.equal(b.oldestNew, null);
    assert.equal(b.lastActivity, at(-600), "only a creation");
    assert.equal(c.total, 0);
    assert.equal(c.lastActivity, null);
    assert.equal(d.lastActivity, at(-2900), "an end however long ago");
    assert.equal(first.readAt, at(60));

    await insertElement(db, {
      queue_name: "B",
      status: "DONE",
      created_date: at(-500),
      start_date: at(61),
      end_date: at(62),
    });
    await insertElement(db, {
      queue_name: "D",
      status: "IN_PROGRESS",
      created_date: at(-100),
      start_date: at(64),
    });
    const second = await readQueueSummaries(db, at(65));
    assert.equal(second.rows[1].counts.DONE, 1);
    assert.equal(second.rows[1].lastActivity, at(62), "a new end");
    assert.equal(second.rows[3].lastActivity, at(64), "a start in progress");
    assert.equal(second.rows[0].lastActivity, at(26), "unchanged");
  });

  test("elements: keyset pages forward and back, by status, search, time range and totals", async (db) => {
    const statuses = ["NEW", "IN_PROGRESS", "DONE", "FAILED", "ABANDONED"];
    const all: { id: string; created: string; status: string; reference: string }[] = [];
    for (let i = 0; i < 23; i++) {
      const created = at(Math.floor(i / 3)); // three elements share each creation time
      const status = statuses[i % 5];
      const reference = `REF-${String(i).padStart(2, "0")}`;
      const ended = ["DONE", "FAILED", "ABANDONED"].includes(status) ? at(100 + i) : null;
      const id = await insertElement(db, {
        queue_name: "Q",
        status,
        created_date: created,
        reference,
        end_date: ended,
        data: i === 7 ? '{"needle": 1}' : null,
      });
      all.push({ id, created, status, reference });
    }
    await insertElement(db, { queue_name: "Other", status: "NEW", created_date: at(1) });
    const key = idKey(db);
    const order = (dir: "asc" | "desc") =>
      [...all].sort((x, y) =>
        (x.created === y.created
          ? (key(x.id) < key(y.id) ? -1 : 1)
          : (x.created < y.created ? -1 : 1)) * (dir === "asc" ? 1 : -1)
      );

    for (const dir of ["desc", "asc"] as const) {
      const seen: string[][] = [];
      let page = await listElements(db, {
        queue: "Q",
        filter: filter(),
        paging: paging({ size: 5, dir }),
      });
      assert.equal(page.previous, null);
      seen.push(page.rows.map((r) => r.id));
      while (page.next) {
        page = await listElements(db, {
          queue: "Q",
          filter: filter(),
          paging: paging({ size: 5, dir, after: page.next }),
        });
        seen.push(page.rows.map((r) => r.id));
      }
      assert.deepEqual(
        seen.flat(),
        order(dir).map((e) => e.id),
        `${dir}: every element once, in order`,
      );
      assert.deepEqual(seen.map((p) => p.length), [5, 5, 5, 5, 3]);
      // And back again from the last page.
      const back: string[][] = [seen.at(-1)!];
      let previous = page.previous;
      while (previous) {
        const earlier = await listElements(db, {
          queue: "Q",
          filter: filter(),
          paging: paging({ size: 5, dir, before: previous }),
        });
        back.unshift(earlier.rows.map((r) => r.id));
        previous = earlier.previous;
      }
      assert.deepEqual(back, seen, `${dir}: the same pages walking back`);
    }

    const chosen = await listElements(db, {
      queue: "Q",
      filter: filter("status=FAILED&status=NEW"),
      paging: paging(),
    });
    assert.deepEqual(
      chosen.rows.map((r) => r.id),
      order("desc").filter((e) => ["FAILED", "NEW"].includes(e.status)).map((e) => e.id),
    );
    assert.deepEqual(chosen.total, { count: 9, capped: false });

    const known = { NEW: 100, IN_PROGRESS: 0, DONE: 0, FAILED: 7, ABANDONED: 0 };
    const fromSnapshot = await listElements(db, {
      queue: "Q",
      filter: filter("status=FAILED&status=NEW"),
      paging: paging({ size: 2 }),
      known,
    });
    assert.deepEqual(
      fromSnapshot.total,
      { count: 107, capped: false },
      "plain filters use the poller's counts",
    );

    const search = await listElements(db, {
      queue: "Q",
      filter: filter("q=needle"),
      paging: paging(),
      known,
    });
    assert.deepEqual(search.rows.map((r) => r.reference), ["REF-07"]);
    assert.deepEqual(search.total, { count: 1, capped: false }, "a search is counted");
    const literal = await listElements(db, {
      queue: "Q",
      filter: filter("q=REF-0_"),
      paging: paging(),
    });
    assert.equal(literal.rows.length, 0, "LIKE wildcards are literal");

    const range = await listElements(db, {
      queue: "Q",
      filter: filter(
        `from=${at(2).slice(0, 16).replace(" ", "T")}&to=${at(3).slice(0, 16).replace(" ", "T")}`,
      ),
      paging: paging(),
    });
    assert.deepEqual(range.rows.map((r) => r.reference).sort(), [
      "REF-06",
      "REF-07",
      "REF-08",
      "REF-09",
      "REF-10",
      "REF-11",
    ]);
    const ended = await listElements(db, {
      queue: "Q",
      filter: filter(`date=ended&from=${at(117).slice(0, 16).replace(" ", "T")}`),
      paging: paging(),
    });
    assert.deepEqual(ended.rows.map((r) => r.reference).sort(), [
      "REF-17",
      "REF-18",
      "REF-19",
      "REF-22",
    ]);

    // Every queue: the element of "Other" joins; the export reads the same order in batches.
    const everyQueue = await listElements(db, {
      queue: null,
      filter: filter(),
      paging: paging({ size: 100 }),
    });
    assert.equal(everyQueue.rows.length, all.length + 1);
    assert.equal(everyQueue.rows.filter((r) => r.queue_name === "Other").length, 1);
    const batches: string[][] = [];
    for await (
      const batch of exportElements(db, { queue: "Q", filter: filter(), dir: "asc", batch: 7 })
    ) {
      batches.push(batch.map((r) => r.id));
    }
    assert.deepEqual(batches.map((b) => b.length), [7, 7, 7, 2]);
    assert.deepEqual(batches.flat(), order("asc").map((e) => e.id), "the export's order");
  });

  test("adding an element writes a new one with its creator and an audit entry", async (db) => {
    const id = await addElement(db, {
      queue: "Q",
      reference: "R-1",
      data: '{"a": 1}',
      user: "alice",
    });
    const element = (await getElement(db, { queue: "Q", id }))!;
    assert.equal(element.status, "NEW");
    assert.equal(element.created_by, "alice");
    assert.equal(element.data, '{"a": 1}');
    assert.equal(element.start_date, null);
    assert.match(element.created_date, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(
      await getElement(db, { queue: "Other", id }),
      null,
      "an element is found in its own queue only",
    );
    const [audit] = await db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(audit.log_message, 'alice added element "R-1" to queue "Q"');
  });

  test("actions are compare-and-set and say why elements were left alone", async (db) => {
    const now = new Date();
    const ago = (minutes: number) => formatDbTime(new Date(now.getTime() - minutes * 60_000));
    const add = (status: string, reference: string, started: string | null = null) =>
      insertElement(db, {
        queue_name: "Q",
        status,
        reference,
        created_date: ago(300),
        start_date: started,
        end_date: ["DONE", "FAILED", "ABANDONED"].includes(status) ? ago(200) : null,
      });
    const failed = await add("FAILED", "F", ago(250));
    const abandoned = await add("ABANDONED", "A");
    const done = await add("DONE", "D", ago(250));
    const fresh = await add("IN_PROGRESS", "P", ago(5));
    const stuck = await add("IN_PROGRESS", "S", ago(120));
    const waiting = await add("NEW", "N");
    const gone = newId(db.info);
    const none = { done: false, stuck: false };

    const ids = [failed, abandoned, done, fresh, stuck, waiting, gone];
    const first = await applyQueueAction(db, {
      queue: "Q",
      action: "retry",
      target: { ids },
      confirmed: none,
      user: "alice",
      now,
    });
    assert.equal(first.changed, 2);
    assert.deepEqual(first.skipped, {
      "no longer exists": 1,
      "done (confirm to retry)": 1,
      "in progress": 1,
      "in progress (confirm it is stuck)": 1,
      "already new": 1,
    });
    const retried = (await getElement(db, { queue: "Q", id: failed }))!;
    assert.deepEqual([retried.status, retried.start_date, retried.end_date], ["NEW", null, null]);

    const second = await applyQueueAction(db, {
      queue: "Q",
      action: "retry",
      target: { ids: [done, fresh, stuck] },
      confirmed: {
        done: true,
        stuck: true,
      },
      user: "alice",
      now,
    });
    assert.equal(second.changed, 2, "done and stuck move once confirmed; the fresh one never");
    assert.equal((await getElement(db, { queue: "Q", id: fresh }))!.status, "IN_PROGRESS");
    assert.equal((await getElement(db, { queue: "Q", id: stuck }))!.status, "NEW");

    const abandon = await applyQueueAction(db, {
      queue: "Q",
      action: "abandon",
      target: { ids: [waiting, fresh] },
      confirmed: none,
      user: "bob",
      now,
    });
    assert.equal(abandon.changed, 1);
    const gaveUp = (await getElement(db, { queue: "Q", id: waiting }))!;
    assert.equal(gaveUp.status, "ABANDONED");
    assert.ok(gaveUp.end_date);

    const removed = await applyQueueAction(db, {
      queue: "Q",
      action: "delete",
      target: { ids: [waiting, fresh] },
      confirmed: none,
      user: "bob",
      now,
    });
    assert.deepEqual(removed, { changed: 1, skipped: { "in progress": 1 } });
    assert.equal(await getElement(db, { queue: "Q", id: waiting }), null);

    // Everything matching a filter: the count first, then the action with the count shown.
    for (let i = 0; i < 4; i++) await add("FAILED", `BULK-${i}`);
    await insertElement(db, { queue_name: "Other", status: "FAILED", created_date: ago(1) });
    const byFilter = filter("status=FAILED&q=BULK");
    assert.equal(
      await countMovable(db, {
        queue: "Q",
        action: "retry",
        filter: byFilter,
        confirmed: none,
        now,
      }),
      4,
    );
    assert.equal(
      await countMovable(db, {
        queue: "Q",
        action: "retry",
        filter: filter("status=DONE"),
        confirmed: none,
        now,
      }),
      0,
    );
    const bulk = await applyQueueAction(db, {
      queue: "Q",
      action: "retry",
      target: { filter: byFilter, expected: 6 },
      confirmed: none,
      user: "carol",
      now,
    });
    assert.deepEqual(bulk, { changed: 4, skipped: { [MOVED_BY_SOMEONE_ELSE]: 2 } });
    const [other] = await db.query<{ status: string }>(
      "SELECT status FROM Queues WHERE queue_name = 'Other'",
    );
    assert.equal(other.status, "FAILED", "other queues are never touched");

    const audits = await db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' ORDER BY log_time, log_message",
    );
    const messages = audits.map((a) => a.log_message);
    assert.ok(
      messages.includes('alice retried 2 elements of queue "Q": "F", "A"'),
      messages.join("\n"),
    );
    assert.ok(messages.includes('bob deleted 1 element of queue "Q": "N"'));
    assert.ok(
      messages.includes(
        'carol retried 4 elements of queue "Q": matching status FAILED, search "BULK"',
      ),
    );
  });

  test("the count confirmed for everything matching is a limit: more changes nothing", async (db) => {
    const now = new Date();
    const none = { done: false, stuck: false };
    const add = (reference: string) =>
      insertElement(db, {
        queue_name: "Q",
        status: "FAILED",
        reference,
        created_date: formatDbTime(new Date(now.getTime() - 60_000)),
        end_date: formatDbTime(now),
      });
    const statuses = async () =>
      (await db.query<{ status: string }>("SELECT status FROM Queues ORDER BY reference"))
        .map((r) => r.status).join();
    for (let i = 0; i < 5; i++) await add(`OLD-${i}`);
    const failed = filter("status=FAILED");
    const shown = await countMovable(db, {
      queue: "Q",
      action: "delete",
      filter: failed,
      confirmed: none,
      now,
    });
    assert.equal(shown, 5);
    for (let i = 0; i < 3; i++) await add(`NEW-${i}`);
    const before = await statuses();

    const refused = await applyQueueAction(db, {
      queue: "Q",
      action: "delete",
      target: { filter: failed, expected: shown },
      confirmed: none,
      user: "alice",
      now,
    });
    assert.deepEqual(refused, { changed: 0, skipped: {}, exceeded: 8 });
    assert.equal(await statuses(), before, "nothing deleted");

    // Rows that arrive between the count and the change (another session, another batch): no
    // more than the confirmed count changes.
    const racing: Db = {
      ...db,
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            ...tx,
            async run(sql, params) {
              if (sql.startsWith("DELETE FROM Queues")) {
                for (let i = 0; i < 2; i++) {
                  await tx.run(
                    `INSERT INTO Queues (id, queue_name, status, created_date)
                     VALUES (?, 'Q', 'FAILED', ?)`,
                    [newId(db.info), time(formatDbTime(now))],
                  );
                }
              }
              return tx.run(sql, params);
            },
          })
        ),
    };
    const raced = await applyQueueAction(racing, {
      queue: "Q",
      action: "delete",
      target: { filter: failed, expected: 8 },
      confirmed: none,
      user: "alice",
      now,
    });
    assert.deepEqual(raced, { changed: 8, skipped: {} });
    const [{ n }] = await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Queues WHERE status = 'FAILED'",
    );
    assert.equal(Number(n), 2, "of the 10 matching, 8 (as confirmed) were deleted");
  });
}

Deno.test("acting on all matching works in batches below lock escalation, and counts them all", async () => {
  const t = await tempDatabase();
  try {
    const total = BATCH_ROWS + 150;
    await t.db.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO Queues (id, queue_name, status, created_date)
       SELECT lower(hex(randomblob(16))), 'Q', 'FAILED', '2026-01-01 00:00:00.000000' FROM n`,
      [total],
    );
    const changedPerStatement: number[] = [];
    const transaction = t.db.transaction.bind(t.db);
    t.db.transaction = <T>(fn: (tx: Executor) => Promise<T>) =>
      transaction((tx) =>
        fn({
          ...tx,
          async run(sql, params) {
            const n = await tx.run(sql, params);
            if (/^UPDATE Queues/.test(sql)) changedPerStatement.push(n);
            return n;
          },
        })
      );
    const result = await applyQueueAction(t.db, {
      queue: "Q",
      action: "retry",
      target: { filter: filter("status=FAILED"), expected: total },
      confirmed: { done: false, stuck: false },
      user: "carol",
    });
    assert.deepEqual(result, { changed: total, skipped: {} });
    assert.deepEqual(changedPerStatement, [BATCH_ROWS, 150]);
    const [left] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Queues WHERE status = 'FAILED'",
    );
    assert.equal(Number(left.n), 0);
  } finally {
    await t.close();
  }
});

Deno.test("a page of every status is one statement: each status's index range, merged in order by SQLite, then the page's rows read by their row key", async () => {
  const t = await tempDatabase();
  try {
    for (const [i, status] of ["NEW", "DONE", "FAILED", "DONE", "NEW"].entries()) {
      await insertElement(t.db, { queue_name: "Q", status, created_date: at(i) });
    }
    const { executor, reads } = keepingReads(t.db);
    const page = await listElements(executor, {
      queue: "Q",
      filter: filter(),
      paging: paging({ size: 3 }),
    });
    assert.deepEqual(page.rows.map((r) => r.created_date), [at(4), at(3), at(2)]);
    const rows = reads.filter((s) => s.sql.includes("FROM Queues") && !s.sql.includes("COUNT"));
    assert.equal(rows.length, 1);
    const plan = (await t.db.query<{ detail: string }>(
      `EXPLAIN QUERY PLAN ${rows[0].sql}`,
      rows[0].params,
    )).map((r) => r.detail);
    const ranges = plan.filter((d) =>
      d.includes("USING INDEX ix_oo_web_Queues_name_status_created (queue_name=? AND status=?)")
    );
    assert.equal(ranges.length, 5);
    assert.ok(!plan.some((d) => /^SCAN Queues/.test(d)), plan.join("; "));
    // An ordered merge that stops at the page's end, not a sort of every range's keys.
    assert.ok(plan.includes("MERGE (UNION ALL)"), plan.join("; "));
    assert.ok(!plan.includes("USE TEMP B-TREE FOR ORDER BY"), plan.join("; "));
    // The ranges bring keys only: the whole rows are read for the page alone.
    assert.ok(plan.includes("SEARCH Queues USING INTEGER PRIMARY KEY (rowid=?)"), plan.join("; "));
  } finally {
    await t.close();
  }
});
