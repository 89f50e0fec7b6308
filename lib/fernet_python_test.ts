/**
 * Interoperability with the Python side's own Fernet: the `cryptography` package that
 * OpenOrchestrator uses. Runs when `python3` with `cryptography` is on the machine; skipped with a
 * printed line otherwise.
 * @module
 */
import assert from "node:assert/strict";
import { decrypt, encrypt, generateKey } from "./fernet.ts";

async function python(script: string, input: string): Promise<{ ok: boolean; out: string }> {
  try {
    const child = new Deno.Command("python3", {
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

const available = (await python("import cryptography.fernet", "")).ok;
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
