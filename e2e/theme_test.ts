/** Dark mode in a real browser: the toggle flips the theme, and the choice survives a reload. */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, eventually } from "./browser.ts";

const theme = (page: Page) => page.locator("html").getAttribute("data-theme");
const stored = (page: Page) => page.evaluate(() => localStorage.getItem("oo-theme"));
// A string expression: these tests are type-checked without the DOM library.
const background = (page: Page) =>
  page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
const toggle = (page: Page) => page.getByRole("button", { name: "Toggle dark mode" });

const DARK_BG = "rgb(18, 22, 29)"; // --bg of the dark theme, #12161d

browserTest("theme: the toggle flips the theme and the choice survives a reload", async (t) => {
  const { page } = t;
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/constants");
  assert.equal(await theme(page), null);
  assert.equal(await stored(page), null);
  const light = await background(page);
  assert.notEqual(light, DARK_BG);

  await toggle(page).click();
  await eventually(async () => assert.equal(await theme(page), "dark"));
  assert.equal(await stored(page), "dark");
  assert.equal(await background(page), DARK_BG);

  await page.reload();
  assert.equal(await theme(page), "dark");
  assert.equal(await background(page), DARK_BG);

  // It still works after htmx swapped part of the page.
  await page.getByRole("link", { name: "New constant" }).click();
  await page.locator("#constant-form").waitFor();
  await toggle(page).click();
  await eventually(async () => assert.equal(await theme(page), "light"));
  assert.equal(await stored(page), "light");
  assert.equal(await background(page), light);

  // A stored "light" wins over a dark system preference.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.reload();
  assert.equal(await theme(page), "light");
  assert.equal(await background(page), light);
});

browserTest("theme: with no stored choice the first toggle leaves the system theme", async (t) => {
  const { page } = t;
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/credentials");
  assert.equal(await theme(page), null);
  assert.equal(await background(page), DARK_BG);
  await toggle(page).click();
  await eventually(async () => assert.equal(await theme(page), "light"));
  assert.equal(await stored(page), "light");
  assert.notEqual(await background(page), DARK_BG);
});
