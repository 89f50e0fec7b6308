import assert from "node:assert/strict";
import { csvCell, csvLine, csvStream } from "./csv.ts";

Deno.test("cells are quoted as RFC 4180 says, only where needed", () => {
  assert.equal(csvCell("plain"), "plain");
  assert.equal(csvCell("a,b"), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell("two\nlines"), '"two\nlines"');
  assert.equal(csvCell("cr\rhere"), '"cr\rhere"');
  assert.equal(csvCell(null), "");
  assert.equal(csvCell(""), "");
  assert.equal(csvLine(["a", 1, null, "b,c"]), 'a,1,,"b,c"\r\n');
});

Deno.test("a text that could start a formula is prefixed so a spreadsheet shows it as text", () => {
  for (const text of ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) {
    assert.ok(csvCell(text).replace(/^"/, "").startsWith("'"), JSON.stringify(text));
  }
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell("a=b"), "a=b", "only the first character counts");
  assert.equal(csvCell(-5), "-5", "numbers are numbers");
});

Deno.test("the stream gives the header before reading any row, then one chunk per batch", async () => {
  let reads = 0;
  async function* batches() {
    for (const n of [1, 2]) {
      reads++;
      yield [{ n, text: `row ${n}` }];
    }
  }
  const reader = csvStream([
    { key: "n", label: "N", value: (r: { n: number }) => r.n },
    { key: "text", label: "Text", value: (r: { text: string }) => r.text },
    { key: "hidden", label: "Not exported" },
  ], batches()).getReader();
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  const first = await reader.read();
  assert.equal(decoder.decode(first.value), "\uFEFFN,Text\r\n");
  assert.equal(reads, 0, "no row read before the header went out");
  assert.equal(decoder.decode((await reader.read()).value), "1,row 1\r\n");
  assert.equal(reads, 1);
  await reader.cancel();
  assert.equal(reads, 1, "a cancelled export reads no more");
});
