/**
 * Accessibility: axe-core (pinned in deno.json) checks every page, in the light and the dark
 * theme, against WCAG 2.1 A and AA; a test fails on any violation, naming the rule and the
 * elements.
 */
import assert from "node:assert/strict";
import axe from "axe-core";
import type { Page } from "playwright-core";
import { browserTest, eventually } from "./browser.ts";

/** The pages to check: every area, a detail page of each kind, and an open panel. */
async function pages(page: Page): Promise<string[]> {
  await page.goto("/triggers");
  const trigger = await page.locator("#triggers-table tbody tr").first().getAttribute("data-key");
  await page.goto("/queues/Intake.Cases");
  const element = await page.locator("#elements-table tbody tr a").first().getAttribute("href");
  await page.goto("/logs/Case%20Intake");
  const around = await page.locator("#log-rows a", { hasText: "Around" }).first()
    .getAttribute("href");
  return [
    "/dashboard",
    "/triggers",
    `/triggers/${trigger}`,
    `/triggers/${trigger}/edit`,
    "/triggers/new",
    "/triggers/forecast?window=7d",
    "/queues",
    "/queues/Intake.Cases",
    "/queues/Intake.Cases/performance?days=30",
    element!,
    "/logs",
    "/logs/Case%20Intake",
    around!,
    "/logs/all",
    "/schedulers",
    "/constants",
    "/credentials",
    "/settings",
    "/search?q=intake",
  ];
}

type Violation = { id: string; help: string; nodes: { target: string[] }[] };

/** Runs axe (already injected) on the page as it is. */
async function violations(page: Page): Promise<Violation[]> {
  const result = await page.evaluate(`axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
  }).then((r) => r.violations.map((v) => ({
    id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })),
  })))`);
  return result as Violation[];
}

browserTest(
  "axe: every page has no WCAG 2.1 AA violation, in the light and the dark theme",
  async (t) => {
    const { page } = t;
    // This walk takes longer than the live tick: a refresh under way when the next page is opened
    // is aborted by the navigation, which is not a problem of the page.
    t.allow(/^request failed: GET \S+: net::ERR_ABORTED$/);
    const found: string[] = [];
    for (const path of await pages(page)) {
      await page.goto(path, { waitUntil: "networkidle" });
      await page.evaluate((axe as unknown as { source: string }).source);
      for (const theme of ["light", "dark"]) {
        await page.evaluate(`document.documentElement.dataset.theme = "${theme}"`);
        for (const v of await violations(page)) {
          const where = v.nodes.map((n) => n.target.join(" ")).join(", ");
          found.push(`${path} (${theme}): ${v.id} (${v.help}) at ${where}`);
        }
      }
    }
    assert.deepEqual(found, []);
  },
);

browserTest(
  "axe: the header's search list, open with an active option, in both themes",
  async (t) => {
    const { page } = t;
    await page.goto("/dashboard");
    await page.evaluate((axe as unknown as { source: string }).source);
    await page.keyboard.press("/");
    await page.keyboard.type("in");
    await eventually(async () => assert.ok(await page.locator("#find-results").isVisible()));
    await page.keyboard.press("ArrowDown");
    const found: string[] = [];
    for (const theme of ["light", "dark"]) {
      await page.evaluate(`document.documentElement.dataset.theme = "${theme}"`);
      for (const v of await violations(page)) {
        found.push(`${theme}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target).join(", ")}`);
      }
    }
    assert.deepEqual(found, []);
  },
);
