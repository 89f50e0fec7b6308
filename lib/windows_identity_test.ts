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
} from "./windows_identity.ts";

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

Deno.test("NameCache keeps names for a while, never errors, and starts over when full", () => {
  const cache = new NameCache(1000, 2);
  let calls = 0;
  const load = (name: string) => () => {
    calls++;
    return { name };
  };
  assert.deepEqual(cache.get("S-1-5-21-1", load("KOMMUNE\\Søren"), 0), { name: "KOMMUNE\\Søren" });
  assert.deepEqual(cache.get("S-1-5-21-1", load("changed"), 999), { name: "KOMMUNE\\Søren" });
  assert.equal(calls, 1);
  assert.deepEqual(cache.get("S-1-5-21-1", load("KOMMUNE\\Soren"), 1000), {
    name: "KOMMUNE\\Soren",
  });
  assert.equal(calls, 2, "expired after ttlMs");
  assert.deepEqual(cache.get("S-1-5-21-2", () => ({ error: 1332 }), 1000), { error: 1332 });
  assert.deepEqual(
    cache.get("S-1-5-21-2", load("Found"), 1001),
    { name: "Found" },
    "errors are not kept",
  );
  cache.get("S-1-5-21-3", load("Third"), 1002);
  assert.deepEqual(
    cache.get("S-1-5-21-1", load("Reloaded"), 1003),
    { name: "Reloaded" },
    "full: starts over",
  );
});
