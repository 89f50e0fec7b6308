/**
 * The forecast page in a real browser: it renders with its flags and every trigger's runs as a
 * link to the trigger, with no console error or CSP violation, in both themes; the window is
 * chosen by a link; at phone width nothing scrolls sideways.
 */
import assert from "node:assert/strict";
import type { Db } from "../db/connection.ts";
import { createTrigger } from "../db/triggers.ts";
import { nextRuns } from "../lib/cron.ts";
import { nowDbTime } from "../lib/time.ts";
import type { TriggerInput } from "../lib/trigger_input.ts";
import type { Locator } from "playwright-core";
import { browserTest } from "./browser.ts";

/** Two blocking triggers at 03:00 on one machine, one whitelisted to the offline machine. */
async function addTriggers(db: Db): Promise<void> {
  const base: TriggerInput = {
    type: "SCHEDULED",
    trigger_name: "",
    process_name: "E2E process",
    process_path: "C:\\Robots\\e2e.py",
    process_args: "",
    is_git_repo: false,
    git_branch: null,
    is_blocking: true,
    priority: 0,
    scheduler_whitelist: '["rpa-vm-01"]',
    cron_expr: "0 3 * * *",
    next_run: nextRuns("0 3 * * *", nowDbTime(), 1)[0],
    queue_name: null,
    min_batch_size: null,
  };
  await createTrigger(db, {
    input: { ...base, trigger_name: "E2E first", priority: 3 },
    user: "e2e",
  });
  await createTrigger(db, { input: { ...base, trigger_name: "E2E second" }, user: "e2e" });
  await createTrigger(db, {
    input: {
      ...base,
      trigger_name: "E2E offline",
      scheduler_whitelist: '["rpa-vm-03"]',
    },
    user: "e2e",
  });
  // A run every minute: drawn as one band, not 10,080 marks.
  await createTrigger(db, {
    input: {
      ...base,
      trigger_name: "E2E busy",
      is_blocking: false,
      scheduler_whitelist: "[]",
      cron_expr: "* * * * *",
      next_run: nextRuns("* * * * *", nowDbTime(), 1)[0],
    },
    user: "e2e",
  });
}

/**
 * Follows a visible link to where it should lead (by its address: a click waits for the next page
 * only as long as an action, and this page is computed on a loaded machine too).
 */
async function follow(link: Locator, to: RegExp): Promise<void> {
  assert.ok(await link.isVisible());
  const href = await link.getAttribute("href");
  assert.match(href ?? "", to);
  await link.page().goto(href!);
}

browserTest(
  "forecast: flags, runs linking to their triggers, both themes, no CSP problem",
  async (t) => {
    const { page, db } = t;
    await addTriggers(db);
    await page.goto("/triggers");
    await follow(page.getByRole("link", { name: "Forecast" }), /\/triggers\/forecast$/);
    assert.equal(await page.locator("h1").textContent(), "Forecast");

    await follow(
      page.getByRole("link", { name: "the next 7 days" }),
      /\/triggers\/forecast\?window=7d$/,
    );
    const collisions = page.locator("section", {
      has: page.locator("h2", { hasText: "Collisions" }),
    });
    const heading = await collisions.locator("h2").textContent() ?? "";
    assert.ok(Number(/Collisions \((\d+)\)/.exec(heading)?.[1]) >= 7, heading);
    // At 03:00 the busy trigger (any machine) is due too: it waits for the blocking one.
    assert.match(
      await collisions.locator("li", { hasText: "E2E second" }).first().textContent() ?? "",
      /: E2E first \(blocking\) starts first; E2E busy waits \(.*\); E2E second \(blocking\) waits/,
    );
    const never = page.locator("section", { has: page.locator("h2", { hasText: "Never run" }) });
    assert.match(await never.textContent() ?? "", /E2E offline: 7 runs on rpa-vm-03 \(offline\)/);

    // Every run mark is inside a link to its trigger; the busy trigger is one band.
    const tracks = page.locator("a.fc-track");
    assert.ok(await tracks.count() >= 6);
    for (
      const href of await tracks.evaluateAll((links) => links.map((a) => a.getAttribute("href")))
    ) {
      assert.match(href ?? "", /^\/triggers\/[0-9a-f]{32}$/);
    }
    const busy = page.locator("a.fc-track[aria-label^='E2E busy:']");
    // One path of bars per colour: the busy trigger's is one band, the first's seven collisions.
    const bars = async (path: Locator) => (await path.getAttribute("d"))?.split("M").length! - 1;
    assert.equal(await busy.locator("path").count(), 1);
    assert.equal(await bars(busy.locator("path")), 1);
    assert.match(await busy.getAttribute("aria-label") ?? "", /10,08[01] runs/); // 10,081 once its first run is due
    assert.equal(await bars(page.locator("a.fc-track[aria-label^='E2E first:'] .fc-collide")), 7);

    // The marks are painted (colours come from the stylesheet), in both themes. A string
    // expression: these tests are type-checked without the DOM library.
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const fill = await page.evaluate<string>(
        'getComputedStyle(document.querySelector("path.fc-collide")).fill',
      );
      assert.notEqual(fill, "none");
      assert.notEqual(fill, "rgb(0, 0, 0)");
    }

    // A run's link opens its trigger.
    await follow(
      page.locator("a.fc-track[aria-label^='E2E second:']"),
      /\/triggers\/[0-9a-f]{32}$/,
    );
    assert.match(await page.locator("h1").textContent() ?? "", /E2E second/);

    await page.goto("/dashboard");
    await follow(page.getByRole("link", { name: /the forecast/ }), /\/triggers\/forecast$/);
  },
);

browserTest("forecast at phone width: nothing scrolls sideways", async (t) => {
  const { page, db } = t;
  await addTriggers(db);
  // A request still under way (the header's status) when the next page opens is aborted by the
  // navigation, which is not a problem of the page.
  t.allow(/^request failed: GET \S+: net::ERR_ABORTED$/);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/triggers/forecast", "/triggers/forecast?window=7d"]) {
    await page.goto(path);
    const [pageWidth, viewport] = await page.evaluate<[number, number]>(
      "[document.documentElement.scrollWidth, innerWidth]",
    );
    assert.ok(pageWidth <= viewport, `${path}: the page is ${pageWidth} px wide`);
    const track = await page.locator("a.fc-track").first().boundingBox();
    assert.ok(track && track.width > 300, `${path}: the track is ${track?.width} px wide`);
  }
});
