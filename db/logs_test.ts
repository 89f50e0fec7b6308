/**
 * Contract tests of the log queries (every engine): the incremental counts, the keyset list and
 * its live tail, and the deletes.
 */
import assert from "node:assert/strict";
import { parseLogFilter } from "../lib/filters.ts";
import { parseDbTime, shiftTime } from "../lib/time.ts";
import {
  deleteLogs,
  deleteLogsBefore,
  listLogs,
  OVERLAP_MS,
  readLogSummaries,
  readProcessLogs,
  RECOUNT_MS,
  tailLogs,
} from "./logs.ts";
import type { Db } from "./connection.ts";
import { contractTest, insertLog, insertManyLogs, paging, tempDatabase } from "./testing.ts";
import { SEARCH_SLICE_ROWS } from "./list.ts";
import { mssqlIdKey } from "./ids.ts";

const T0 = "2026-11-20 08:00:00.000000";
const at = (minutes: number) => shiftTime(T0, minutes * 60_000);

const filter = (query = "") => parseLogFilter(new URLSearchParams(query)).value;

{
  const test = contractTest;

  test("log counts: a full count, then only new rows, and a recount when due", async (db) => {
    const levels = ["TRACE", "INFO", "ERROR"];
    for (let i = 0; i < 12; i++) {
      await insertLog(db, {
        log_time: at(i < 6 ? 0 : i), // six rows at one instant
        log_level: levels[i % 3],
        process_name: i % 2 ? "Odd" : "Even",
        log_message: `m${i}`,
      });
    }
    // A process whose only row is after the mark: counted with the new rows, not in the base.
    await insertLog(db, {
      log_time: at(11),
      log_level: "INFO",
      process_name: "Fresh",
      log_message: "fresh",
    });
    const now = parseDbTime(at(30));
    const first = await readLogSummaries(db, undefined, { now });
    assert.equal(first.mark, shiftTime(at(11), -OVERLAP_MS));
    const summary = (s: typeof first) =>
      s.processes.map((p) => [p.process, p.total, p.counts.TRACE, p.counts.INFO, p.counts.ERROR]);
    assert.deepEqual(summary(first), [
      ["Even", 6, 2, 2, 2],
      ["Fresh", 1, undefined, 1, undefined],
      ["Odd", 6, 2, 2, 2],
    ]);
    assert.equal(first.base.Fresh, undefined);
    assert.equal(first.base.Odd.total, 3, "Odd's rows up to the mark");
    assert.equal(first.base.Odd.lastLog, at(0), "the last of them");
    assert.equal(first.processes[0].lastError, at(8));
    assert.equal(first.processes[2].lastLog, at(11));
    // One process read on its own (after a delete) gives what the full count gave.
    assert.deepEqual(await readProcessLogs(db, "Odd"), first.processes[2]);
    assert.equal(await readProcessLogs(db, "Nobody"), null);

    // A new row is counted next round; a late row (older than the mark) only at a recount.
    await insertLog(db, {
      log_time: at(29),
      log_level: "ERROR",
      process_name: "Odd",
      log_message: "new",
    });
    await insertLog(db, {
      log_time: at(1),
      log_level: "INFO",
      process_name: "Late",
      log_message: "late",
    });
    const second = await readLogSummaries(db, first, { now: parseDbTime(at(31)) });
    assert.equal(second.processes.find((p) => p.process === "Odd")!.counts.ERROR, 3);
    assert.equal(second.processes.find((p) => p.process === "Odd")!.lastError, at(29));
    assert.equal(second.processes.find((p) => p.process === "Late"), undefined);
    assert.equal(second.recountedAt, first.recountedAt);

    const recounted = await readLogSummaries(db, { ...second, stale: true }, {
      now: parseDbTime(at(32)),
    });
    assert.equal(recounted.processes.find((p) => p.process === "Late")!.total, 1);
    const due = await readLogSummaries(db, second, {
      now: new Date(second.recountedAt + RECOUNT_MS),
    });
    assert.equal(due.processes.reduce((n, p) => n + p.total, 0), 15, "an hour later, all again");
  });

  test("log list: newest first by keyset, levels merged, process, search, range, tail", async (db) => {
    const rows: { id: string; t: string; level: string; process: string }[] = [];
    for (let i = 0; i < 17; i++) {
      const t = at(Math.floor(i / 2));
      const level = ["TRACE", "INFO", "ERROR"][i % 3];
      const process = i % 4 === 0 ? "Solo" : "Busy";
      const id = await insertLog(db, {
        log_time: t,
        log_level: level,
        process_name: process,
        log_message: i === 5 ? "Timeout 50% of the time" : `message ${i}`,
      });
      rows.push({ id, t, level, process });
    }
    const key = db.dialect.name === "mssql" ? mssqlIdKey : (id: string) => id;
    const newest = (list: typeof rows) =>
      [...list].sort((a, b) =>
        a.t === b.t ? (key(a.id) < key(b.id) ? 1 : -1) : (a.t < b.t ? 1 : -1)
      )
        .map((r) => r.id);

    const pages: string[] = [];
    let page = await listLogs(db, { process: null, filter: filter(), paging: paging({ size: 4 }) });
    pages.push(...page.rows.map((r) => r.id));
    while (page.next) {
      page = await listLogs(db, {
        process: null,
        filter: filter(),
        paging: paging({ size: 4, after: page.next }),
      });
      pages.push(...page.rows.map((r) => r.id));
    }
    assert.deepEqual(pages, newest(rows));
    assert.deepEqual(page.total, { count: 17, capped: false });

    const back = await listLogs(db, {
      process: null,
      filter: filter(),
      paging: paging({ size: 4, before: page.previous }),
    });
    assert.deepEqual(back.rows.map((r) => r.id), newest(rows).slice(12, 16));

    const two = await listLogs(db, {
      process: null,
      filter: filter("level=INFO&level=ERROR"),
      paging: paging({ size: 5 }),
    });
    assert.deepEqual(
      two.rows.map((r) => r.id),
      newest(rows.filter((r) => r.level !== "TRACE")).slice(0, 5),
    );
    const solo = await listLogs(db, { process: "Solo", filter: filter(), paging: paging() });
    assert.deepEqual(solo.rows.map((r) => r.id), newest(rows.filter((r) => r.process === "Solo")));

    const known = [{
      process: "Solo",
      counts: { INFO: 40 },
      total: 99,
      lastLog: null,
      lastError: null,
    }];
    // The poller's counts, on a list longer than its page; a list that fits counts its rows.
    const small = paging({ size: 1 });
    assert.deepEqual(
      (await listLogs(db, { process: "Solo", filter: filter(), paging: small, known })).total,
      {
        count: 99,
        capped: false,
      },
    );
    assert.deepEqual(
      (await listLogs(db, { process: "Solo", filter: filter("level=INFO"), paging: small, known }))
        .total,
      {
        count: 40,
        capped: false,
      },
    );
    assert.deepEqual(
      (await listLogs(db, { process: "Solo", filter: filter(), paging: paging(), known })).total,
      {
        count: solo.rows.length,
        capped: false,
      },
    );
    const search = await listLogs(db, {
      process: null,
      filter: filter("q=50%25"),
      paging: paging(),
      known,
    });
    assert.deepEqual(search.rows.map((r) => r.log_message), ["Timeout 50% of the time"]);
    assert.deepEqual(search.total, { count: 1, capped: false });
    const range = await listLogs(db, {
      process: "Busy",
      filter: filter("from=2026-11-20T08:02&to=2026-11-20T08:03"),
      paging: paging(),
    });
    assert.deepEqual(
      range.rows.map((r) => r.id),
      newest(rows.filter((r) => r.process === "Busy" && r.t >= at(2) && r.t < at(4))),
    );

    const cursor = { time: at(6), id: newest(rows.filter((r) => r.t === at(6)))[0] };
    const tail = await tailLogs(db, { process: null, filter: filter(), cursor });
    assert.deepEqual(tail.map((r) => r.id), newest(rows.filter((r) => r.t > at(6))));
    assert.equal(
      (await tailLogs(db, { process: "Solo", filter: filter("level=ERROR"), cursor: null })).length,
      1,
    );
  });

  test("deletes: chosen rows of a process, and everything older than a date; audited", async (db) => {
    const a = await insertLog(db, {
      log_time: at(0),
      log_level: "INFO",
      process_name: "P",
      log_message: "a",
    });
    const b = await insertLog(db, {
      log_time: at(1),
      log_level: "INFO",
      process_name: "Q",
      log_message: "b",
    });
    assert.equal(
      await deleteLogs(db, { process: "P", ids: [a, b], user: "alice" }),
      1,
      "only rows of the process",
    );
    assert.equal(await deleteLogs(db, { process: null, ids: [b], user: "alice" }), 1);
    for (let day = 0; day < 5; day++) {
      await insertLog(db, {
        log_time: shiftTime(T0, day * 86_400_000),
        log_level: "TRACE",
        process_name: "Old",
        log_message: `day ${day}`,
      });
    }
    await insertLog(db, {
      log_time: at(-10),
      log_level: "TRACE",
      process_name: "Keep",
      log_message: "k",
    });
    assert.deepEqual(
      await deleteLogsBefore(db, {
        process: "Old",
        before: "2026-11-22 00:00:00.000000",
        user: "bob",
      }),
      { deleted: 2, stopped: false },
    );
    const left = await db.query<{ process_name: string; log_message: string }>(
      "SELECT process_name, log_message FROM Logs WHERE process_name <> 'OpenOrchestrator Web' ORDER BY log_time",
    );
    assert.deepEqual(left.map((r) => r.log_message), ["k", "day 2", "day 3", "day 4"]);
    const audits = await db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web' ORDER BY log_time",
    );
    assert.match(audits[0].log_message, /^alice deleted 1 log row of process "P" \(chosen: /);
    assert.equal(
      audits.at(-1)!.log_message,
      'bob deleted 2 log rows of process "Old" older than 2026-11-22',
    );
  });
}

/** Adds `n` log rows of `process`, one a second before `T0` (SQLite). */
async function trail(db: Db): Promise<string[]> {
  const rows = await db.query<{ log_message: string }>(
    "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
  );
  return rows.map((r) => r.log_message);
}

async function left(db: Db, process: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM Logs WHERE process_name = ?",
    [process],
  );
  return Number(row.n);
}

Deno.test("a search is never counted: one that fits on a page has its rows as its total", async () => {
  const t = await tempDatabase();
  try {
    for (let i = 0; i < 5; i++) {
      await insertLog(t.db, {
        log_time: at(i),
        log_level: "INFO",
        process_name: "P",
        log_message: i < 3 ? `timeout ${i}` : `ok ${i}`,
      });
    }
    const query = t.db.query;
    let counts = 0;
    t.db.query = (sql, params, options) => {
      if (/COUNT\(\*\)/.test(sql)) counts++;
      return query(sql, params, options);
    };
    const one = await listLogs(t.db, {
      process: null,
      filter: filter("q=timeout"),
      paging: paging(),
    });
    assert.deepEqual([one.rows.length, one.total, counts], [3, { count: 3, capped: false }, 0]);
    // More matches than a page holds: a search is not counted (that would read every row).
    const first = await listLogs(t.db, {
      process: null,
      filter: filter("q=timeout"),
      paging: paging({ size: 2 }),
    });
    assert.deepEqual([first.rows.length, first.total, counts], [2, null, 0]);
    // Without a search, the rows are counted.
    const plain = await listLogs(t.db, {
      process: null,
      filter: filter(),
      paging: paging({ size: 2 }),
    });
    assert.deepEqual([plain.rows.length, plain.total, counts], [2, { count: 5, capped: false }, 1]);
  } finally {
    await t.close();
  }
});

Deno.test("delete-older can be stopped between batches, and the trail says how far it got", async () => {
  const { db, close } = await tempDatabase();
  try {
    await insertManyLogs(db, { process: "Big", n: 3500 });
    const stop = new AbortController();
    const seen: number[] = [];
    const result = await deleteLogsBefore(db, { process: "Big", before: T0, user: "carol" }, {
      signal: stop.signal,
      progress(deleted) {
        seen.push(deleted);
        if (deleted >= 2000) stop.abort();
      },
    });
    assert.deepEqual(result, { deleted: 2000, stopped: true });
    assert.deepEqual(seen, [1000, 2000]);
    assert.equal(await left(db, "Big"), 1500);
    assert.deepEqual(await trail(db), [
      'carol deleted 2000 log rows of process "Big" older than 2026-11-20 (stopped before the end)',
    ]);
  } finally {
    await close();
  }
});

Deno.test("a delete-older that dies half-way leaves a trail of exactly what went", async () => {
  const { db, close } = await tempDatabase();
  try {
    await insertManyLogs(db, { process: "Big", n: 3500 });
    await assert.rejects(
      deleteLogsBefore(db, { process: "Big", before: T0, user: "carol" }, {
        progress(deleted) {
          if (deleted >= 2000) throw new Error("the process was killed");
        },
      }),
      /killed/,
    );
    assert.equal(await left(db, "Big"), 1500);
    assert.deepEqual(await trail(db), [
      'carol is deleting log rows of process "Big" older than 2026-11-20: 2000 deleted so far',
    ]);
  } finally {
    await close();
  }
});

Deno.test("a search reads a slice of rows per page: a page that did not fill ends there and the next searches on", async () => {
  const t = await tempDatabase();
  try {
    // 2.4 slices of rows a second apart, newest first: row i is i seconds before 08:00. Three
    // match, one in each slice of SEARCH_SLICE_ROWS.
    const S = SEARCH_SLICE_ROWS;
    const [n1, n2, n3] = [3, Math.round(1.4 * S), Math.round(2.3 * S)];
    await insertManyLogs(t.db, { process: "Big", n: Math.round(2.4 * S), needles: [n1, n2, n3] });
    const time = (i: number) => shiftTime(T0, -i * 1000);
    const search = (over: Parameters<typeof paging>[0] = {}) =>
      listLogs(t.db, { process: "Big", filter: filter("q=needle"), paging: paging(over) });
    const messages = (page: { rows: { log_message: string }[] }) =>
      page.rows.map((r) => r.log_message);

    const first = await search();
    assert.deepEqual(messages(first), [`a needle row ${n1}`]);
    assert.equal(first.searchedTo, time(S), "as far as its slice read");
    assert.equal(first.total, null, "a search is not counted");
    assert.equal(first.next?.time, time(S));

    // The next slice starts at the time the last ended (its rows already read count again).
    const second = await search({ after: first.next });
    assert.deepEqual(messages(second), [`a needle row ${n2}`]);
    assert.equal(second.searchedTo, time(2 * S - 1));
    assert.equal(second.previous?.time, time(n2), "back to the rows before it");

    // The rest is less than a slice: the search reaches its end.
    const third = await search({ after: second.next });
    assert.deepEqual(messages(third), [`a needle row ${n3}`]);
    assert.deepEqual([third.next, third.searchedTo], [null, undefined]);

    // Read backwards from the last page: a slice of the newer rows, and the page before it.
    const back = await search({ before: third.previous });
    assert.deepEqual(messages(back), [`a needle row ${n2}`]);
    assert.equal(back.searchedTo, time(n3 - S + 1));
    assert.equal(back.previous?.time, time(n3 - S + 1));

    // A page full before its slice ends is an ordinary page.
    const full = await listLogs(t.db, {
      process: "Big",
      filter: filter("q=row"),
      paging: paging({ size: 10 }),
    });
    assert.deepEqual([full.rows.length, full.searchedTo, full.next?.time], [
      10,
      undefined,
      time(10),
    ]);

    // Nothing in a slice: an empty page that still leads on, and back to where it began.
    const last = (over: Parameters<typeof paging>[0] = {}) =>
      listLogs(t.db, {
        process: "Big",
        filter: filter(`q=needle+row+${n3}`),
        paging: paging(over),
      });
    const none = await last();
    assert.deepEqual([messages(none), none.previous], [[], null]);
    const noneAgain = await last({ after: none.next });
    assert.deepEqual(messages(noneAgain), []);
    assert.deepEqual([noneAgain.previous, noneAgain.next?.time], [none.next, time(2 * S - 1)]);
    assert.deepEqual(messages(await last({ after: noneAgain.next })), [`a needle row ${n3}`]);
  } finally {
    await t.close();
  }
});

Deno.test("a search over several levels ends its page where the first of their slices ends, losing no row", async () => {
  const t = await tempDatabase();
  try {
    // Even rows are errors, odd rows info: each level's share of a slice is half of it, which
    // reaches row S (errors) and row S - 1 (info): the page ends at row S - 1.
    const S = SEARCH_SLICE_ROWS;
    await insertManyLogs(t.db, { process: "Mixed", n: Math.round(1.6 * S) });
    await t.db.run(
      "UPDATE Logs SET log_level = 'ERROR' WHERE CAST(substr(log_message, 5) AS INTEGER) % 2 = 0",
    );
    await t.db.run(
      "UPDATE Logs SET log_message = 'a needle ' || log_message WHERE log_message IN (?, ?, ?)",
      ["row 3", `row ${S - 2}`, `row ${S}`],
    );
    const time = (i: number) => shiftTime(T0, -i * 1000);
    const search = (over: Parameters<typeof paging>[0] = {}) =>
      listLogs(t.db, {
        process: "Mixed",
        filter: filter("q=needle&level=INFO&level=ERROR"),
        paging: paging(over),
      });
    const first = await search();
    assert.deepEqual(first.rows.map((r) => r.log_message), [
      "a needle row 3",
      `a needle row ${S - 2}`,
    ]);
    assert.equal(first.searchedTo, time(S - 1));
    const second = await search({ after: first.next });
    assert.deepEqual(second.rows.map((r) => r.log_message), [`a needle row ${S}`]);
  } finally {
    await t.close();
  }
});

Deno.test("a search's next slice starts after every row of the time the last ended, whatever their ids' spelling", async () => {
  const t = await tempDatabase();
  try {
    // Row S ends the first slice; its id is spelled dashed with a run of zeros, below any
    // 32-digit one.
    const S = SEARCH_SLICE_ROWS;
    await insertManyLogs(t.db, { process: "Big", n: Math.round(1.2 * S), needles: [3, S] });
    await t.db.run("UPDATE Logs SET id = ? WHERE log_message = ?", [
      "00000000-0000-4000-8000-000000000001",
      `a needle row ${S}`,
    ]);
    const search = (over: Parameters<typeof paging>[0] = {}) =>
      listLogs(t.db, { process: "Big", filter: filter("q=needle"), paging: paging(over) });
    const first = await search();
    assert.deepEqual(first.rows.map((r) => r.log_message), ["a needle row 3", `a needle row ${S}`]);
    assert.ok(first.searchedTo);
    const second = await search({ after: first.next });
    assert.deepEqual(second.rows.map((r) => r.log_message), [], `row ${S} is not shown twice`);
  } finally {
    await t.close();
  }
});
