/**
 * The header's search box: `/` brings the focus to it (but types a `/` in a field), results list
 * as you type (the log messages a moment later), the arrows move through them, Enter opens one,
 * Escape closes the list; without JavaScript it is a plain form to the results page.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { formatDbTime } from "../lib/time.ts";
import { browserTest, eventually } from "./browser.ts";
import { insertLog } from "../db/testing.ts";

const activeId = (page: Page) => page.evaluate<string>("document.activeElement?.id ?? ''");

/** The texts of the options whose `aria-selected` is true. */
const selected = (page: Page) =>
  page.locator('#find-results [role="option"][aria-selected="true"] strong').allTextContents();

browserTest(
  "search box: / focuses it, typing lists results, arrows and Enter open one",
  async (t) => {
    const { page } = t;
    await insertLog(t.db, {
      log_time: formatDbTime(new Date(Date.now() - 3_600_000)),
      log_level: "ERROR",
      process_name: "Case Intake",
      log_message: "Cannot open case INTAKE-1330: locked",
    });
    await page.goto("/constants");
    const box = page.getByRole("combobox", { name: "Search everything" });
    const list = page.locator("#find-results");

    // In a field `/` is just typed.
    const tableSearch = page.getByRole("searchbox", { name: "Search names and values" });
    await tableSearch.focus();
    await page.keyboard.type("a/");
    assert.equal(await tableSearch.inputValue(), "a/");
    assert.notEqual(await activeId(page), "find-q");

    await page.locator("h1").click();
    await page.keyboard.press("/");
    assert.equal(await activeId(page), "find-q");
    assert.equal(await box.inputValue(), "", "the / is not typed into the box");

    await page.keyboard.type("intake-133");
    await eventually(async () => {
      assert.equal(await list.isVisible(), true);
      assert.equal(await box.getAttribute("aria-expanded"), "true");
    });
    // Under load a key may come more than the debounce after the last: the list can show an
    // earlier prefix's answer first, and the last one replaces it.
    await eventually(async () => {
      const references = await list.locator('[role="group"]').first().locator(
        '[role="option"] strong',
      ).allTextContents();
      assert.deepEqual(references, ["INTAKE-1330", "INTAKE-1333", "INTAKE-1336", "INTAKE-1339"]);
    });
    assert.match(await list.textContent() ?? "", /Intake\.Cases/);
    // The day's log messages arrive after the rest, before the link to all results.
    await eventually(async () =>
      assert.match(
        await list.locator("#find-messages-0").textContent() ?? "",
        /Case Intake .*Cannot open case INTAKE-1330: locked/,
      )
    );
    assert.equal(
      await list.locator('[role="option"]').last().getAttribute("id"),
      "find-all",
    );

    await page.keyboard.press("ArrowDown");
    assert.deepEqual(await selected(page), ["INTAKE-1330"]);
    assert.equal(await box.getAttribute("aria-activedescendant"), "find-elements-0");
    await page.keyboard.press("ArrowDown");
    assert.deepEqual(await selected(page), ["INTAKE-1333"]);
    await page.keyboard.press("ArrowUp");
    assert.deepEqual(await selected(page), ["INTAKE-1330"]);
    assert.equal(await activeId(page), "find-q", "the focus stays in the box");

    await page.keyboard.press("Enter");
    await page.waitForURL(/\/queues\/Intake\.Cases\/elements\/[0-9a-f]{32}$/);
    await eventually(async () =>
      assert.match(await page.locator("main").textContent() ?? "", /INTAKE-1330/)
    );

    // Escape closes the list and keeps the focus; ArrowDown opens it again.
    await page.keyboard.press("/");
    await page.keyboard.type("rpa-vm");
    await eventually(async () => assert.equal(await list.isVisible(), true));
    await page.keyboard.press("Escape");
    assert.equal(await list.isVisible(), false);
    assert.equal(await box.getAttribute("aria-expanded"), "false");
    assert.equal(await activeId(page), "find-q");
    await page.keyboard.press("ArrowDown");
    assert.equal(await list.isVisible(), true);

    // Up from the box goes to the last option: the results page.
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowDown");
    assert.equal(await box.getAttribute("aria-activedescendant"), "find-all");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/search\?q=rpa-vm$/);
    assert.deepEqual(
      await page.locator("#search-schedulers + ul a").allTextContents(),
      ["rpa-vm-01", "rpa-vm-02", "rpa-vm-03"],
    );

    // A click on a result opens it too.
    await box.fill("nightly");
    await eventually(async () => assert.equal(await list.isVisible(), true));
    await list.getByRole("option", { name: /Nightly invoices/ }).click();
    await page.waitForURL(/\/triggers\/[0-9a-f]{32}$/);
  },
);

browserTest("search box: without JavaScript, Enter opens the results page", async (t) => {
  const context = await t.browser.newContext({ baseURL: t.base, javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    t.watch(page);
    await page.goto("/dashboard");
    await page.locator("#find-q").fill("invoice");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/search\?q=invoice$/);
    assert.deepEqual(await page.locator("#search-triggers + ul a").allTextContents(), [
      "Nightly invoices",
    ]);
    assert.deepEqual(await page.locator("#search-queues + ul a").allTextContents(), [
      "Invoices.Approve",
    ]);
  } finally {
    await context.close();
  }
});
