/**
 * The `#editor` panel: opening it gives it its URL (a link to it opens it), Back and Escape close
 * it and put the list's URL back, a change that empties it does too, and the page of its own has a
 * heading and a Close that goes to the list.
 */
import assert from "node:assert/strict";
import { browserTest, eventually } from "./browser.ts";

browserTest("panels: each open panel has its URL; Escape and Back close it", async (t) => {
  const { page } = t;
  await page.goto("/triggers?type=SCHEDULED");
  const list = page.url();
  const detail = page.locator("#editor #trigger-detail");
  const opener = page.locator("#triggers-table").getByRole("link", { name: "Nightly invoices" });

  await opener.click();
  await detail.waitFor();
  assert.match(new URL(page.url()).pathname, /^\/triggers\/[^/]+$/);
  const panelUrl = page.url();
  await page.keyboard.press("Escape");
  await eventually(async () => {
    assert.equal(await detail.count(), 0);
    assert.equal(page.url(), list);
  });
  assert.equal(
    await page.evaluate("document.activeElement?.textContent?.trim()"),
    "Nightly invoices",
    "the focus is back on the link that opened it",
  );

  // Back closes it too.
  await opener.click();
  await detail.waitFor();
  await page.goBack();
  await eventually(async () => {
    assert.equal(page.url(), list);
    assert.equal(await detail.count(), 0);
  });
  assert.ok(await page.locator("#triggers-table").isVisible());

  // The edit form inside the detail has its URL; Escape closes it from inside a field.
  await opener.click();
  await detail.getByRole("link", { name: "Edit" }).click();
  await page.locator("#editor form#trigger-form").waitFor();
  assert.match(new URL(page.url()).pathname, /^\/triggers\/[^/]+\/edit$/);
  await page.locator("#trigger-trigger_name").focus();
  await page.keyboard.press("Escape");
  await eventually(async () => {
    assert.equal(await page.locator("#editor form").count(), 0);
    assert.equal(page.url(), list);
  });

  // The panel's URL opens the trigger on a page of its own, with a heading; Close goes to the list.
  await page.goto(panelUrl);
  assert.match((await page.locator("h1").textContent())!, /Nightly invoices/);
  await page.getByRole("button", { name: "Close" }).click();
  await page.waitForURL((url) => url.pathname === "/triggers");
  assert.ok(await page.locator("#triggers-table").isVisible());

  // So does its edit form: it answers in place, and Cancel goes to the list.
  t.allow(/status of 422 \(Unprocessable Entity\)/); // The 422 is the point.
  await page.goto(`${panelUrl}/edit`);
  await page.locator("#trigger-trigger_name").fill("");
  await page.evaluate(`document.getElementById("trigger-form").noValidate = true`);
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("#trigger-trigger_name-error").waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.waitForURL((url) => url.pathname === "/triggers");
});

browserTest("panels: a saved change closes the panel and puts the list's URL back", async (t) => {
  const { page } = t;
  await page.goto("/constants");
  await page.locator("#constants-table tbody tr", { hasText: "Max retries" })
    .getByRole("link", { name: "Edit" }).click();
  const form = page.locator("#editor form");
  await form.waitFor();
  assert.equal(new URL(page.url()).pathname, "/constants/Max%20retries/edit");
  await form.getByLabel("Value").fill("7");
  await form.getByRole("button", { name: "Save" }).click();
  await eventually(async () => {
    assert.equal(await form.count(), 0);
    assert.equal(new URL(page.url()).pathname, "/constants");
  });
});
