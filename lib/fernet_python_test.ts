/**
 * Interoperability with the Python side's own Fernet: the `cryptography` package that
 * OpenOrchestrator uses. Runs when `python3` with `cryptography` is on the machine; skipped with a
 * printed line otherwise.
 * @module
 */
import assert from "node:assert/strict";
import { decrypt, encrypt, generateKey } from "./fernet.ts";

/** The first Python with `cryptography`: the one on PATH, or Debian's (`python3-cryptography`). */
const PYTHONS = ["python3", "/usr/bin/python3"];
let pythonCommand = PYTHONS[0];

async function python(script: string, input: string): Promise<{ ok: boolean; out: string }> {
  try {
    const child = new Deno.Command(pythonCommand, {
      args: ["-c", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
    const { success, stdout } = await child.output();
    return { ok: success, out: new TextDecoder().decode(stdout) };
  } catch {
    return { ok: false, out: "" };
  }
}

let available = false;
for (const candidate of PYTHONS) {
  pythonCommand = candidate;
  available = (await python("import cryptography.fernet", "")).ok;
  if (available) break;
}
if (!available) {
  console.log("fernet interop: skipped (no python3 with the cryptography package on this machine)");
}

const PLAINTEXTS = ["S3cret! æøå", "", "🔑 emoji", "x".repeat(600)];

Deno.test({
  name: "tokens we make decrypt in Python's cryptography, and Python's decrypt here",
  ignore: !available,
  async fn() {
    const key = generateKey();
    const ours = PLAINTEXTS.map((p) => encrypt(key, p));
    const decrypted = await python(
      `import sys, json
from cryptography.fernet import Fernet
data = json.load(sys.stdin)
f = Fernet(data["key"].encode())
print(json.dumps({
  "plain": [f.decrypt(t.encode()).decode() for t in data["tokens"]],
  "tokens": [f.encrypt(p.encode()).decode() for p in data["plain"]],
}))`,
      JSON.stringify({ key, tokens: ours, plain: PLAINTEXTS }),
    );
    assert.ok(decrypted.ok, "python3 ran");
    const result = JSON.parse(decrypted.out);
    assert.deepEqual(result.plain, PLAINTEXTS);
    assert.deepEqual(result.tokens.map((t: string) => decrypt(key, t)), PLAINTEXTS);
  },
});

Deno.test({
  name: "keys and tokens in other spellings: accepted here exactly where Python accepts them",
  ignore: !available,
  async fn() {
    const key = generateKey();
    let token = encrypt(key, "S3cret! æøå");
    const standard = (text: string) => text.replaceAll("-", "+").replaceAll("_", "/");
    while (standard(token) === token) token = encrypt(key, "S3cret! æøå");
    let otherKey = generateKey();
    while (standard(otherKey) === otherKey) otherKey = generateKey();
    const keys = [
      key,
      standard(key),
      ` ${key}\n`,
      `${key.slice(0, 20)}\r\n${key.slice(20)}`,
      key.slice(0, -1), // no padding
      `${key}=`,
      `${key.slice(0, 20)}é${key.slice(20)}`,
      key.slice(4), // 29 bytes
    ];
    const tokens = [
      token,
      standard(token),
      `${token.slice(0, 50)}\n${token.slice(50)}`,
      ` ${token}\t`,
      token.replace(/=+$/, ""), // no padding
      `${token}==`,
      `${token}AAAA`,
      `${token.slice(0, 30)}!${token.slice(30)}`,
      `${token.slice(0, 30)}ø${token.slice(30)}`,
      `${token.slice(0, 30)}A${token.slice(30)}`, // one data character too many
      token.slice(0, -8),
      encrypt(otherKey, "other"),
      standard(encrypt(otherKey, "other")),
    ];
    const pairs = [
      ...keys.map((k) => [k, token]),
      ...tokens.map((t) => [key, t]),
    ];
    const result = await python(
      `import sys, json
from cryptography.fernet import Fernet
out = []
for k, t in json.load(sys.stdin):
    try:
        out.append(Fernet(k).decrypt(t).decode())
    except Exception:
        out.append(None)
print(json.dumps(out))`,
      JSON.stringify(pairs),
    );
    assert.ok(result.ok, "python3 ran");
    const theirs: (string | null)[] = JSON.parse(result.out);
    const ours = pairs.map(([k, t]) => {
      try {
        return decrypt(k, t);
      } catch {
        return null;
      }
    });
    assert.deepEqual(ours, theirs);
    // Both kinds are in the table: some spellings accepted, some refused.
    assert.ok(theirs.filter((p) => p === "S3cret! æøå").length >= 8);
    assert.ok(theirs.filter((p) => p === null).length >= 6);
  },
});
