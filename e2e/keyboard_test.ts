/**
 * Keyboard: a second skip link takes a keyboard user past the header and the filters to a list's
 * rows in a few presses; the theme toggle says its state.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, eventually } from "./browser.ts";

const active = (page: Page) =>
  page.evaluate<string>(
    `(() => { const a = document.activeElement; return (a.getAttribute("aria-label") || a.textContent || "").trim(); })()`,
  );

browserTest(
  "keyboard: “Skip to the list” reaches the first row box in a few presses",
  async (t) => {
    const { page } = t;
    await page.goto("/queues/Intake.Cases");
    await page.keyboard.press("Tab");
    assert.equal(await active(page), "Skip to content");
    await page.keyboard.press("Tab");
    assert.equal(await active(page), "Skip to the list");
    await page.keyboard.press("Enter");
    let presses = 3;
    for (; presses < 12; presses++) {
      await page.keyboard.press("Tab");
      if ((await active(page)).startsWith("Select ")) break;
    }
    assert.ok(presses <= 5, `${presses} presses to the first element's box`);

    // A page without a list has only the first skip link.
    await page.goto("/dashboard");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.notEqual(await active(page), "Skip to the list");
  },
);

browserTest("keyboard: the theme toggle says whether dark mode is on", async (t) => {
  const { page } = t;
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/constants");
  const toggle = page.getByRole("button", { name: "Toggle dark mode" });
  await eventually(async () => assert.equal(await toggle.getAttribute("aria-pressed"), "false"));
  await toggle.click();
  assert.equal(await toggle.getAttribute("aria-pressed"), "true");
  await page.reload();
  await eventually(async () => assert.equal(await toggle.getAttribute("aria-pressed"), "true"));
});
