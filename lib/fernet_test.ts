import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createCipheriv, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import {
  decrypt,
  encrypt,
  FernetError,
  generateKey,
  isValidKey,
  keyFingerprint,
  madeWithKey,
  plaintextLengthRange,
} from "./fernet.ts";

type FernetErrorReason = FernetError["reason"];

interface GenerateVector {
  token: string;
  now: string;
  iv: number[];
  src: string;
  secret: string;
}

interface VerifyVector {
  token: string;
  now: string;
  ttl_sec: number;
  src: string;
  secret: string;
}

interface InvalidVector {
  desc: string;
  token: string;
  now: string;
  ttl_sec: number;
  secret: string;
}

/** The key the two develop-database tokens were made with (by Python's cryptography). */
const DB_KEY = "qn1eYnCNdbqYdXEY6u0tS1s3rkCsJfFS8k5XbzPYqK8=";
const SPEC_KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const URL_SAFE_PADDED = /^[A-Za-z0-9_-]+={0,2}$/;

function readSpec<T>(name: string): T[] {
  const url = new URL(`../testdata/fernet-spec/${name}`, import.meta.url);
  const vectors = JSON.parse(readFileSync(url, "utf8")) as T[];
  assert.ok(vectors.length > 0, `${name} holds no vectors`);
  return vectors;
}

function readDbTokens(): Map<string, string> {
  const url = new URL("../testdata/openorchestrator-develop.db", import.meta.url);
  const db = new DatabaseSync(url.pathname, { readOnly: true });
  try {
    const rows = db.prepare("SELECT name, password FROM Credentials").all() as {
      name: string;
      password: string;
    }[];
    return new Map(rows.map((row) => [row.name, row.password]));
  } finally {
    db.close();
  }
}

function dbToken(name: string): string {
  const token = readDbTokens().get(name);
  assert.ok(token, `no credential named ${name} in the develop database`);
  return token;
}

function assertFernetError(fn: () => unknown, reason: FernetErrorReason): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FernetError, `expected a FernetError, got ${error}`);
    assert.equal(error.reason, reason);
    assert.match(error.message, /^[A-Z][^:]*: \S/);
    return true;
  });
}

/** A token with a valid HMAC around arbitrary padded bytes, made independently of fernet.ts. */
function forgeToken(key: string, padded: Uint8Array): string {
  const raw = Buffer.from(key, "base64url");
  const cipher = createCipheriv("aes-128-cbc", raw.subarray(16), Buffer.alloc(16, 7));
  cipher.setAutoPadding(false);
  const signed = Buffer.concat([
    Buffer.from([0x80, 0, 0, 0, 0, 0x60, 0, 0, 0]),
    Buffer.alloc(16, 7),
    cipher.update(padded),
    cipher.final(),
  ]);
  const hmac = createHmac("sha256", raw.subarray(0, 16)).update(signed).digest();
  return tokenText(Buffer.concat([signed, hmac]));
}

/** Url-safe base64 with `=` padding, as Python's `urlsafe_b64encode` writes it. */
function tokenText(bytes: Buffer): string {
  return bytes.toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

Deno.test("encrypt reproduces every generate.json token byte for byte", () => {
  for (const v of readSpec<GenerateVector>("generate.json")) {
    const now = Date.parse(v.now) / 1000;
    const token = encrypt(v.secret, v.src, { now, iv: Uint8Array.from(v.iv) });
    assert.equal(token, v.token);
  }
});

Deno.test("encrypt uses the given IV, not just the spec's 0..15", () => {
  const iv = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
  const token = encrypt(SPEC_KEY, "hello", { now: 499162800, iv });
  assert.deepEqual(new Uint8Array(Buffer.from(token, "base64url").subarray(9, 25)), iv);
  assert.equal(decrypt(SPEC_KEY, token), "hello");
});

Deno.test("decrypt accepts every verify.json token", () => {
  for (const v of readSpec<VerifyVector>("verify.json")) {
    assert.equal(decrypt(v.secret, v.token), v.src);
    assert.ok(madeWithKey(v.secret, v.token));
  }
});

Deno.test("decrypt rejects every invalid.json token except the TTL-only ones", () => {
  // Expected outcome per `desc`. An unknown desc fails the test so that new vectors get a look.
  const expected: Record<string, FernetErrorReason | "accepted-no-ttl"> = {
    "incorrect mac": "wrong-key",
    "too short": "bad-token",
    "invalid base64": "bad-token",
    "payload size not multiple of block size": "bad-token",
    "payload padding error": "bad-token",
    "incorrect IV (causes padding error)": "bad-token",
    // These two are only invalid under a TTL check against `now`: their HMAC and padding are
    // fine. The Python side decrypts with no TTL (a stored password never expires), and so do
    // we, so they must decrypt.
    "far-future TS (unacceptable clock skew)": "accepted-no-ttl",
    "expired TTL": "accepted-no-ttl",
  };
  for (const v of readSpec<InvalidVector>("invalid.json")) {
    const outcome = expected[v.desc];
    assert.ok(outcome, `unexpected invalid.json case: ${v.desc}`);
    if (outcome === "accepted-no-ttl") {
      // Python's `Fernet(secret).decrypt(token)` (no TTL) returns b"" for both.
      assert.equal(decrypt(v.secret, v.token), "", v.desc);
      assert.ok(madeWithKey(v.secret, v.token), v.desc);
    } else {
      assertFernetError(() => decrypt(v.secret, v.token), outcome);
    }
  }
});

Deno.test("decrypt reads both tokens made by Python in the develop database", () => {
  assert.equal(decrypt(DB_KEY, dbToken("Portal login")), "S3cret! æøå");
  assert.equal(decrypt(DB_KEY, dbToken("Mail")), "");
  assert.ok(madeWithKey(DB_KEY, dbToken("Portal login")));
  assert.ok(madeWithKey(DB_KEY, dbToken("Mail")));
});

Deno.test("a wrong key or an altered token gives wrong-key", () => {
  const token = dbToken("Portal login");
  for (const key of [generateKey(), SPEC_KEY]) {
    assertFernetError(() => decrypt(key, token), "wrong-key");
    assert.equal(madeWithKey(key, token), false);
  }
  const bytes = Buffer.from(token, "base64url");
  for (const index of [1, 9, 30, bytes.length - 1]) {
    const altered = Buffer.from(bytes);
    altered[index] ^= 1;
    const alteredToken = tokenText(altered);
    assertFernetError(() => decrypt(DB_KEY, alteredToken), "wrong-key");
    assert.equal(madeWithKey(DB_KEY, alteredToken), false);
  }
});

Deno.test("malformed tokens give bad-token", () => {
  const good = encrypt(SPEC_KEY, "hello");
  const bytes = Buffer.from(good, "base64url");
  const malformed = [
    "",
    "gAAAAA",
    good.slice(0, -4), // drops HMAC bytes: the ciphertext is no longer whole blocks
    good.replace(/=+$/, ""), // padding is required, as in Python
    `${good.slice(0, 10)}é${good.slice(10)}`, // not ASCII: Python raises
    `${good.slice(0, 10)}A${good.slice(10)}`, // one data character too many
    tokenText(Buffer.from([0x00, ...bytes.subarray(1)])), // version byte
    tokenText(Buffer.from([0x81, ...bytes.subarray(1)])),
    tokenText(bytes.subarray(0, 57)), // no ciphertext block
  ];
  for (const token of malformed) {
    assertFernetError(() => decrypt(SPEC_KEY, token), "bad-token");
    assert.equal(madeWithKey(SPEC_KEY, token), false, token);
    assert.equal(plaintextLengthRange(token), null, token);
  }
  // Well-formed and correctly signed, but broken inside: found only after the HMAC check.
  const forged = [
    forgeToken(SPEC_KEY, new Uint8Array(16)), // padding byte 0
    forgeToken(SPEC_KEY, new Uint8Array(16).fill(17)), // padding byte above 16
    forgeToken(SPEC_KEY, Uint8Array.from([...new Uint8Array(13), 1, 3, 3])), // mixed padding
    forgeToken(SPEC_KEY, Uint8Array.from([0xff, 0xfe, ...new Uint8Array(14).fill(14)])), // UTF-8
  ];
  for (const token of forged) {
    assert.ok(madeWithKey(SPEC_KEY, token));
    assertFernetError(() => decrypt(SPEC_KEY, token), "bad-token");
  }
  assert.equal(decrypt(SPEC_KEY, forgeToken(SPEC_KEY, new Uint8Array(16).fill(16))), "");
});

Deno.test("round trip of UTF-8 text, with keys used alternately", () => {
  const keyA = generateKey();
  const keyB = generateKey();
  const texts = ["S3cret! æøå", "pässwörd 🔑🚀 你好", "", "x".repeat(1000), "ø".repeat(1000)];
  const tokens = texts.map((text, i) => encrypt(i % 2 === 0 ? keyA : keyB, text));
  tokens.forEach((token, i) => {
    const [own, other] = i % 2 === 0 ? [keyA, keyB] : [keyB, keyA];
    assert.equal(decrypt(own, token), texts[i]);
    assertFernetError(() => decrypt(other, token), "wrong-key");
  });
  assert.notEqual(encrypt(keyA, "same"), encrypt(keyA, "same"), "the IV must be random");
});

Deno.test("our tokens have the shape Python makes", () => {
  const key = generateKey();
  for (const text of ["", "S3cret! æøå", "exactly sixteen!", "🔑".repeat(40)]) {
    const before = Math.floor(Date.now() / 1000);
    const token = encrypt(key, text);
    const after = Math.floor(Date.now() / 1000);
    assert.ok(token.startsWith("gAAAAA"), token);
    assert.match(token, URL_SAFE_PADDED);
    assert.equal(token.length % 4, 0);
    const bytes = utf8Length(text);
    const blocks = Math.floor(bytes / 16) + 1;
    assert.equal(token.length, 4 * Math.ceil((57 + 16 * blocks) / 3));
    const range = plaintextLengthRange(token);
    assert.ok(
      range && range.min <= bytes && bytes <= range.max,
      `${bytes} in ${JSON.stringify(range)}`,
    );
    const time = Number(Buffer.from(token, "base64url").readBigUInt64BE(1));
    assert.ok(before <= time && time <= after);
  }
});

Deno.test("bad keys give bad-key", () => {
  const token = encrypt(SPEC_KEY, "hello");
  const badKeys = [
    "",
    "abc",
    SPEC_KEY.slice(0, -1), // no padding
    Buffer.alloc(31).toString("base64url") + "=",
    Buffer.alloc(33).toString("base64url"),
    `${SPEC_KEY.slice(0, 20)}ø${SPEC_KEY.slice(20)}`, // not ASCII
  ];
  for (const key of badKeys) {
    assert.equal(isValidKey(key), false, key);
    assertFernetError(() => encrypt(key, "hello"), "bad-key");
    assertFernetError(() => decrypt(key, token), "bad-key");
    assertFernetError(() => keyFingerprint(key), "bad-key");
    assertFernetError(() => madeWithKey(key, token), "bad-key");
  }
  assert.ok(isValidKey(SPEC_KEY));
  assert.ok(isValidKey(DB_KEY));
});

Deno.test("keys and tokens are read as leniently as Python's base64.urlsafe_b64decode", () => {
  const standard = (text: string) => text.replaceAll("-", "+").replaceAll("_", "/");
  let token = encrypt(SPEC_KEY, "hello");
  while (standard(token) === token) token = encrypt(SPEC_KEY, "hello"); // the IV is random
  assert.notEqual(standard(SPEC_KEY), SPEC_KEY);
  const keys = [
    standard(SPEC_KEY),
    ` ${SPEC_KEY}`,
    `${SPEC_KEY}\n`,
    `${SPEC_KEY.slice(0, 22)}\n${SPEC_KEY.slice(22)}`,
  ];
  for (const key of keys) {
    assert.ok(isValidKey(key), JSON.stringify(key));
    assert.equal(keyFingerprint(key), keyFingerprint(SPEC_KEY));
    assert.equal(decrypt(key, token), "hello");
  }
  const tokens = [
    standard(token),
    `${token.slice(0, 40)}\n${token.slice(40)}`,
    ` ${token} `,
    `${token}=`, // extra padding after a complete quad is ignored
    `${token}AAAA`, // so is data after the padding
  ];
  for (const t of tokens) {
    assert.equal(decrypt(SPEC_KEY, t), "hello", t);
    assert.ok(madeWithKey(SPEC_KEY, t));
  }
});

Deno.test("generateKey makes distinct keys in Python's format", () => {
  const a = generateKey();
  const b = generateKey();
  assert.notEqual(a, b);
  for (const key of [a, b]) {
    assert.equal(key.length, 44);
    assert.match(key, /^[A-Za-z0-9_-]{43}=$/);
    assert.ok(isValidKey(key));
    assert.equal(Buffer.from(key, "base64url").length, 32);
  }
});

Deno.test("keyFingerprint is stable and differs between keys", () => {
  // Pinned values: first 12 hex chars of sha256(urlsafe_b64decode(key)), computed in Python.
  assert.equal(keyFingerprint(DB_KEY), "392397c9c716");
  assert.equal(keyFingerprint(SPEC_KEY), "cbeb362f1fa6");
  assert.equal(keyFingerprint(DB_KEY), keyFingerprint(DB_KEY));
  const fresh = generateKey();
  assert.match(keyFingerprint(fresh), /^[0-9a-f]{12}$/);
  assert.notEqual(keyFingerprint(fresh), keyFingerprint(DB_KEY));
});

Deno.test("plaintextLengthRange brackets the real lengths of the database passwords", () => {
  const portal = plaintextLengthRange(dbToken("Portal login"));
  assert.deepEqual(portal, { min: 0, max: 15 });
  assert.ok(portal);
  assert.ok(portal.min <= utf8Length("S3cret! æøå") && utf8Length("S3cret! æøå") <= portal.max);
  assert.deepEqual(plaintextLengthRange(dbToken("Mail")), { min: 0, max: 15 });
  assert.deepEqual(plaintextLengthRange(encrypt(DB_KEY, "y".repeat(16))), { min: 16, max: 31 });
  assert.deepEqual(plaintextLengthRange(encrypt(DB_KEY, "y".repeat(40))), { min: 32, max: 47 });
});

Deno.test("plaintextLengthRange is null for malformed tokens", () => {
  const malformed = new Set([
    "too short",
    "invalid base64",
    "payload size not multiple of block size",
  ]);
  for (const v of readSpec<InvalidVector>("invalid.json")) {
    assert.equal(plaintextLengthRange(v.token) === null, malformed.has(v.desc), v.desc);
  }
  for (const token of ["", "not a token", "gAAAAA=="]) {
    assert.equal(plaintextLengthRange(token), null, token);
  }
});
