import assert from "node:assert/strict";
import { formatWhitelist, parseWhitelist, whitelistNames } from "./whitelist.ts";

Deno.test("formatWhitelist writes exactly what Python's json.dumps writes", () => {
  // Each expected value was printed by Python 3: json.dumps(names).
  assert.equal(formatWhitelist([]), "[]");
  assert.equal(formatWhitelist(["a"]), '["a"]');
  assert.equal(formatWhitelist(["rpa-vm-01", "rpa-vm-02"]), '["rpa-vm-01", "rpa-vm-02"]');
  assert.equal(
    formatWhitelist(['æ"\\\n\x7f😀\t']),
    '["\\u00e6\\"\\\\\\n\\u007f\\ud83d\\ude00\\t"]',
  );
  assert.equal(formatWhitelist(["\x01"]), '["\\u0001"]');
});

Deno.test("parseWhitelist reads what both Python lines write", () => {
  assert.deepEqual(parseWhitelist("[]"), { names: [] });
  assert.deepEqual(parseWhitelist('["a", "b"]'), { names: ["a", "b"] });
  assert.deepEqual(parseWhitelist('["a","b"]'), { names: ["a", "b"] });
  assert.deepEqual(parseWhitelist("null"), { names: [] }, "2.0.x writes the text null");
  assert.deepEqual(parseWhitelist(null), { names: [] }, "the newer line writes NULL");
  assert.deepEqual(parseWhitelist('["\\u00e6"]'), { names: ["æ"] });
  for (const bad of ["a,b", "", "{}", "[1]", '"a"', "[", "true"]) {
    assert.deepEqual(parseWhitelist(bad), { names: [], invalid: bad }, bad);
  }
  const names = ["x", 'q"uote', "ø"];
  assert.deepEqual(parseWhitelist(formatWhitelist(names)).names, names, "round trip");
});

Deno.test("whitelistNames splits on commas and white space, drops blanks and repeats", () => {
  assert.deepEqual(whitelistNames([]), []);
  assert.deepEqual(whitelistNames(["", "  "]), []);
  assert.deepEqual(whitelistNames(["vm-1", "vm-2, vm-3", " vm-1 \n vm-4,,"]), [
    "vm-1",
    "vm-2",
    "vm-3",
    "vm-4",
  ]);
});
