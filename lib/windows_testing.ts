/**
 * A fake advapi32/kernel32 for the tests of `windows_identity.ts`: it behaves as Microsoft
 * documents GetTokenInformation, LookupAccountSidW, LookupAccountNameW, ConvertSidToStringSidW,
 * LocalFree and CloseHandle (sizes asked for with ERROR_INSUFFICIENT_BUFFER, counts without the
 * terminating null on success, SIDs that point into the returned buffer, strings to LocalFree),
 * and records what the code under test did with it. Needs `--allow-ffi` (real addresses).
 * @module
 */
import type { WinApi } from "./windows_identity.ts";

/** An account the fake directory knows. */
export type FakeAccount = { sid: string; domain: string; name: string };

/** A token: its user's SID and its groups' SIDs with their SE_GROUP_* attributes. */
export type FakeToken = { user: string; groups: { sid: string; attributes: number }[] };

const ERROR_INVALID_HANDLE = 6;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_NONE_MAPPED = 1332;
const ERROR_INVALID_SID = 1337;

/** The binary form of a SID string such as "S-1-5-21-1-2-3-1104". */
function sidBytes(text: string): Uint8Array {
  const [, revision, authority, ...subs] = text.split("-");
  const buf = new Uint8Array(8 + subs.length * 4);
  const view = new DataView(buf.buffer);
  buf[0] = Number(revision);
  buf[1] = subs.length;
  // The identifier authority is 6 bytes, big-endian.
  view.setUint16(2, 0);
  view.setUint32(4, Number(authority));
  subs.forEach((sub, i) => view.setUint32(8 + i * 4, Number(sub), true));
  return buf;
}

/** The string form of the SID at the start of `bytes`, or null when it is not one. */
function sidText(bytes: Uint8Array): string | null {
  if (bytes.byteLength < 8 || bytes[0] !== 1 || bytes[1] > 15) return null;
  const count = bytes[1];
  if (bytes.byteLength < 8 + count * 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const subs = Array.from({ length: count }, (_, i) => view.getUint32(8 + i * 4, true));
  return ["S", 1, view.getUint32(4), ...subs].join("-");
}

/** A byte view of a "buffer" argument; anything else (a bare pointer) is a bug in the caller. */
function bytesOf(arg: unknown, what: string): Uint8Array {
  if (!ArrayBuffer.isView(arg)) throw new TypeError(`${what} must be passed as a buffer`);
  return new Uint8Array(arg.buffer, arg.byteOffset, arg.byteLength);
}

function dwords(arg: unknown, what: string): DataView {
  const bytes = bytesOf(arg, what);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeUtf16(target: Uint8Array, text: string): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  view.setUint16(text.length * 2, 0, true);
}

function readUtf16z(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = "";
  for (let i = 0; view.getUint16(i * 2, true) !== 0; i++) {
    text += String.fromCharCode(view.getUint16(i * 2, true));
  }
  return text;
}

function addressOf(bytes: Uint8Array): bigint {
  return Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes));
}

/** The fake library and what was done with it. */
export class FakeWindows {
  /** Open token handles. */
  readonly tokens = new Map<bigint, FakeToken>();
  /** Handles closed, in order (a second close of one handle fails and is in `badCloses`). */
  readonly closed: bigint[] = [];
  readonly badCloses: bigint[] = [];
  /** LocalFree calls on addresses this library never handed out, or handed out and freed. */
  readonly badFrees: bigint[] = [];
  /** How often each function was called. */
  readonly calls: Record<string, number> = {};
  /** When set, the lookups fail with this error (a domain controller that does not answer). */
  lookupError: number | null = null;
  #strings = new Map<bigint, Uint8Array>();
  #lastError = 0;

  /** @param accounts the directory the lookups search */
  constructor(readonly accounts: FakeAccount[]) {}

  /** Strings from ConvertSidToStringSidW not yet given back with LocalFree. */
  get unfreed(): number {
    return this.#strings.size;
  }

  #count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  #fail(error: number): number {
    this.#lastError = error;
    return 0;
  }

  /** The fake as the resolver sees a `Deno.dlopen` library. */
  get api(): WinApi {
    return {
      GetTokenInformation: (handle, infoClass, buf, length, returnLength) => {
        this.#count("GetTokenInformation");
        const token = this.tokens.get(Deno.UnsafePointer.value(handle));
        if (!token) return this.#fail(ERROR_INVALID_HANDLE);
        const entries = infoClass === 1 ? [{ sid: token.user, attributes: 0 }] : token.groups;
        const head = infoClass === 1 ? 0 : 8;
        const sids = entries.map((e) => sidBytes(e.sid));
        const size = head + entries.length * 16 + sids.reduce((n, s) => n + s.byteLength, 0);
        dwords(returnLength, "ReturnLength").setUint32(0, size, true);
        if (buf === null || length < size) return this.#fail(ERROR_INSUFFICIENT_BUFFER);
        const out = bytesOf(buf, "TokenInformation");
        const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
        if (head) view.setUint32(0, entries.length, true);
        let sidAt = head + entries.length * 16;
        entries.forEach((entry, i) => {
          view.setBigUint64(head + i * 16, addressOf(out) + BigInt(sidAt), true);
          view.setUint32(head + i * 16 + 8, entry.attributes, true);
          out.set(sids[i], sidAt);
          sidAt += sids[i].byteLength;
        });
        return 1;
      },
      ConvertSidToStringSidW: (sid, stringSid) => {
        this.#count("ConvertSidToStringSidW");
        const text = sidText(bytesOf(sid, "Sid"));
        if (text === null) return this.#fail(ERROR_INVALID_SID);
        const str = new Uint8Array((text.length + 1) * 2);
        writeUtf16(str, text);
        this.#strings.set(addressOf(str), str);
        dwords(stringSid, "StringSid").setBigUint64(0, addressOf(str), true);
        return 1;
      },
      LookupAccountSidW: (_system, sid, name, cchName, domain, cchDomain, use) => {
        this.#count("LookupAccountSidW");
        if (this.lookupError !== null) return this.#fail(this.lookupError);
        const text = sidText(bytesOf(sid, "Sid"));
        if (text === null) return this.#fail(ERROR_INVALID_SID);
        const found = this.accounts.find((a) => a.sid === text);
        if (!found) return this.#fail(ERROR_NONE_MAPPED);
        const nameCount = dwords(cchName, "cchName");
        const domainCount = dwords(cchDomain, "cchReferencedDomainName");
        if (
          nameCount.getUint32(0, true) < found.name.length + 1 ||
          domainCount.getUint32(0, true) < found.domain.length + 1
        ) {
          nameCount.setUint32(0, found.name.length + 1, true);
          domainCount.setUint32(0, found.domain.length + 1, true);
          return this.#fail(ERROR_INSUFFICIENT_BUFFER);
        }
        writeUtf16(bytesOf(name, "Name"), found.name);
        writeUtf16(bytesOf(domain, "ReferencedDomainName"), found.domain);
        nameCount.setUint32(0, found.name.length, true);
        domainCount.setUint32(0, found.domain.length, true);
        dwords(use, "peUse").setUint32(0, 1, true);
        return 1;
      },
      LookupAccountNameW: (_system, accountName, sid, cbSid, domain, cchDomain, use) => {
        this.#count("LookupAccountNameW");
        if (this.lookupError !== null) return this.#fail(this.lookupError);
        const wanted = readUtf16z(bytesOf(accountName, "AccountName")).toLowerCase();
        const found = this.accounts.find((a) =>
          `${a.domain}\\${a.name}`.toLowerCase() === wanted || a.name.toLowerCase() === wanted
        );
        if (!found) return this.#fail(ERROR_NONE_MAPPED);
        const bytes = sidBytes(found.sid);
        const sidSize = dwords(cbSid, "cbSid");
        const domainCount = dwords(cchDomain, "cchReferencedDomainName");
        if (
          sidSize.getUint32(0, true) < bytes.byteLength ||
          domainCount.getUint32(0, true) < found.domain.length + 1
        ) {
          sidSize.setUint32(0, bytes.byteLength, true);
          domainCount.setUint32(0, found.domain.length + 1, true);
          return this.#fail(ERROR_INSUFFICIENT_BUFFER);
        }
        bytesOf(sid, "Sid").set(bytes);
        writeUtf16(bytesOf(domain, "ReferencedDomainName"), found.domain);
        domainCount.setUint32(0, found.domain.length, true);
        dwords(use, "peUse").setUint32(0, 2, true);
        return 1;
      },
      CloseHandle: (handle) => {
        this.#count("CloseHandle");
        const value = Deno.UnsafePointer.value(handle);
        if (!this.tokens.delete(value)) {
          this.badCloses.push(value);
          return this.#fail(ERROR_INVALID_HANDLE);
        }
        this.closed.push(value);
        return 1;
      },
      GetLastError: () => this.#lastError,
      LocalFree: (memory) => {
        this.#count("LocalFree");
        const value = Deno.UnsafePointer.value(memory);
        if (!this.#strings.delete(value)) this.badFrees.push(value);
        return null;
      },
    };
  }
}
