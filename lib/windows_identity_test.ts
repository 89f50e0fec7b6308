import assert from "node:assert/strict";
import {
  accountName,
  decodeUtf16,
  isUsableGroup,
  NameCache,
  parseTokenHandle,
  readGroupEntries,
  readTokenUserSid,
  resolveWindowsToken,
  wideStringAt,
  WindowsIdentity,
} from "./windows_identity.ts";
import { FakeWindows } from "./windows_testing.ts";

const BAD_HEADER = "Cannot resolve Windows identity: X-IIS-WindowsAuthToken is not a hex handle";

/** Encodes a string as UTF-16LE, with `extra` trailing zero code units. */
function utf16le(text: string, extra = 0): Uint8Array {
  const buf = new Uint8Array((text.length + extra) * 2);
  const view = new DataView(buf.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return buf;
}

/** Builds a 64-bit TOKEN_GROUPS buffer: count, padding, 16-byte entries. */
function tokenGroups(entries: { sidPtr: bigint; attributes: number }[]): Uint8Array {
  const buf = new Uint8Array(8 + entries.length * 16);
  const view = new DataView(buf.buffer);
  view.setUint32(0, entries.length, true);
  view.setUint32(4, 0xdeadbeef, true); // padding must be ignored
  entries.forEach((entry, i) => {
    view.setBigUint64(8 + i * 16, entry.sidPtr, true);
    view.setUint32(8 + i * 16 + 8, entry.attributes, true);
    view.setUint32(8 + i * 16 + 12, 0xdeadbeef, true); // padding must be ignored
  });
  return buf;
}

Deno.test("parseTokenHandle accepts 1-16 hex digits, optionally 0x-prefixed", () => {
  const cases: [string, bigint][] = [
    ["3a4", 0x3a4n],
    ["3A4", 0x3a4n],
    ["0x3a4", 0x3a4n],
    ["0X3A4", 0x3a4n],
    ["1", 1n],
    ["0001", 1n],
    ["1e3", 0x1e3n],
    ["7fffffff", 0x7fffffffn],
    ["ffffffffffffffff", 0xffffffffffffffffn],
    ["0xffffffffffffffff", 0xffffffffffffffffn],
    ["0000000000000001", 1n],
  ];
  for (const [header, expected] of cases) {
    assert.equal(parseTokenHandle(header), expected, header);
  }
});

Deno.test("parseTokenHandle rejects anything else", () => {
  const cases = [
    "",
    "0",
    "00",
    "0x",
    "0x0",
    "0000000000000000",
    "x3a4",
    "0x0x3a4",
    " 3a4",
    "3a4 ",
    "3a4\n",
    "-1",
    "+1",
    "3g4",
    "3a4h",
    "1_000",
    "3a4;5",
    "12345678901234567",
    "0x12345678901234567",
    "\uff11", // fullwidth digit one
    "\u0661", // Arabic-Indic digit one
  ];
  for (const header of cases) {
    assert.throws(() => parseTokenHandle(header), { message: BAD_HEADER }, JSON.stringify(header));
  }
});

Deno.test("decodeUtf16 decodes non-ASCII names and stops at the count", () => {
  // "Sø" written out byte by byte, so the test does not rely on its own encoder.
  assert.equal(decodeUtf16(new Uint8Array([0x53, 0x00, 0xf8, 0x00]), 2), "Sø");
  // A 256-character buffer as given to LookupAccountSidW, mostly unused.
  assert.equal(decodeUtf16(utf16le("KOMMUNE\\Søren", 243), 13), "KOMMUNE\\Søren");
  assert.equal(decodeUtf16(utf16le("Æblegrød"), 8), "Æblegrød");
  assert.equal(decodeUtf16(utf16le("Søren"), 3), "Sør");
  // A surrogate pair is two code units.
  assert.equal(decodeUtf16(new Uint8Array([0x3d, 0xd8, 0x00, 0xde]), 2), "😀");
  assert.equal(decodeUtf16(new Uint8Array(0), 0), "");
  // Honours the view's offset into a larger buffer.
  const whole = utf16le("xxSøren");
  assert.equal(decodeUtf16(whole.subarray(4), 5), "Søren");
});

Deno.test("decodeUtf16 rejects counts that do not fit", () => {
  assert.throws(() => decodeUtf16(utf16le("Søren"), 6), /do not fit in 10 bytes/);
  assert.throws(() => decodeUtf16(utf16le("Søren"), -1), /Cannot resolve Windows identity/);
  assert.throws(() => decodeUtf16(utf16le("Søren"), 1.5), /Cannot resolve Windows identity/);
});

Deno.test("readGroupEntries reads a TOKEN_GROUPS buffer", () => {
  const buf = tokenGroups([
    { sidPtr: 0x0000_01f2_3456_7890n, attributes: 0x7 }, // mandatory, enabled
    { sidPtr: 0x0000_01f2_3456_78a0n, attributes: 0xc0000007 }, // logon SID
    { sidPtr: 0xffff_ffff_ffff_fff0n, attributes: 0x3 }, // mandatory, not enabled
  ]);
  assert.deepEqual(readGroupEntries(buf), [
    { sidPtr: 0x0000_01f2_3456_7890n, attributes: 0x7 },
    { sidPtr: 0x0000_01f2_3456_78a0n, attributes: 0xc0000007 },
    { sidPtr: 0xffff_ffff_ffff_fff0n, attributes: 0x3 },
  ]);
  const usable = readGroupEntries(buf).filter((entry) => isUsableGroup(entry.attributes));
  assert.deepEqual(usable, [{ sidPtr: 0x0000_01f2_3456_7890n, attributes: 0x7 }]);
});

Deno.test("readGroupEntries honours the view's offset and accepts trailing SID bytes", () => {
  const groups = tokenGroups([{ sidPtr: 0x1234n, attributes: 0x4 }]);
  const whole = new Uint8Array(8 + groups.length + 28);
  whole.set(groups, 8);
  assert.deepEqual(readGroupEntries(whole.subarray(8)), [{ sidPtr: 0x1234n, attributes: 0x4 }]);
  assert.deepEqual(readGroupEntries(tokenGroups([])), []);
});

Deno.test("readGroupEntries rejects a buffer shorter than its GroupCount", () => {
  const buf = tokenGroups([{ sidPtr: 1n, attributes: 4 }, { sidPtr: 2n, attributes: 4 }]);
  assert.throws(() => readGroupEntries(buf.subarray(0, buf.length - 1)), /says 2 groups/);
  assert.throws(() => readGroupEntries(new Uint8Array(4)), /too short/);
});

Deno.test("isUsableGroup keeps enabled groups only", () => {
  assert.equal(isUsableGroup(0x4), true); // SE_GROUP_ENABLED
  assert.equal(isUsableGroup(0x7), true); // + mandatory, enabled by default
  assert.equal(isUsableGroup(0x20000007), true); // + SE_GROUP_RESOURCE
  assert.equal(isUsableGroup(0xe), true); // + owner
  assert.equal(isUsableGroup(0x0), false);
  assert.equal(isUsableGroup(0x3), false); // mandatory, enabled by default, but disabled
  assert.equal(isUsableGroup(0x14), false); // deny-only
  assert.equal(isUsableGroup(0xc0000007), false); // logon SID
  assert.equal(isUsableGroup(0xc0000004), false); // logon SID
  assert.equal(isUsableGroup(0x80000004), true); // only half of the logon bits
  assert.equal(isUsableGroup(0x40000004), true); // only half of the logon bits
});

Deno.test("readTokenUserSid reads the SID address of TOKEN_USER", () => {
  const whole = new Uint8Array(8 + 16 + 28);
  const view = new DataView(whole.buffer);
  view.setBigUint64(8, 0x0000_01f2_3456_7800n, true);
  view.setUint32(16, 0, true);
  assert.equal(readTokenUserSid(whole.subarray(8)), 0x0000_01f2_3456_7800n);
  assert.throws(() => readTokenUserSid(whole.subarray(8, 23)), /too short/);
  assert.throws(() => readTokenUserSid(new Uint8Array(44)), /no SID/);
});

Deno.test("accountName joins domain and name", () => {
  assert.equal(accountName("KOMMUNE", "Søren"), "KOMMUNE\\Søren");
  assert.equal(accountName("", "Everyone"), "Everyone");
});

Deno.test({
  name: "resolveWindowsToken refuses to run outside Windows",
  ignore: Deno.build.os === "windows",
  fn() {
    const message = "Cannot resolve Windows identity: the iis mode only works on Windows";
    assert.throws(() => resolveWindowsToken("3a4"), { message });
    assert.throws(() => resolveWindowsToken("not hex"), { message });
  },
});

Deno.test({
  name: "wideStringAt reads a null-terminated UTF-16 string from memory",
  ignore: Deno.permissions.querySync({ name: "ffi" }).state !== "granted",
  fn() {
    const sid = utf16le("S-1-5-21-1004336348-1177238915-682003330-512", 1);
    const pointer = Deno.UnsafePointer.of(sid);
    assert.ok(pointer);
    assert.equal(wideStringAt(pointer, 512), "S-1-5-21-1004336348-1177238915-682003330-512");
    assert.equal(wideStringAt(pointer, 44), "S-1-5-21-1004336348-1177238915-682003330-512");
    assert.throws(() => wideStringAt(pointer, 43), /too long/);
    const name = utf16le("KOMMUNE\\Søren", 1);
    assert.equal(wideStringAt(Deno.UnsafePointer.of(name)!, 512), "KOMMUNE\\Søren");
  },
});

Deno.test("NameCache keeps answers for ttlMs, failures for failureTtlMs, and starts over when full", () => {
  let now = 0;
  const cache = new NameCache(1000, 2, 100, () => now);
  let calls = 0;
  const load = (value: string) => () => {
    calls++;
    return { value };
  };
  assert.deepEqual(cache.get("S-1-5-21-1", load("KOMMUNE\\Søren")), { value: "KOMMUNE\\Søren" });
  now = 999;
  assert.deepEqual(cache.get("S-1-5-21-1", load("changed")), { value: "KOMMUNE\\Søren" });
  assert.equal(calls, 1);
  now = 1000;
  assert.deepEqual(cache.get("S-1-5-21-1", load("KOMMUNE\\Soren")), { value: "KOMMUNE\\Soren" });
  assert.equal(calls, 2, "expired after ttlMs");
  assert.deepEqual(cache.get("S-1-5-21-2", () => ({ error: 1332 })), { error: 1332 });
  now = 1099;
  assert.deepEqual(cache.get("S-1-5-21-2", load("Found")), { error: 1332 }, "a failure is kept");
  assert.equal(calls, 2);
  now = 1100;
  assert.deepEqual(cache.get("S-1-5-21-2", load("Found")), { value: "Found" }, "for a while");
  cache.get("S-1-5-21-3", load("Third"));
  assert.deepEqual(cache.get("S-1-5-21-1", load("Reloaded")), { value: "Reloaded" }, "full");
});

const HAS_FFI = Deno.permissions.querySync({ name: "ffi" }).state === "granted";

const ALICE = {
  sid: "S-1-5-21-1004336348-1177238915-682003330-1104",
  domain: "KOMMUNE",
  name: "alice",
};
const ADMINS = {
  sid: "S-1-5-21-1004336348-1177238915-682003330-1601",
  domain: "KOMMUNE",
  name: "RPA-Admins",
};
const VIEWERS = {
  sid: "S-1-5-21-1004336348-1177238915-682003330-1602",
  domain: "KOMMUNE",
  name: "RPA-Viewers",
};
const USERS = "S-1-5-32-545";

/** A fake directory with alice's token open as handle 0x3a4. */
function fakeWindows(): FakeWindows {
  const fake = new FakeWindows([ALICE, ADMINS, VIEWERS]);
  fake.tokens.set(0x3a4n, {
    user: ALICE.sid,
    groups: [
      { sid: ADMINS.sid, attributes: 0x7 }, // enabled
      { sid: USERS, attributes: 0x7 },
      { sid: VIEWERS.sid, attributes: 0x3 }, // not enabled
      { sid: "S-1-5-5-0-99999", attributes: 0xc0000007 }, // logon SID
      { sid: "S-1-5-32-544", attributes: 0x10 }, // deny-only
    ],
  });
  return fake;
}

Deno.test({
  name:
    "resolveToken reads the user and enabled group SIDs, closes the token once, frees every string",
  ignore: !HAS_FFI,
  fn() {
    const fake = fakeWindows();
    const windows = new WindowsIdentity(fake.api);
    assert.deepEqual(windows.resolveToken("3a4"), {
      user: "KOMMUNE\\alice",
      groups: [ALICE.sid, ADMINS.sid, USERS],
    });
    assert.deepEqual(fake.closed, [0x3a4n]);
    assert.deepEqual(fake.badCloses, []);
    assert.equal(fake.unfreed, 0);
    assert.deepEqual(fake.badFrees, []);
    // Groups are compared by SID: only the user's name is looked up.
    assert.equal(fake.calls.LookupAccountSidW, 1);
    assert.equal(fake.calls.LookupAccountNameW, undefined);
  },
});

Deno.test({
  name: "a value that is not a token handle is never closed (a forged header)",
  ignore: !HAS_FFI,
  fn() {
    const fake = fakeWindows();
    const windows = new WindowsIdentity(fake.api);
    assert.throws(() => windows.resolveToken("5b0"), /GetTokenInformation failed with error 6/);
    assert.equal(fake.calls.CloseHandle, undefined);
    // A token that fails half-way (its groups cannot be read) is still closed, once.
    fake.tokens.set(0x5b0n, { user: ALICE.sid, groups: [{ sid: "S-9-1", attributes: 4 }] });
    assert.throws(
      () => windows.resolveToken("5b0"),
      /ConvertSidToStringSidW failed with error 1337/,
    );
    assert.deepEqual(fake.closed, [0x5b0n]);
    assert.equal(fake.unfreed, 0);
  },
});

Deno.test({
  name:
    "the user's name: looked up once, long names retried with the size asked for, SID when it fails",
  ignore: !HAS_FFI,
  fn() {
    let now = 0;
    const fake = fakeWindows();
    const windows = new WindowsIdentity(fake.api, {
      nameTtlMs: 1000,
      failureTtlMs: 100,
      now: () => now,
    });
    const open = () => fake.tokens.set(0x3a4n, fakeWindows().tokens.get(0x3a4n)!);
    windows.resolveToken("3a4");
    open();
    windows.resolveToken("3a4");
    assert.equal(fake.calls.LookupAccountSidW, 1, "kept");
    // A domain controller that does not answer: the SID stands in for the name, and is kept.
    now = 1000;
    fake.lookupError = 1789;
    open();
    assert.equal(windows.resolveToken("3a4").user, ALICE.sid);
    open();
    assert.equal(windows.resolveToken("3a4").user, ALICE.sid);
    assert.equal(fake.calls.LookupAccountSidW, 2, "a failure is kept too");
    now = 1100;
    fake.lookupError = null;
    fake.accounts[0] = { ...ALICE, name: "a".repeat(300) };
    open();
    assert.equal(windows.resolveToken("3a4").user, `KOMMUNE\\${"a".repeat(300)}`);
    assert.equal(fake.calls.LookupAccountSidW, 4, "retried once with the size it asked for");
    assert.deepEqual(fake.badCloses, []);
    assert.equal(fake.unfreed, 0);
  },
});

Deno.test({
  name: "resolveNames finds the SIDs of OO_ADMINS once, and keeps a failure briefly",
  ignore: !HAS_FFI,
  fn() {
    let now = 0;
    const fake = fakeWindows();
    const windows = new WindowsIdentity(fake.api, { failureTtlMs: 100, now: () => now });
    fake.lookupError = 1311; // ERROR_NO_LOGON_SERVERS
    assert.throws(
      () => windows.resolveNames(["kommune\\rpa-admins"]),
      /the account kommune\\rpa-admins \(OO_ADMINS or OO_VIEWERS\) cannot be found: LookupAccountNameW failed with error 1311/,
    );
    assert.throws(() => windows.resolveNames(["kommune\\rpa-admins"]), /error 1311/);
    assert.equal(fake.calls.LookupAccountNameW, 1, "not asked again at once");
    now = 100;
    fake.lookupError = null;
    assert.deepEqual(
      windows.resolveNames(["kommune\\rpa-admins", "rpa-viewers", "s-1-5-32-544"]),
      [ADMINS.sid, VIEWERS.sid, "S-1-5-32-544"],
    );
    now = 10_000_000;
    assert.deepEqual(windows.resolveNames(["kommune\\rpa-admins"]), [ADMINS.sid]);
    assert.equal(fake.calls.LookupAccountNameW, 3, "each name once, then kept");
    assert.throws(() => windows.resolveNames(["nobody"]), /error 1332/);
    assert.equal(fake.unfreed, 0);
  },
});

Deno.test({
  name: "resolveNames retries with the SID and domain sizes LookupAccountNameW asks for",
  ignore: !HAS_FFI,
  fn() {
    const longDomain = { ...ADMINS, domain: "D".repeat(300) };
    const fake = new FakeWindows([longDomain]);
    const windows = new WindowsIdentity(fake.api);
    assert.deepEqual(windows.resolveNames([`${"d".repeat(300)}\\rpa-admins`]), [ADMINS.sid]);
    assert.equal(fake.calls.LookupAccountNameW, 2);
  },
});
