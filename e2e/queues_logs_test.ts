/**
 * Queues, logs and the dashboard in a real browser: filter a queue, retry an element (chosen, and
 * everything matching after the count), open the logs around it, live-tail a process, open every
 * dashboard link. Any console error, CSP violation or 5xx fails a test (the harness checks).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { nowDbTime, shiftTime } from "../lib/time.ts";
import { browserTest, columnTexts, eventually, queryOf } from "./browser.ts";
import { insertLog, insertManyLogs } from "../db/testing.ts";
import { SEARCH_SLICE_ROWS } from "../db/list.ts";

const QUEUE = "Intake.Cases";
const statuses = (page: Page) => columnTexts(page, "elements-table", 3);
const flash = (page: Page) => page.locator("#flash .flash");

async function statusOf(db: Parameters<typeof insertLog>[0], reference: string): Promise<string> {
  const [row] = await db.query<{ status: string }>(
    "SELECT status FROM Queues WHERE reference = ?",
    [
      reference,
    ],
  );
  return row.status;
}

browserTest("queues: from the overview, filter a queue by status and page it", async (t) => {
  const { page } = t;
  await page.goto("/queues");
  const row = page.locator("#queues-table tbody tr", { hasText: QUEUE });
  assert.match(await row.textContent() ?? "", /Case intake/);
  await row.getByRole("link", { name: QUEUE }).click();
  await page.waitForURL(`**/queues/${QUEUE}`);
  assert.equal(await page.locator("h1").textContent(), QUEUE);

  await page.getByRole("checkbox", { name: "Failed" }).check();
  await page.waitForURL((url) => url.searchParams.getAll("status").join() === "FAILED");
  await eventually(async () => {
    const shown = await statuses(page);
    assert.ok(shown.length > 0 && shown.every((s) => s === "Failed"), shown.join());
  });
  await page.getByRole("checkbox", { name: "Abandoned" }).check();
  await page.waitForURL((url) => url.searchParams.getAll("status").join() === "FAILED,ABANDONED");
  await eventually(async () => {
    const shown = new Set(await statuses(page));
    assert.deepEqual([...shown].sort(), ["Abandoned", "Failed"]);
  });

  // A search narrows it further; the pager moves by cursor and back.
  await page.getByRole("searchbox").fill("INTAKE-10");
  await page.waitForURL((url) => url.searchParams.get("q") === "INTAKE-10");
  await eventually(async () => {
    const refs = await columnTexts(page, "elements-table", 2);
    assert.ok(refs.every((r) => r.startsWith("INTAKE-10")), refs.join());
  });
  await page.goto(`/queues/${QUEUE}?size=25`);
  const first = await columnTexts(page, "elements-table", 2);
  await page.getByRole("link", { name: "Next →" }).click();
  await page.waitForURL((url) => url.searchParams.has("after"));
  await eventually(async () =>
    assert.notDeepEqual(await columnTexts(page, "elements-table", 2), first)
  );
  await page.getByRole("link", { name: "← Previous" }).click();
  await page.waitForURL((url) => url.searchParams.has("before"));
  await eventually(async () =>
    assert.deepEqual(await columnTexts(page, "elements-table", 2), first)
  );

  // A bad range is said next to the field.
  await page.goto(`/queues/${QUEUE}?from=2026-02-01T10:00&to=2026-01-01T10:00`);
  assert.match(await page.locator("#elements-table-to-error").textContent() ?? "", /not be before/);
  t.allow(/status of 400/);
});

browserTest("queues: retry a failed element, then all failed after seeing the count", async (t) => {
  const { page, db } = t;
  await page.goto(`/queues/${QUEUE}?status=FAILED`);
  const firstRow = page.locator("#elements-table tbody tr").first();
  const reference = (await firstRow.locator("td").nth(1).textContent())!.trim();
  await firstRow.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Retry selected" }).click();
  await eventually(async () => assert.equal(await flash(page).textContent(), "Retried 1 element."));
  await eventually(async () =>
    assert.ok(
      !(await columnTexts(page, "elements-table", 2)).includes(reference),
      "the table reloads",
    )
  );
  assert.equal(await statusOf(db, reference), "NEW");

  const left = (await columnTexts(page, "elements-table", 2)).length;
  await page.getByRole("button", { name: "Retry all matching…" }).click();
  const confirm = page.locator("#editor form.warn");
  await eventually(async () =>
    assert.match(
      await confirm.textContent() ?? "",
      new RegExp(`Retry ${left} elements? of ${QUEUE}`),
    )
  );
  await confirm.getByRole("button", { name: /^Retry \d+ elements?$/ }).click();
  await eventually(async () =>
    assert.equal(
      await flash(page).textContent(),
      `Retried ${left} element${left === 1 ? "" : "s"}.`,
    )
  );
  await eventually(async () =>
    assert.equal(
      await page.locator("#elements-table p.empty").textContent(),
      "No element matches these filters.",
    )
  );
  const [{ n }] = await db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM Queues WHERE queue_name = ? AND status = 'FAILED'",
    [QUEUE],
  );
  assert.equal(Number(n), 0);
});

browserTest(
  "queues: an element's page links to its process's logs; around a row marks it",
  async (t) => {
    const { page } = t;
    await page.goto(`/queues/${QUEUE}?status=DONE`);
    const link = page.locator("#elements-table tbody tr").first().locator("td").nth(1).getByRole(
      "link",
    );
    const reference = (await link.textContent())!.trim();
    await link.click();
    await page.waitForURL(/\/elements\//);
    assert.match(await page.locator("h1").textContent() ?? "", new RegExp(reference));
    assert.match(await page.locator("pre.data").textContent() ?? "", /"case": \d+/);

    await page.getByRole("link", { name: "Logs of Case Intake during this run" }).click();
    await page.waitForURL(/\/logs\/Case%20Intake\?from=/);
    const from = queryOf(page).get("from")!;
    const to = queryOf(page).get("to")!;
    assert.ok(from < to);
    assert.equal(await page.locator("#logs-table-search input[name=from]").inputValue(), from);

    // Around a row: ±2 minutes, the row marked and scrolled to.
    await page.goto("/logs/Case%20Intake");
    const row = page.locator("#log-rows tr").nth(3);
    const id = (await row.getAttribute("id"))!;
    await row.getByRole("link", { name: "Around" }).click();
    await page.waitForURL(/highlight=/);
    const marked = page.locator(`#${id}`);
    assert.equal(await marked.getAttribute("class"), "highlight");
    assert.equal(await marked.getAttribute("aria-current"), "true");
    assert.ok(await marked.isVisible());
  },
);

browserTest("logs: live tail brings new rows to the top every 5 s while on", async (t) => {
  const { page, db } = t;
  await page.clock.install(); // runs at the normal pace; runFor() skips ahead
  await page.goto("/logs/Case%20Intake");
  const top = () => page.locator("#log-rows tr").first();
  const before = await top().getAttribute("id");

  await insertLog(db, {
    log_time: nowDbTime(),
    log_level: "ERROR",
    process_name: "Case Intake",
    log_message: "tail while off",
  });
  await page.clock.runFor(5_500);
  await page.waitForTimeout(300);
  assert.equal(await top().getAttribute("id"), before, "nothing arrives while the tail is off");

  await page.getByRole("checkbox", { name: /Live tail/ }).check();
  await page.clock.runFor(5_000);
  await eventually(async () => {
    assert.match(await top().textContent() ?? "", /tail while off/);
    assert.equal(await top().getAttribute("class"), "new");
  });
  await insertLog(db, {
    log_time: nowDbTime(),
    log_level: "INFO",
    process_name: "Case Intake",
    log_message: "tail while on",
  });
  await insertLog(db, {
    log_time: nowDbTime(),
    log_level: "INFO",
    process_name: "Someone Else",
    log_message: "another process",
  });
  await page.clock.runFor(5_000);
  await eventually(async () => assert.match(await top().textContent() ?? "", /tail while on/));
  const texts = await page.locator("#log-rows").textContent();
  assert.equal(texts!.match(/tail while off/g)!.length, 1, "each row arrives once");
  assert.doesNotMatch(texts!, /another process/);

  // A long message expands in place.
  await insertLog(db, {
    log_time: nowDbTime(),
    log_level: "ERROR",
    process_name: "Case Intake",
    log_message: `Traceback (most recent call last):\n${
      "  File x.py, line 1\n".repeat(40)
    }KeyError: 'cpr'`,
  });
  await page.reload();
  const details = page.locator("#log-rows details.message").first();
  assert.equal(await details.locator("pre").isVisible(), false);
  await details.locator("summary").click();
  assert.match(await details.locator("pre").textContent() ?? "", /KeyError: 'cpr'$/);
});

browserTest(
  "logs: a search that finds nothing in a slice of rows searches on by itself",
  async (t) => {
    const { page, db } = t;
    // 12,000 rows a second apart, the one match 9,000 rows back: past the first slices of the
    // search. Each slice starts at the time the last ended, so it reads S - 1 rows further.
    await insertManyLogs(db, { process: "Big", n: 12_000, needles: [9000] });
    const rowZero = "2026-11-20 08:00:00.000000"; // row i is i seconds before it
    let searchedTo = SEARCH_SLICE_ROWS;
    while (searchedTo < 9000) searchedTo += SEARCH_SLICE_ROWS - 1;
    await page.goto("/logs/Big");
    await page.getByRole("searchbox").fill("needle");
    await eventually(async () => {
      assert.match(await page.locator("#log-rows").textContent() ?? "", /a needle row 9000/);
    });
    // The empty first slice gave way to the second, which found it; the address says where.
    assert.ok(queryOf(page).has("after"), page.url());
    assert.equal(queryOf(page).get("q"), "needle");
    assert.match(
      await page.locator("#logs-table .pager .count").textContent() ?? "",
      new RegExp(
        `^1 found, searched as far as ${shiftTime(rowZero, -searchedTo * 1000).slice(0, 19)}$`,
      ),
    );
    // The third slice reaches the end: nothing more, and the pager says so.
    await page.getByRole("link", { name: "Next →" }).click();
    await eventually(async () => {
      assert.match(await page.locator("#logs-table-empty").textContent() ?? "", /No/);
      assert.equal(await page.locator("#logs-table-empty").isVisible(), true);
    });
  },
);

browserTest(
  "logs: the slices of a search never land over the search typed after it",
  async (t) => {
    const { page, db } = t;
    // 100,000 rows and a word in none: its search goes on slice after slice, 20 of them.
    await insertManyLogs(db, { process: "Big", n: 100_000 });
    await page.goto("/logs/Big");
    await page.getByRole("searchbox").fill("nowhere");
    await eventually(() => assert.ok(queryOf(page).has("after"), "searching on by itself"));
    await page.getByRole("searchbox").fill("row 1234");
    await eventually(async () => {
      assert.equal(queryOf(page).get("q"), "row 1234");
      assert.match(await page.locator("#log-rows").textContent() ?? "", /row 1234/);
    });
    // Long enough for every slice of the first search to have come back, had any been under way.
    await page.waitForTimeout(1500);
    assert.equal(queryOf(page).get("q"), "row 1234");
    assert.match(await page.locator("#log-rows").textContent() ?? "", /row 1234/);
  },
);

browserTest(
  "dashboard: every item links to a filtered view that opens; it refreshes on the tick",
  async (t) => {
    const { page } = t;
    await page.goto("/");
    await page.waitForURL("**/dashboard");
    const chart = page.getByRole("group", { name: /Done and failed queue elements per day/ });
    assert.ok(await chart.isVisible());
    // A bar opens the elements it counts: the failed ones of the week's busiest day, in every queue.
    const bars = chart.getByRole("link", { name: /failed: show them$/ });
    const labels = await bars.evaluateAll((links) =>
      links.map((link) => link.getAttribute("aria-label") ?? "")
    );
    const counts = labels.map((l) => Number(l.match(/: ([\d,]+) failed/)![1].replaceAll(",", "")));
    const failed = Math.max(...counts);
    assert.ok(failed > 0, "the demo has failed elements this week");
    await bars.nth(counts.lastIndexOf(failed)).click();
    await page.waitForURL(/\/queues\/all\?status=FAILED&date=ended&from=/);
    assert.equal(await page.locator("h1").textContent(), "Elements of every queue");
    assert.match(
      await page.locator("#elements-table .pager .count").textContent() ?? "",
      new RegExp(`of ${failed.toLocaleString("en")}$`),
    );
    await page.goto("/dashboard");
    const links = page.locator("#dashboard a");
    const hrefs: string[] = [];
    for (let i = 0; i < await links.count(); i++) {
      hrefs.push(
        (await links.nth(i).getAttribute("href"))!,
      );
    }
    assert.ok(hrefs.length >= 10, hrefs.join(" "));
    for (const href of new Set(hrefs)) {
      const response = await page.goto(href, { waitUntil: "networkidle" });
      assert.equal(response?.status(), 200, href);
    }

    await page.goto("/dashboard");
    const refreshed = page.waitForResponse((r) =>
      new URL(r.url()).pathname === "/dashboard" && r.request().headers()["hx-request"] === "true"
    );
    await page.dispatchEvent("body", "oo-tick");
    assert.equal((await refreshed).status(), 200);
    await eventually(async () => assert.ok(await chart.isVisible()));
  },
);

browserTest(
  "queues and logs: “All on this page” ticks every row box, and the action uses them",
  async (t) => {
    const { page, db } = t;
    await page.goto(`/queues/${QUEUE}?status=FAILED`);
    const failed = (await statuses(page)).length;
    assert.ok(failed > 1);
    await page.getByRole("checkbox", { name: "All on this page" }).check();
    const boxes = page.locator('#elements-table input[name="id"]');
    assert.equal(await boxes.count(), failed);
    for (const box of await boxes.all()) assert.ok(await box.isChecked());
    await page.getByRole("button", { name: "Retry selected" }).click();
    await eventually(async () =>
      assert.equal(await flash(page).textContent(), `Retried ${failed} elements.`)
    );
    const [{ n }] = await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Queues WHERE queue_name = ? AND status = 'FAILED'",
      [QUEUE],
    );
    assert.equal(Number(n), 0);
    // The table reloads after the change: let it finish before leaving the page.
    await eventually(async () => assert.equal((await statuses(page)).length, 0));

    await page.goto("/logs/Case%20Intake?size=25");
    const rows = await page.locator("#log-rows tr").count();
    await page.getByRole("checkbox", { name: "All on this page" }).check();
    const logBoxes = page.locator('#log-rows input[name="id"]');
    assert.equal(await logBoxes.count(), rows);
    for (const box of await logBoxes.all()) assert.ok(await box.isChecked());
    await page.getByRole("checkbox", { name: "All on this page" }).uncheck();
    for (const box of await logBoxes.all()) assert.ok(!await box.isChecked());
  },
);

browserTest(
  "queues: right after a retry the chips and the footer count what is there",
  async (t) => {
    const { page } = t;
    await page.goto(`/queues/${QUEUE}?status=FAILED`);
    const chip = page.locator("#queue-counts a", { hasText: "Failed" });
    const footer = page.locator("#elements-table .pager .count");
    const failed = (await statuses(page)).length;
    assert.equal((await chip.textContent())!.trim(), `Failed ${failed}`);
    const boxes = page.locator('#elements-table input[name="id"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole("button", { name: "Retry selected" }).click();
    await eventually(async () => {
      assert.equal((await chip.textContent())!.trim(), `Failed ${failed - 2}`);
      assert.match(
        (await footer.textContent())!,
        new RegExp(`^\\s*${failed - 2} shown of ${failed - 2}\\b`),
      );
    });
  },
);

browserTest("logs: “Around” links are told apart by time, and the window widens", async (t) => {
  const { page } = t;
  await page.goto("/logs/Case%20Intake");
  const row = page.locator("#log-rows tr").nth(2);
  const id = (await row.getAttribute("id"))!;
  const time = (await row.locator("time").getAttribute("datetime"))!.slice(11, 19);
  const link = row.getByRole("link", { name: `Logs around ${time}` });
  assert.equal(await link.count(), 1);
  const names = await page.locator("#log-rows a", { hasText: "Around" }).evaluateAll((links) =>
    links.map((a) => a.getAttribute("aria-label"))
  );
  assert.ok(names.every((name) => /^Logs around \d\d:\d\d:\d\d$/.test(name ?? "")), names.join());

  await link.click();
  await page.waitForURL(/highlight=/);
  const widen = page.getByRole("navigation", { name: "Window around the marked row" });
  assert.equal(await widen.locator("[aria-current]").textContent(), "±2 min");
  const span = () => {
    const q = queryOf(page);
    return (Date.parse(q.get("to")!) - Date.parse(q.get("from")!)) / 60_000;
  };
  assert.equal(span(), 4);
  for (const [label, minutes] of [["±10 min", 20], ["±1 h", 120]] as const) {
    await widen.getByRole("link", { name: label }).click();
    await page.waitForURL((url) =>
      url.searchParams.get("highlight") !== null && span() === minutes
    );
    assert.equal(await page.locator(`#${id}`).getAttribute("aria-current"), "true");
    assert.equal(await widen.locator("[aria-current]").textContent(), label);
  }
});
