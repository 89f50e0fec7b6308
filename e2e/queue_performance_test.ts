/**
 * How a queue performs, in a real browser: the section loads on the queue's page, a bar opens
 * that day's elements (the same count, all with the bar's status), and the 30-day view has its
 * own URL. Any console error, CSP violation or 5xx fails a test (the harness checks).
 */
import assert from "node:assert/strict";
import { browserTest, columnTexts, eventually, queryOf } from "./browser.ts";

const QUEUE = "Intake.Cases";

browserTest(
  "queue performance: the section loads on the queue's page and a bar opens that day's list",
  async (t) => {
    const { page } = t;
    await page.goto(`/queues/${QUEUE}`);
    const section = page.locator("#queue-performance");
    await eventually(async () =>
      assert.equal(
        await section.locator("h2").textContent(),
        "How this queue performs, last 7 days",
      )
    );
    assert.equal(await section.locator("figure.chart").count(), 3);
    assert.match(await section.locator("#queue-backlog").textContent() ?? "", /^The backlog /);
    assert.match(
      await section.locator("#queue-oldest-new").textContent() ?? "",
      /^The oldest new element was created/,
    );

    // A done bar with elements: its name says the day and the count.
    const bars = section.locator('#perf-done a[aria-label$=" done: show them"]');
    const labels = await Promise.all((await bars.all()).map((a) => a.getAttribute("aria-label")));
    const label = labels.find((l) => !/: 0 done/.test(l!))!;
    const count = Number(/: ([\d,]+) done/.exec(label)![1].replaceAll(",", ""));
    assert.ok(count > 0 && count <= 50, label);
    const bar = section.locator(`#perf-done a[aria-label="${label}"]`);
    await bar.click();
    await page.waitForURL((url) => url.searchParams.get("status") === "DONE");
    const query = queryOf(page);
    assert.equal(query.get("date"), "ended");
    const day = query.get("from")!.slice(0, 10);
    assert.deepEqual([query.get("from"), query.get("to")], [`${day}T00:00`, `${day}T23:59`]);
    assert.equal(Number(day.slice(8)), Number(/^\w{3} (\d+)/.exec(label)![1]), label);
    await eventually(async () => {
      const shown = await columnTexts(page, "elements-table", 3);
      assert.equal(shown.length, count, `${label}: ${shown.join()}`);
      assert.ok(shown.every((s) => s === "Done"), shown.join());
    });
  },
);

browserTest("queue performance: the 30-day view has its own URL and page", async (t) => {
  const { page } = t;
  await page.goto(`/queues/${QUEUE}`);
  // Once the section has loaded: the link without script is replaced by it.
  const section = page.locator("#queue-performance");
  await eventually(async () =>
    assert.match(await section.locator("h2").textContent() ?? "", /last 7 days$/)
  );
  await section.getByRole("link", { name: "Last 30 days" }).click();
  await page.waitForURL(`**/queues/${QUEUE}/performance?days=30`);
  assert.equal(await page.locator("h1").textContent(), `${QUEUE}: performance`);
  const days = await page.locator("#perf-done-desc").textContent() ?? "";
  assert.equal(days.split(";").length, 30, days);
  assert.equal(
    await page.locator("#queue-performance .chip[aria-current=true]").textContent(),
    "Last 30 days",
  );
  // The bars are links the keyboard reaches: the next stop after the span chooser.
  await page.locator("#queue-performance").getByRole("link", { name: "Last 7 days" }).focus();
  await page.keyboard.press("Tab");
  assert.match(
    String(
      await page.evaluate(
        'document.activeElement.closest("#perf-done svg") ? ' +
          'document.activeElement.getAttribute("aria-label") : "elsewhere"',
      ),
    ),
    /^\w{3} \d+: [\d,]+ done: show them$/,
  );
});
