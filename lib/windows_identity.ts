/**
 * Resolves the Windows user behind a request that IIS forwarded with
 * `forwardWindowsAuthToken="true"`.
 *
 * HttpPlatformHandler sends the header `X-IIS-WindowsAuthToken`: a token
 * HANDLE, written in hex, that it already duplicated into this process. We read
 * the user and group SIDs from the token through advapi32.dll and always close
 * the handle afterwards.
 *
 * The module is imported on every platform: it only calls `Deno.dlopen` the
 * first time {@linkcode resolveWindowsToken} runs on Windows. Requires
 * `--allow-ffi` there.
 *
 * Layouts assume a 64-bit process (x86_64 or aarch64), like every Deno build.
 *
 * @module
 */

/** The resolved identity: "DOMAIN\\user" and the enabled groups. */
export type WindowsIdentity = {
  /** The account as "DOMAIN\\user". Never empty. */
  user: string;
  /** Both "DOMAIN\\Group" names and "S-1-5-…" SID strings of enabled groups. */
  groups: string[];
};

/** One SID_AND_ATTRIBUTES entry of a TOKEN_GROUPS buffer. */
export type GroupEntry = {
  /** Address of the SID (it points into the same buffer). */
  sidPtr: bigint;
  /** The SE_GROUP_* flags. */
  attributes: number;
};

const PREFIX = "Cannot resolve Windows identity";

const TOKEN_USER = 1;
const TOKEN_GROUPS = 2;

const SE_GROUP_ENABLED = 0x4;
const SE_GROUP_USE_FOR_DENY_ONLY = 0x10;
const SE_GROUP_LOGON_ID = 0xC0000000;

/** Size of SID_AND_ATTRIBUTES on 64-bit: pointer (8) + DWORD (4) + padding (4). */
const SID_AND_ATTRIBUTES_SIZE = 16;
/** TOKEN_GROUPS: DWORD GroupCount, padded to 8, then the array. */
const GROUPS_OFFSET = 8;

/** First guess, in UTF-16 units, for the name buffers of LookupAccountSidW. */
const NAME_CHARS = 256;
/** Longest SID string we read back (real ones are under 200 characters). */
const MAX_SID_CHARS = 512;

const ADVAPI32 = {
  GetTokenInformation: {
    // HANDLE, TOKEN_INFORMATION_CLASS, LPVOID, DWORD, PDWORD -> BOOL
    parameters: ["pointer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  LookupAccountSidW: {
    // LPCWSTR system, PSID, LPWSTR name, LPDWORD cchName,
    // LPWSTR domain, LPDWORD cchDomain, PSID_NAME_USE -> BOOL
    parameters: ["buffer", "pointer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  ConvertSidToStringSidW: {
    // PSID, LPWSTR* -> BOOL
    parameters: ["pointer", "buffer"],
    result: "i32",
  },
} as const;

const KERNEL32 = {
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  GetLastError: { parameters: [], result: "u32" },
  LocalFree: { parameters: ["pointer"], result: "pointer" },
} as const;

type WinApi =
  & Deno.StaticForeignLibraryInterface<typeof ADVAPI32>
  & Deno.StaticForeignLibraryInterface<typeof KERNEL32>;

let winApi: WinApi | undefined;

/**
 * Parses the `X-IIS-WindowsAuthToken` header: 1–16 hex digits, optionally
 * "0x"-prefixed, not zero.
 *
 * @throws Error when the header is not such a handle.
 */
export function parseTokenHandle(header: string): bigint {
  const match = /^(?:0[xX])?([0-9a-fA-F]{1,16})$/.exec(header);
  const handle = match ? BigInt(`0x${match[1]}`) : 0n;
  if (handle === 0n) {
    throw new Error(`${PREFIX}: X-IIS-WindowsAuthToken is not a hex handle`);
  }
  return handle;
}

/**
 * Decodes `chars` UTF-16LE code units from the start of `buf`.
 *
 * @throws Error when `buf` is shorter than `chars` code units.
 */
export function decodeUtf16(buf: Uint8Array, chars: number): string {
  if (!Number.isInteger(chars) || chars < 0 || chars * 2 > buf.byteLength) {
    throw new Error(`${PREFIX}: ${chars} UTF-16 characters do not fit in ${buf.byteLength} bytes`);
  }
  return new TextDecoder("utf-16le").decode(buf.subarray(0, chars * 2));
}

/**
 * Reads the SID address of a TOKEN_USER buffer (its first SID_AND_ATTRIBUTES).
 *
 * @throws Error when the buffer is too short or the address is null.
 */
export function readTokenUserSid(buf: Uint8Array): bigint {
  if (buf.byteLength < SID_AND_ATTRIBUTES_SIZE) {
    throw new Error(`${PREFIX}: TOKEN_USER buffer of ${buf.byteLength} bytes is too short`);
  }
  const sidPtr = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (sidPtr === 0n) throw new Error(`${PREFIX}: TOKEN_USER has no SID`);
  return sidPtr;
}

/**
 * Reads every SID_AND_ATTRIBUTES entry of a TOKEN_GROUPS buffer.
 *
 * @throws Error when the buffer is shorter than its GroupCount says.
 */
export function readGroupEntries(buf: Uint8Array): GroupEntry[] {
  if (buf.byteLength < GROUPS_OFFSET) {
    throw new Error(`${PREFIX}: TOKEN_GROUPS buffer of ${buf.byteLength} bytes is too short`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = view.getUint32(0, true);
  if (GROUPS_OFFSET + count * SID_AND_ATTRIBUTES_SIZE > buf.byteLength) {
    throw new Error(
      `${PREFIX}: TOKEN_GROUPS says ${count} groups but has only ${buf.byteLength} bytes`,
    );
  }
  const entries: GroupEntry[] = [];
  for (let i = 0; i < count; i++) {
    const offset = GROUPS_OFFSET + i * SID_AND_ATTRIBUTES_SIZE;
    entries.push({
      sidPtr: view.getBigUint64(offset, true),
      attributes: view.getUint32(offset + 8, true),
    });
  }
  return entries;
}

/**
 * Tells whether a group counts for authorization: enabled, not deny-only, and
 * not the per-session logon SID.
 */
export function isUsableGroup(attributes: number): boolean {
  const enabled = (attributes & SE_GROUP_ENABLED) !== 0;
  const denyOnly = (attributes & SE_GROUP_USE_FOR_DENY_ONLY) !== 0;
  const logonId = ((attributes & SE_GROUP_LOGON_ID) >>> 0) === SE_GROUP_LOGON_ID;
  return enabled && !denyOnly && !logonId;
}

/** Joins an account name as "DOMAIN\\name", or just "name" without a domain. */
export function accountName(domain: string, name: string): string {
  return domain === "" ? name : `${domain}\\${name}`;
}

/**
 * Resolves the `X-IIS-WindowsAuthToken` header to the user and enabled groups,
 * and closes the token handle whatever happens (once the header parsed).
 *
 * Fails closed: every failure throws, it never returns a partial identity.
 * Groups whose SID does not resolve to a name keep only their SID string.
 *
 * @throws Error outside Windows, on a bad header, or when a Windows call fails.
 */
export function resolveWindowsToken(header: string): WindowsIdentity {
  const api = openWinApi();
  const token = Deno.UnsafePointer.create(parseTokenHandle(header));
  // Read first: a value that is not a token handle (a guess) fails here and is never closed, so
  // a forged header cannot close one of our own handles (a socket, the database file).
  const user = tokenInformation(api, token, TOKEN_USER);
  try {
    return { user: resolveUser(api, user), groups: resolveGroups(api, token) };
  } finally {
    // A failure here cannot be acted on; the identity read above stays valid.
    api.CloseHandle(token);
  }
}

/** Opens advapi32.dll and kernel32.dll once, on Windows only. */
function openWinApi(): WinApi {
  if (Deno.build.os !== "windows") {
    throw new Error(`${PREFIX}: the iis mode only works on Windows`);
  }
  winApi ??= {
    ...Deno.dlopen("advapi32.dll", ADVAPI32).symbols,
    ...Deno.dlopen("kernel32.dll", KERNEL32).symbols,
  };
  return winApi;
}

/**
 * Deno's FFI does not preserve the thread's last-error value between calls, so
 * this is read right after a failed call and only used in messages; control
 * flow relies on return values and returned sizes.
 */
function failure(api: WinApi, call: string): Error {
  return new Error(`${PREFIX}: ${call} failed with error ${api.GetLastError()}`);
}

/** Calls GetTokenInformation twice: once for the size, once for the data. */
function tokenInformation(api: WinApi, token: Deno.PointerValue, infoClass: number): Uint8Array {
  const size = new Uint32Array(1);
  // Expected to fail with ERROR_INSUFFICIENT_BUFFER (122) and set the size.
  api.GetTokenInformation(token, infoClass, null, 0, size);
  if (size[0] === 0) throw failure(api, "GetTokenInformation");
  const buf = new Uint8Array(size[0]);
  if (api.GetTokenInformation(token, infoClass, buf, buf.byteLength, size) === 0) {
    throw failure(api, "GetTokenInformation");
  }
  return buf;
}

/** Returns a pointer to `address`, which must lie inside `buf`. */
function pointerInto(buf: Uint8Array, address: bigint): Deno.PointerObject {
  const start = Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf));
  const pointer = Deno.UnsafePointer.create(address);
  if (pointer === null || address < start || address >= start + BigInt(buf.byteLength)) {
    throw new Error(`${PREFIX}: a SID points outside the token buffer`);
  }
  return pointer;
}

/** Resolves the token's user (from its TOKEN_USER buffer) to "DOMAIN\\user". */
function resolveUser(api: WinApi, buf: Uint8Array): string {
  const sid = pointerInto(buf, readTokenUserSid(buf));
  const text = sidString(api, sid);
  const result = names.get(text, () => lookupAccountSid(api, sid));
  if ("error" in result) {
    throw new Error(`${PREFIX}: LookupAccountSidW failed with error ${result.error} for ${text}`);
  }
  if (result.name === "") throw new Error(`${PREFIX}: the user SID has an empty name`);
  return result.name;
}

/** Resolves the enabled groups to names (when they resolve) and SID strings. */
function resolveGroups(api: WinApi, token: Deno.PointerValue): string[] {
  const buf = tokenInformation(api, token, TOKEN_GROUPS);
  const groups: string[] = [];
  for (const entry of readGroupEntries(buf)) {
    if (!isUsableGroup(entry.attributes)) continue;
    const sid = pointerInto(buf, entry.sidPtr);
    const text = sidString(api, sid);
    const result = names.get(text, () => lookupAccountSid(api, sid));
    if ("name" in result && result.name !== "") groups.push(result.name);
    groups.push(text);
  }
  return groups;
}

/**
 * Calls LookupAccountSidW, retrying once with the sizes it asks for when the
 * first buffers are too small.
 */
function lookupAccountSid(
  api: WinApi,
  sid: Deno.PointerObject,
): LookupResult {
  let nameChars = NAME_CHARS;
  let domainChars = NAME_CHARS;
  for (let attempt = 0; attempt < 2; attempt++) {
    const name = new Uint8Array(nameChars * 2);
    const domain = new Uint8Array(domainChars * 2);
    const cchName = new Uint32Array([nameChars]);
    const cchDomain = new Uint32Array([domainChars]);
    const use = new Uint32Array(1);
    if (api.LookupAccountSidW(null, sid, name, cchName, domain, cchDomain, use) !== 0) {
      // On success the counts exclude the terminating null.
      return {
        name: accountName(decodeUtf16(domain, cchDomain[0]), decodeUtf16(name, cchName[0])),
      };
    }
    const error = api.GetLastError();
    if (cchName[0] <= nameChars && cchDomain[0] <= domainChars) return { error };
    // ERROR_INSUFFICIENT_BUFFER: the counts now hold the sizes it needs.
    nameChars = Math.max(nameChars, cchName[0]);
    domainChars = Math.max(domainChars, cchDomain[0]);
  }
  return { error: api.GetLastError() };
}

/** Converts a SID to its "S-1-5-…" string with ConvertSidToStringSidW. */
function sidString(api: WinApi, sid: Deno.PointerObject): string {
  const out = new BigUint64Array(1);
  if (api.ConvertSidToStringSidW(sid, out) === 0) throw failure(api, "ConvertSidToStringSidW");
  const str = Deno.UnsafePointer.create(out[0]);
  if (str === null) throw new Error(`${PREFIX}: ConvertSidToStringSidW returned no string`);
  try {
    return wideStringAt(str, MAX_SID_CHARS);
  } finally {
    api.LocalFree(str);
  }
}

/**
 * Reads a null-terminated UTF-16LE string of at most `maxChars` code units
 * from memory (needs `--allow-ffi`).
 *
 * @throws Error when no terminator comes within `maxChars`.
 */
export function wideStringAt(pointer: Deno.PointerObject, maxChars: number): string {
  const view = new Deno.UnsafePointerView(pointer);
  let chars = 0;
  while (view.getUint16(chars * 2) !== 0) {
    if (++chars > maxChars) throw new Error(`${PREFIX}: a SID string is too long`);
  }
  const buf = new Uint8Array(chars * 2);
  view.copyInto(buf);
  return decodeUtf16(buf, chars);
}

/** A lookup's answer: the account name, or the Windows error. */
export type LookupResult = { name: string } | { error: number };

/**
 * Remembers SID names for a while: LookupAccountSidW may ask a domain controller, and every
 * request resolves the user and each group. Only successful lookups are kept.
 */
export class NameCache {
  #entries = new Map<string, { name: string; at: number }>();

  /**
   * @param ttlMs how long a name is trusted (a renamed group shows up after this)
   * @param max entries kept at most (the cache starts over when full)
   */
  constructor(readonly ttlMs = 10 * 60_000, readonly max = 10_000) {}

  /** The cached name of `sid`, or `load()`'s answer (kept when it is a name). */
  get(sid: string, load: () => LookupResult, now: number = Date.now()): LookupResult {
    const hit = this.#entries.get(sid);
    if (hit && now - hit.at < this.ttlMs) return { name: hit.name };
    const result = load();
    if ("name" in result) {
      if (this.#entries.size >= this.max) this.#entries.clear();
      this.#entries.set(sid, { name: result.name, at: now });
    }
    return result;
  }
}

/** Cached SID → name lookups, by SID string. */
const names = new NameCache();
