import assert from "node:assert/strict";
import { DatabaseUnavailableError, QueryTimeoutError } from "../db/connection.ts";
import { tempDatabase } from "../db/testing.ts";
import { assetUrl } from "../lib/assets.ts";
import { loadConfig } from "../lib/config.ts";
import { flushLog } from "../lib/log.ts";
import { WindowsIdentity } from "../lib/windows_identity.ts";
import { FakeWindows } from "../lib/windows_testing.ts";
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
    // Every answer carries them: an error page, a redirect and an asset too.
    for (const path of ["/no-such-page", "/", assetUrl("app.css")]) {
      const other = await t.get(path);
      assert.equal(other.headers.get("X-Frame-Options"), "DENY", path);
      assert.equal(other.headers.get("X-Content-Type-Options"), "nosniff", path);
      assert.match(other.headers.get("Content-Security-Policy")!, /frame-ancestors 'none'/, path);
      await other.body?.cancel();
    }
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

Deno.test("a form posted without JavaScript gets a page saying changes need it; nothing written", async () => {
  const t = await testApp();
  try {
    // What a browser sends for <form method="post"> when htmx is not running.
    const res = await t.app.request("http://localhost/constants", {
      method: "POST",
      body: new URLSearchParams({ name: "No script", value: "1" }),
      headers: { Origin: "http://localhost", "Sec-Fetch-Site": "same-origin" },
    });
    assert.equal(res.status, 403);
    const html = await res.text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /changes are sent by the page&#39;s JavaScript/);
    const [{ n }] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Constants WHERE name = 'No script'",
    );
    assert.equal(n, 0);
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
    // A failed lookup is 503, not 401: IIS adds a password prompt to every 401.
    const bad = await app.request("/constants", { headers: { "X-IIS-WindowsAuthToken": "bad" } });
    assert.equal(bad.status, 503);
    assert.match(await bad.text(), /error 6/);
    assert.equal((await app.request("/constants")).status, 401);
    assert.deepEqual(seen, ["3a4", "bad"]);
    // Every request's token is handed to the resolver (which closes it), assets too, and a 413
    // and a refused change (answered before any handler) too.
    for (const path of [assetUrl("app.css"), "/health/header", "/nowhere"]) {
      const res = await app.request(path, { headers: { "X-IIS-WindowsAuthToken": "5b0" } });
      assert.equal(res.status, path === "/nowhere" ? 404 : 200, path);
      await res.body?.cancel();
    }
    const big = await app.request("/constants", {
      method: "POST",
      body: new URLSearchParams({ name: "Big", value: "x".repeat(1024 * 1024) }),
      headers: { "X-IIS-WindowsAuthToken": "6c1", "HX-Request": "true" },
    });
    assert.equal(big.status, 413);
    await big.body?.cancel();
    const chunked = await app.request("/constants", {
      method: "POST",
      body: ReadableStream.from([new Uint8Array(700 * 1024), new Uint8Array(700 * 1024)]),
      headers: { "X-IIS-WindowsAuthToken": "6c2", "HX-Request": "true" },
    });
    assert.equal(chunked.status, 413);
    await chunked.body?.cancel();
    const forged = await app.request("/constants", {
      method: "POST",
      headers: { "X-IIS-WindowsAuthToken": "6c3", Origin: "http://evil.example" },
    });
    assert.equal(forged.status, 403);
    await forged.body?.cancel();
    assert.deepEqual(seen, ["3a4", "bad", "5b0", "5b0", "5b0", "6c1", "6c2", "6c3"]);

    // /healthz needs no login, and never takes the header as a token: where IIS lets anonymous
    // requests through, a client may send a forged handle value. Nor do the other spellings
    // that IIS's <location path="healthz"> covers.
    seen.length = 0;
    const anonymous = await app.request("/healthz");
    assert.equal(anonymous.status, 200);
    assert.equal((await anonymous.json()).status, "ok");
    const withHeader = await app.request("/healthz", {
      headers: { "X-IIS-WindowsAuthToken": "5b0" },
    });
    assert.equal(withHeader.status, 200);
    await withHeader.body?.cancel();
    for (const path of ["/HEALTHZ", "/healthz/", "/healthz/x", "/Healthz.", "//healthz"]) {
      const res = await app.request(path, { headers: { "X-IIS-WindowsAuthToken": "5b0" } });
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const post = await app.request("/healthz", {
      method: "POST",
      headers: { "X-IIS-WindowsAuthToken": "5b0", "HX-Request": "true" },
    });
    assert.equal(post.status, 404);
    await post.body?.cancel();
    assert.deepEqual(seen, []);
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

/** Runs `fn` with console.log and console.error captured; returns the lines they printed. */
async function captured(fn: () => Promise<void>): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  flushLog();
  const { log, error } = console;
  console.log = (...args: unknown[]) => out.push(...args.join(" ").split("\n"));
  console.error = (...args: unknown[]) => err.push(...args.join(" ").split("\n"));
  try {
    await fn();
    flushLog();
  } finally {
    console.log = log;
    console.error = error;
  }
  return { out, err };
}

Deno.test("a request cannot forge a log line: control characters never reach the log", async () => {
  const temp = await tempDatabase({ seed: true });
  try {
    const config = loadConfig({ OpenOrchestratorSQL: `sqlite:///${temp.path}` });
    const app = createApp({ db: temp.db, config, peerOf: () => "127.0.0.1", logRequests: true });
    const forged = "/x%0APOST%20/credentials/Portal%20login/reveal%20200%203.1ms%20KOMMUNE%5Cjdoe";
    const { out } = await captured(async () => {
      for (const path of [forged, "/x%0D%1B[2J%E2%80%A8%C2%85y", "/static/x/%0Aapp.css"]) {
        await (await app.request(`http://localhost${path}`)).body?.cancel();
      }
    });
    assert.equal(out.length, 3);
    for (const line of out) {
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, JSON.stringify(line));
      assert.match(line, /^GET \S+ 404 [\d.]+ms local$/, line);
    }
    assert.ok(out[0].startsWith("GET /x%0APOST%20/credentials/"), out[0]);
    // A failure is one line too, whatever the error's message holds.
    temp.db.query = () => Promise.reject(new Error("boom\nGET /credentials 200 1.0ms admin"));
    const { err } = await captured(async () => {
      assert.equal((await app.request("http://localhost/constants")).status, 500);
    });
    assert.equal(err.length, 1);
    assert.doesNotMatch(err[0], /\n/);
    assert.match(err[0], /^GET \/constants failed: Error: boom\\nGET \/credentials/);
  } finally {
    await temp.close();
  }
});

Deno.test("the small 500s: prototype names, a multipart body without boundary, a body cut short", async () => {
  const t = await testApp();
  try {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      const res = await t.get(`/static/x/${name}`);
      assert.equal(res.status, 404, name);
      await res.body?.cancel();
    }
    const multipart = await t.app.request("http://localhost/constants", {
      method: "POST",
      body: "name=Evil&value=x",
      headers: { "Content-Type": "multipart/form-data", "HX-Request": "true" },
    });
    assert.equal(multipart.status, 400);
    assert.match(await multipart.text(), /not a valid multipart\/form-data form/);
    const { out, err } = await captured(async () => {
      const cut = await t.app.request("http://localhost/constants", {
        method: "POST",
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("name=Evil&value="));
            controller.error(new Error("connection reset"));
          },
        }),
        headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" },
      });
      assert.equal(cut.status, 400);
      await cut.body?.cancel();
    });
    assert.deepEqual(err, [], "no stack trace");
    assert.deepEqual(out, ["POST /constants: the client stopped sending the body"]);
    const [{ n }] = await t.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM Constants WHERE name = 'Evil'",
    );
    assert.equal(n, 0);
  } finally {
    await t.close();
  }
});

Deno.test("header mode refuses a rebinding host name too, and takes OO_ORIGIN's host", async () => {
  const env = {
    OO_AUTH: "header",
    OO_AUTH_HEADER: "X-Remote-User",
    OO_ORIGIN: "https://rpa.example",
  };
  const t = await testApp({ env });
  try {
    const user = { "X-Remote-User": "alice" };
    const rebound = await t.app.request("http://rebind.attacker.example/constants", {
      method: "POST",
      body: new URLSearchParams({ name: "Evil", value: "x" }),
      headers: { ...user, "HX-Request": "true", Origin: "http://rebind.attacker.example" },
    });
    assert.equal(rebound.status, 403);
    assert.match(await rebound.text(), /Refused a request for rebind\.attacker\.example/);
    assert.equal(
      (await t.app.request("http://rpa.example/constants", { headers: user })).status,
      200,
    );
    assert.equal(
      (await t.app.request("http://127.0.0.1:8000/constants", { headers: user })).status,
      200,
    );
  } finally {
    await t.close();
  }
});

Deno.test({
  name: "iis mode against a fake advapi32: SIDs decide, a failed lookup is 503, tokens closed",
  ignore: Deno.permissions.querySync({ name: "ffi" }).state !== "granted",
  async fn() {
    const temp = await tempDatabase({ seed: true });
    try {
      const config = loadConfig({
        OpenOrchestratorSQL: `sqlite:///${temp.path}`,
        OO_AUTH: "iis",
        OO_ADMINS: "KOMMUNE\\RPA-Admins",
        OO_VIEWERS: "rpa-viewers",
      });
      const admins = "S-1-5-21-7-7-7-1601";
      const fake = new FakeWindows([
        { sid: "S-1-5-21-7-7-7-1104", domain: "KOMMUNE", name: "alice" },
        { sid: "S-1-5-21-7-7-7-1105", domain: "KOMMUNE", name: "bob" },
        { sid: admins, domain: "KOMMUNE", name: "RPA-Admins" },
        { sid: "S-1-5-21-7-7-7-1602", domain: "KOMMUNE", name: "RPA-Viewers" },
      ]);
      const open = () => {
        fake.tokens.set(0xa1n, {
          user: "S-1-5-21-7-7-7-1104",
          groups: [{ sid: admins, attributes: 7 }],
        });
        fake.tokens.set(0xb0n, {
          user: "S-1-5-21-7-7-7-1105",
          groups: [{ sid: "S-1-5-21-7-7-7-1602", attributes: 7 }],
        });
      };
      const windows = new WindowsIdentity(fake.api, { failureTtlMs: 0 });
      const app = createApp({
        peerOf: () => "127.0.0.1",
        db: temp.db,
        config,
        resolveToken: (header) => windows.resolveToken(header),
        resolveNames: (names) => windows.resolveNames(names),
      });
      const as = (token: string, init: RequestInit = {}) =>
        app.request("/constants", {
          ...init,
          headers: { "X-IIS-WindowsAuthToken": token, "HX-Request": "true" },
        });
      // The domain controller is away: 503, never a 401 that would prompt for a password.
      fake.lookupError = 1311;
      open();
      const away = await as("a1");
      assert.equal(away.status, 503);
      assert.equal(away.headers.get("WWW-Authenticate"), null);
      assert.match(await away.text(), /cannot be found: LookupAccountNameW failed with error 1311/);
      fake.lookupError = null;
      open();
      const alice = await as("a1", { method: "POST", body: new URLSearchParams({ name: "N" }) });
      assert.equal(alice.status, 422, "an admin by group SID (the form is incomplete)");
      await alice.body?.cancel();
      const bob = await as("b0", { method: "POST", body: new URLSearchParams({ name: "N" }) });
      assert.equal(bob.status, 403);
      assert.match(await bob.text(), /KOMMUNE\\bob may only read/);
      assert.deepEqual(fake.closed, [0xa1n, 0xa1n, 0xb0n]);
      assert.equal(
        fake.calls.LookupAccountNameW,
        3,
        "the policy names, once each after the failure",
      );
      assert.equal(fake.unfreed, 0);
    } finally {
      await temp.close();
    }
  },
});
