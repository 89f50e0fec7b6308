import assert from "node:assert/strict";
import { DatabaseUnavailableError, QueryTimeoutError } from "../db/connection.ts";
import { tempDatabase } from "../db/testing.ts";
import { assetUrl } from "../lib/assets.ts";
import { loadConfig } from "../lib/config.ts";
import { createApp } from "./app.tsx";
import { testApp } from "./testing.ts";

Deno.test("pages carry a strict nonce CSP and every script tag has the nonce", async () => {
  const t = await testApp();
  try {
    const res = await t.get("/constants");
    const csp = res.headers.get("Content-Security-Policy")!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get("X-Frame-Options"), "DENY");
    assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
    const html = await res.text();
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 3);
    for (const tag of scripts) {
      assert.ok(tag.includes(`nonce="${nonce}"`), tag);
      assert.match(tag, /src="\/static\//, "no inline script");
    }
    assert.doesNotMatch(html, / on[a-z]+=/i, "no inline event handlers");
    assert.doesNotMatch(html, / style=/, "no inline styles (CSP)");
    const second = await t.get("/constants");
    assert.notEqual(
      /nonce-([^']+)/.exec(second.headers.get("Content-Security-Policy")!)?.[1],
      nonce,
    );
  } finally {
    await t.close();
  }
});

Deno.test("static assets are served from the npm packages with long-lived caching", async () => {
  const t = await testApp();
  try {
    const htmx = await t.get(assetUrl("htmx.min.js"));
    assert.equal(htmx.status, 200);
    assert.equal(htmx.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
    assert.match(await htmx.text(), /htmx/);
    const alpine = await t.get(assetUrl("alpine.min.js"));
    assert.match(alpine.headers.get("Content-Type")!, /javascript/);
    await alpine.body?.cancel();
    const stale = await t.get("/static/old/app.css");
    assert.equal(stale.headers.get("Cache-Control"), "no-cache");
    await stale.body?.cancel();
    assert.equal((await t.get("/static/x/nope.js")).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("unsafe requests without HX-Request or from another site are refused, nothing written", async () => {
  const t = await testApp();
  try {
    const attempts: Record<string, string>[] = [
      { "HX-Request": "" },
      { Origin: "http://evil.example" },
      { Origin: "null" },
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
    ];
    for (const headers of attempts) {
      const res = await t.post("/constants", { name: "Evil", value: "x" }, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      const del = await t.del("/constants/Portal%20URL", headers);
      assert.equal(del.status, 403, JSON.stringify(headers));
    }
    const [{ n }] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Constants WHERE name IN ('Evil', 'Portal URL')",
    );
    assert.equal(n, 1);
  } finally {
    await t.close();
  }
});

Deno.test("OO_ORIGIN sets the expected origin (behind IIS the scheme differs)", async () => {
  const t = await testApp({ env: { OO_ORIGIN: "https://rpa.example" } });
  try {
    const wrong = await t.post("/constants", { name: "A", value: "1" }, {
      Origin: "http://localhost",
    });
    assert.equal(wrong.status, 403);
    const right = await t.post("/constants", { name: "A", value: "1" }, {
      Origin: "https://rpa.example",
    });
    assert.equal(right.status, 201);
  } finally {
    await t.close();
  }
});

Deno.test("header mode: admins change, viewers read, others and strangers are refused", async () => {
  const env = {
    OO_AUTH: "header",
    OO_AUTH_HEADER: "X-Remote-User",
    OO_ADMINS: "KOMMUNE\\alice",
    OO_VIEWERS: "bob",
  };
  const t = await testApp({ env });
  try {
    const as = (user: string) => ({ "X-Remote-User": user });
    const page = await (await t.get("/constants", as("KOMMUNE\\bob"))).text();
    assert.match(page, /read-only/);
    assert.doesNotMatch(page, /New constant/);
    assert.doesNotMatch(page, /hx-delete/);
    assert.equal((await t.post("/constants", { name: "B", value: "1" }, as("bob"))).status, 403);
    assert.equal((await t.del("/constants/Portal%20URL", as("bob"))).status, 403);
    assert.equal((await t.get("/constants/new", as("bob"))).status, 403);
    assert.equal(
      (await t.post("/constants", { name: "A", value: "1" }, as("kommune\\ALICE"))).status,
      201,
    );
    assert.equal((await t.get("/constants", as("carol"))).status, 403);
    assert.equal((await t.get("/constants")).status, 401);
    const [audit] = await t.db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = 'OpenOrchestrator Web'",
    );
    assert.equal(audit.log_message, 'kommune\\ALICE created constant "A" = "1"');
  } finally {
    await t.close();
  }
  const remote = await testApp({ env, peer: "10.0.0.7" });
  try {
    assert.equal(
      (await remote.get("/constants", { "X-Remote-User": "KOMMUNE\\alice" })).status,
      403,
    );
  } finally {
    await remote.close();
  }
});

Deno.test("iis mode resolves the token through the injected resolver and fails closed", async () => {
  const temp = await tempDatabase({ seed: true });
  try {
    const config = loadConfig({
      OpenOrchestratorSQL: `sqlite:///${temp.path}`,
      OO_AUTH: "iis",
      OO_ADMINS: "rpa-admins",
    });
    const seen: string[] = [];
    const app = createApp({
      peerOf: () => "127.0.0.1",
      db: temp.db,
      config,
      resolveToken(header) {
        seen.push(header);
        if (header === "bad") throw new Error("Cannot resolve Windows identity: error 6");
        return { user: "KOMMUNE\\søren", groups: ["KOMMUNE\\RPA-Admins", "S-1-5-32-545"] };
      },
    });
    const ok = await app.request("/constants", { headers: { "X-IIS-WindowsAuthToken": "3a4" } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /KOMMUNE\\søren/);
    const bad = await app.request("/constants", { headers: { "X-IIS-WindowsAuthToken": "bad" } });
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /error 6/);
    assert.equal((await app.request("/constants")).status, 401);
    assert.deepEqual(seen, ["3a4", "bad"]);
    // Every request's token is handed to the resolver (which closes it), assets and health too.
    for (const path of [assetUrl("app.css"), "/healthz", "/health/header"]) {
      const res = await app.request(path, { headers: { "X-IIS-WindowsAuthToken": "5b0" } });
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
    assert.deepEqual(seen, ["3a4", "bad", "5b0", "5b0", "5b0"]);
  } finally {
    await temp.close();
  }
});

Deno.test("errors never show a stack trace; 404 has a page", async () => {
  const t = await testApp();
  try {
    const missing = await t.get("/nowhere");
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /There is no page at \/nowhere/);
    t.db.query = () => Promise.reject(new TypeError("boom at secret/path.ts:12"));
    const originalError = console.error;
    console.error = () => {};
    try {
      const res = await t.get("/constants");
      assert.equal(res.status, 500);
      const html = await res.text();
      assert.match(html, /could not finish this request/);
      assert.doesNotMatch(html, /boom|secret\/path|TypeError|\bat \S+:\d+/);
    } finally {
      console.error = originalError;
    }
  } finally {
    await t.close();
  }
});

Deno.test("a database outage gives a 503 banner, and the banner reloads the page on recovery", async () => {
  const t = await testApp();
  try {
    const query = t.db.query;
    t.db.query = () =>
      Promise.reject(new DatabaseUnavailableError("The database cannot be reached: gone"));
    const page = await t.get("/constants");
    assert.equal(page.status, 503);
    const html = await page.text();
    assert.match(html, /id="db-banner" class="banner banner-error"/);
    assert.match(html, /hx-trigger="every 5s"/);
    const fragment = await t.get("/constants", { "HX-Request": "true" });
    assert.equal(fragment.status, 503);
    assert.equal(fragment.headers.get("HX-Retarget"), "#db-banner");
    await fragment.body?.cancel();
    const health = await t.get("/healthz");
    assert.equal(health.status, 503);
    assert.equal((await health.json()).database.reachable, false);

    t.db.query = query;
    const banner = await t.get("/health/banner", { "HX-Request": "true" });
    assert.equal(banner.headers.get("HX-Refresh"), "true");
    assert.match(await banner.text(), /id="db-banner" hidden/);
    assert.equal((await t.get("/constants")).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("a slow query is a clear, retryable 504, not an outage banner", async () => {
  const t = await testApp();
  try {
    const query = t.db.query;
    t.db.query = () =>
      Promise.reject(
        new QueryTimeoutError("Cannot finish the query: the database did not answer within 30 s."),
      );
    const page = await t.get("/constants");
    assert.equal(page.status, 504);
    const html = await page.text();
    assert.match(html, /did not answer within 30 s/);
    assert.match(html, /id="db-banner" hidden/, "no outage banner");
    const fragment = await t.get("/constants", { "HX-Request": "true" });
    assert.equal(fragment.status, 504);
    assert.equal(fragment.headers.get("HX-Retarget"), null, "not swapped into the banner");
    await fragment.body?.cancel();
    t.db.query = query;
    assert.equal((await t.get("/healthz")).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("mode none serves loopback names only, so a rebinding page cannot reach it", async () => {
  const t = await testApp();
  try {
    const res = await t.app.request("http://evil.example:8000/credentials");
    assert.equal(res.status, 403);
    assert.match(await res.text(), /Refused a request for evil\.example/);
    const post = await t.app.request("http://evil.example:8000/constants", {
      method: "POST",
      body: new URLSearchParams({ name: "Evil", value: "x" }),
      headers: { "HX-Request": "true", Origin: "http://evil.example:8000" },
    });
    assert.equal(post.status, 403);
    assert.equal((await t.get("/constants")).status, 200);
  } finally {
    await t.close();
  }
});
