/**
 * Why crypto-js 3.x (which npm:fernet brings in) is kept: its advisories are about weak random
 * numbers (WordArray.random on Math.random) and PBKDF2's weak defaults, and this app calls
 * crypto-js only for AES-128-CBC with a key and IV it supplies and for HMAC-SHA256. These tests
 * fail if that ever stops being true. See the README ("Fernet and crypto-js").
 * @module
 */
import assert from "node:assert/strict";
import { DEMO_KEY } from "./config.ts";
import { decrypt, encrypt } from "./fernet.ts";

Deno.test("encrypting never reaches crypto-js's Math.random-based randomness", () => {
  const random = Math.random;
  let calls = 0;
  Math.random = () => {
    calls++;
    throw new Error("crypto-js WordArray.random (Math.random) was reached");
  };
  let tokens: string[];
  try {
    tokens = [encrypt(DEMO_KEY, "correct horse"), encrypt(DEMO_KEY, "correct horse")];
  } finally {
    Math.random = random;
  }
  assert.equal(calls, 0);
  // The IVs come from node:crypto: two tokens of one password differ.
  assert.notEqual(tokens[0], tokens[1]);
  for (const token of tokens) assert.equal(decrypt(DEMO_KEY, token), "correct horse");
});

Deno.test("fernet.ts uses crypto-js only through encryptMessage and createToken", async () => {
  const source = await Deno.readTextFile(new URL("./fernet.ts", import.meta.url));
  const used = new Set([...source.matchAll(/\blib\.(\w+)/g)].map((m) => m[1]));
  const allowed = ["Hex", "createToken", "encryptMessage"];
  assert.ok(used.size > 0 && [...used].every((name) => allowed.includes(name)), [...used].join());
});
