import assert from "node:assert/strict";
import { AuthError, authorize, identify, personKey } from "./auth.ts";

const facts = (peer: string | null, headers: Record<string, string> = {}, host = "localhost") => ({
  peer,
  host,
  header: (name: string) => headers[name],
});
const never = () => {
  throw new Error("not called");
};

Deno.test("none mode is the local user, for loopback names only (no DNS rebinding)", () => {
  const options = { header: "X-User", resolveToken: never, origin: null };
  assert.deepEqual(identify("none", facts(null), options), { user: "local", groups: [] });
  assert.equal(identify("none", facts(null, {}, "127.0.0.1"), options).user, "local");
  assert.throws(
    () => identify("none", facts("127.0.0.1", {}, "evil.example"), options),
    (e: AuthError) => e.status === 403 && /evil\.example/.test(e.message),
  );
});

Deno.test("header mode trusts the header only from a loopback peer", () => {
  const options = { header: "X-User", resolveToken: never, origin: null };
  assert.deepEqual(identify("header", facts("127.0.0.1", { "X-User": " alice " }), options), {
    user: "alice",
    groups: [],
  });
  for (const peer of ["10.1.1.1", null]) {
    assert.throws(
      () => identify("header", facts(peer, { "X-User": "alice" }), options),
      (e: AuthError) => e.status === 403,
    );
  }
  assert.throws(
    () => identify("header", facts("::1"), options),
    (e: AuthError) => e.status === 401,
  );
});

Deno.test("iis mode fails closed when the resolver fails or the token is missing", () => {
  const resolveToken = (token: string) => {
    if (token !== "3a4") throw new Error("Cannot resolve Windows identity: bad handle");
    return { user: "D\\u", groups: [] };
  };
  assert.equal(
    identify("iis", facts("127.0.0.1", { "X-IIS-WindowsAuthToken": "3a4" }), {
      header: "",
      resolveToken,
      origin: null,
    })
      .user,
    "D\\u",
  );
  assert.throws(
    () =>
      identify("iis", facts("127.0.0.1", { "X-IIS-WindowsAuthToken": "zz" }), {
        header: "",
        resolveToken,
        origin: null,
      }),
    (e: AuthError) => e.status === 503 && /bad handle/.test(e.message),
    "a failed lookup is not a missing login (IIS would prompt for a password on a 401)",
  );
  assert.throws(
    () => identify("iis", facts("127.0.0.1"), { header: "", resolveToken, origin: null }),
    (e: AuthError) => e.status === 401,
  );
  const token = { "X-IIS-WindowsAuthToken": "3a4" };
  for (const peer of ["10.0.0.5", null]) {
    assert.throws(
      () => identify("iis", facts(peer, token), { header: "", resolveToken, origin: null }),
      (e: AuthError) => e.status === 403,
      "only IIS on this machine may hand over a token",
    );
  }
});

Deno.test("every mode answers only to loopback names and OO_ORIGIN's host (no DNS rebinding)", () => {
  const resolved: string[] = [];
  const resolveToken = (token: string) => {
    resolved.push(token);
    return { user: "D\\u", groups: [] };
  };
  const headers = { "X-User": "alice", "X-IIS-WindowsAuthToken": "3a4" };
  for (const mode of ["none", "header", "iis"] as const) {
    for (const origin of [null, "https://rpa.example"]) {
      const options = { header: "X-User", resolveToken, origin };
      for (const host of ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"]) {
        assert.ok(identify(mode, facts("127.0.0.1", headers, host), options), `${mode} ${host}`);
      }
      if (origin) {
        assert.ok(identify(mode, facts("::1", headers, "RPA.example"), options), mode);
      }
      for (
        const host of [
          "rebind.attacker.example",
          "rpa.example.attacker.example",
          "127.0.0.1.nip.io",
        ]
      ) {
        assert.throws(
          () => identify(mode, facts("127.0.0.1", headers, host), options),
          (e: AuthError) => e.status === 403 && e.message.includes(`Refused a request for ${host}`),
          `${mode} ${host}`,
        );
      }
    }
  }
  assert.ok(
    resolved.length > 0 && resolved.every((t) => t === "3a4"),
    "iis closes the token first",
  );
});

Deno.test("policy: admins, viewers, bare group names match DOMAIN\\group, others refused", () => {
  const policy = { admins: ["rpa-admins", "kommune\\bob"], viewers: ["domain users"] };
  assert.equal(
    authorize({ user: "KOMMUNE\\alice", groups: ["KOMMUNE\\RPA-Admins"] }, policy).role,
    "admin",
  );
  assert.equal(authorize({ user: "KOMMUNE\\Bob", groups: [] }, policy).role, "admin");
  assert.equal(
    authorize({ user: "KOMMUNE\\carl", groups: ["KOMMUNE\\Domain Users"] }, policy).role,
    "viewer",
  );
  assert.throws(
    () => authorize({ user: "OTHER\\eve", groups: ["OTHER\\Guests"] }, policy),
    (e: AuthError) => e.status === 403,
  );
  assert.throws(
    () => authorize({ user: "x-rpa-admins", groups: [] }, policy),
    AuthError,
    "no partial-name match",
  );
});

Deno.test("policy: with no admins listed everyone is an admin except listed viewers", () => {
  assert.equal(
    authorize({ user: "anyone", groups: [] }, { admins: [], viewers: [] }).role,
    "admin",
  );
  assert.equal(
    authorize({ user: "ro", groups: [] }, { admins: [], viewers: ["ro"] }).role,
    "viewer",
  );
});

Deno.test("personKey is the person the policy sees, whatever the spelling", () => {
  for (
    const user of ["admins", "Admins", "d1\\admins", "D2\\ADMINS", " admins "]
  ) {
    assert.equal(personKey(user), "admins", user);
  }
  assert.notEqual(personKey("admins2"), personKey("admins"));
});
