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
 * first time {@linkcode resolveWindowsToken} or {@linkcode resolveAccountSids}
 * runs on Windows. Requires `--allow-ffi` there. The calls go through a
 * {@linkcode WinApi} that tests replace with a fake library.
 *
 * Layouts assume a 64-bit process (x86_64 or aarch64), like every Deno build.
 *
 * @module
 */

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
  // Every PSID is passed as a "buffer" (a view of the bytes that hold the SID), so the memory it
  // points into stays alive for the whole call.
  LookupAccountSidW: {
    // LPCWSTR system, PSID, LPWSTR name, LPDWORD cchName,
    // LPWSTR domain, LPDWORD cchDomain, PSID_NAME_USE -> BOOL
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  LookupAccountNameW: {
    // LPCWSTR system, LPCWSTR name, PSID sid, LPDWORD cbSid,
    // LPWSTR domain, LPDWORD cchDomain, PSID_NAME_USE -> BOOL
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  ConvertSidToStringSidW: {
    // PSID, LPWSTR* -> BOOL
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
} as const;

const KERNEL32 = {
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  GetLastError: { parameters: [], result: "u32" },
  LocalFree: { parameters: ["pointer"], result: "pointer" },
} as const;

/**
 * The advapi32 and kernel32 calls the resolver makes, as `Deno.dlopen` returns them. Tests pass
 * a fake that behaves as Microsoft documents these functions.
 */
export type WinApi =
  & Deno.StaticForeignLibraryInterface<typeof ADVAPI32>
  & Deno.StaticForeignLibraryInterface<typeof KERNEL32>;

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

/** Opens advapi32.dll and kernel32.dll, on Windows only. */
function openWinApi(): WinApi {
  if (Deno.build.os !== "windows") {
    throw new Error(`${PREFIX}: the iis mode only works on Windows`);
  }
  return {
    ...Deno.dlopen("advapi32.dll", ADVAPI32).symbols,
    ...Deno.dlopen("kernel32.dll", KERNEL32).symbols,
  };
}

/** A resolved token: the user's name, and the SID strings of the user and its groups. */
export type ResolvedToken = { user: string; groups: string[] };

/** How long lookups are trusted. */
export type LookupTimes = {
  /** How long a user's name is kept (a renamed account shows up after this). */
  nameTtlMs?: number;
  /** How long a failed lookup is kept before Windows is asked again. */
  failureTtlMs?: number;
  /** The clock (tests move it). */
  now?: () => number;
};

/**
 * Windows identities for the iis mode: a request's token becomes the user's name and SIDs, and
 * the names in `OO_ADMINS` / `OO_VIEWERS` become SIDs, so that a request compares SIDs only.
 *
 * Only two lookups may ask a domain controller: the name of a user (LookupAccountSidW, kept for
 * 10 minutes) and the SID of a policy name (LookupAccountNameW, kept while the process runs).
 * Failures are kept for 30 seconds, so a domain controller that does not answer costs one round
 * trip per 30 seconds, not one per request.
 */
export class WindowsIdentity {
  #api: WinApi | undefined;
  #names: NameCache;
  #sids: NameCache;

  /** @param api the Windows calls (default: advapi32 and kernel32, opened at first use) */
  constructor(api?: WinApi, times: LookupTimes = {}) {
    this.#api = api;
    const failureTtlMs = times.failureTtlMs ?? 30_000;
    this.#names = new NameCache(times.nameTtlMs ?? 10 * 60_000, 10_000, failureTtlMs, times.now);
    this.#sids = new NameCache(Infinity, 10_000, failureTtlMs, times.now);
  }

  get #win(): WinApi {
    this.#api ??= openWinApi();
    return this.#api;
  }

  /**
   * Resolves the `X-IIS-WindowsAuthToken` header to the user's name (its SID string when the name
   * cannot be looked up) and, as `groups`, the SID strings of the user and its enabled groups;
   * closes the token handle whatever happens (once it was read as a token).
   *
   * @throws Error outside Windows, on a bad header, or when the token cannot be read.
   */
  resolveToken(header: string): ResolvedToken {
    const api = this.#win;
    const token = Deno.UnsafePointer.create(parseTokenHandle(header));
    // Read first: a value that is not a token handle (a guess) fails here and is never closed,
    // so a forged header cannot close one of our own handles (a socket, the database file).
    const user = tokenInformation(api, { token, infoClass: TOKEN_USER });
    try {
      const userSid = sidIn(user, readTokenUserSid(user));
      const userText = sidString(api, userSid);
      const looked = this.#names.get(userText, () => lookupAccountSid(api, userSid));
      const name = "value" in looked && looked.value !== "" ? looked.value : userText;
      return { user: name, groups: [userText, ...groupSids(api, token)] };
    } finally {
      // A failure here cannot be acted on; the identity read above stays valid.
      api.CloseHandle(token);
    }
  }

  /**
   * Resolves account names (`DOMAIN\\name` or a bare name) to SID strings; SID strings
   * (`S-1-…`) pass as they are.
   *
   * @throws Error naming the first account that cannot be resolved.
   */
  resolveNames(names: string[]): string[] {
    return names.map((name) => {
      if (/^s-1-[\d-]+$/i.test(name)) return name.toUpperCase();
      const result = this.#sids.get(name.toLowerCase(), () => lookupAccountName(this.#win, name));
      if ("error" in result) {
        throw new Error(
          `${PREFIX}: the account ${name} (OO_ADMINS or OO_VIEWERS) cannot be found: ` +
            `LookupAccountNameW failed with error ${result.error}`,
        );
      }
      return result.value;
    });
  }
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
function tokenInformation(
  api: WinApi,
  { token, infoClass }: { token: Deno.PointerValue; infoClass: number },
): Uint8Array {
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

/**
 * The view of `buf` that starts at `address` (a SID inside the buffer): passed as a "buffer"
 * argument, it keeps `buf` alive while Windows reads the SID.
 */
function sidIn(buf: Uint8Array, address: bigint): Uint8Array {
  const start = Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf));
  if (address < start || address >= start + BigInt(buf.byteLength)) {
    throw new Error(`${PREFIX}: a SID points outside the token buffer`);
  }
  return buf.subarray(Number(address - start));
}

/** The SID strings of the token's enabled groups (no lookups: nothing asks a domain controller). */
function groupSids(api: WinApi, token: Deno.PointerValue): string[] {
  const buf = tokenInformation(api, { token, infoClass: TOKEN_GROUPS });
  return readGroupEntries(buf)
    .filter((entry) => isUsableGroup(entry.attributes))
    .map((entry) => sidString(api, sidIn(buf, entry.sidPtr)));
}

/**
 * Calls LookupAccountSidW, retrying once with the sizes it asks for when the
 * first buffers are too small.
 */
function lookupAccountSid(api: WinApi, sid: Uint8Array): LookupResult {
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
        value: accountName(decodeUtf16(domain, cchDomain[0]), decodeUtf16(name, cchName[0])),
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

/** A SID is at most 68 bytes (SECURITY_MAX_SID_SIZE). */
const MAX_SID_BYTES = 68;

/**
 * Calls LookupAccountNameW for the SID of an account name, retrying once with the sizes it asks
 * for when the first buffers are too small.
 */
function lookupAccountName(api: WinApi, account: string): LookupResult {
  // UTF-16LE with a terminating null (the array starts zeroed).
  const name = new Uint8Array((account.length + 1) * 2);
  const view = new DataView(name.buffer);
  for (let i = 0; i < account.length; i++) view.setUint16(i * 2, account.charCodeAt(i), true);
  let sidBytes = MAX_SID_BYTES;
  let domainChars = NAME_CHARS;
  for (let attempt = 0; attempt < 2; attempt++) {
    const sid = new Uint8Array(sidBytes);
    const domain = new Uint8Array(domainChars * 2);
    const cbSid = new Uint32Array([sidBytes]);
    const cchDomain = new Uint32Array([domainChars]);
    const use = new Uint32Array(1);
    if (api.LookupAccountNameW(null, name, sid, cbSid, domain, cchDomain, use) !== 0) {
      return { value: sidString(api, sid) };
    }
    const error = api.GetLastError();
    if (cbSid[0] <= sidBytes && cchDomain[0] <= domainChars) return { error };
    sidBytes = Math.max(sidBytes, cbSid[0]);
    domainChars = Math.max(domainChars, cchDomain[0]);
  }
  return { error: api.GetLastError() };
}

/** Converts a SID to its "S-1-5-…" string with ConvertSidToStringSidW (and frees the string). */
function sidString(api: WinApi, sid: Uint8Array): string {
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

/** A lookup's answer: the name (or SID string), or the Windows error. */
export type LookupResult = { value: string } | { error: number };

/**
 * Remembers lookups for a while: LookupAccountSidW and LookupAccountNameW may ask a domain
 * controller. Answers are kept for `ttlMs`, failures for `failureTtlMs`.
 */
export class NameCache {
  #entries = new Map<string, { result: LookupResult; until: number }>();

  /**
   * @param ttlMs how long an answer is trusted (a renamed group shows up after this)
   * @param max entries kept at most (the cache starts over when full)
   * @param failureTtlMs how long a failure is kept before asking again
   * @param now the clock
   */
  constructor(
    readonly ttlMs = 10 * 60_000,
    readonly max = 10_000,
    readonly failureTtlMs = 30_000,
    readonly now: () => number = Date.now,
  ) {}

  /** The kept answer for `key`, or `load()`'s answer (then kept). */
  get(key: string, load: () => LookupResult): LookupResult {
    const now = this.now();
    const hit = this.#entries.get(key);
    if (hit && now < hit.until) return hit.result;
    const result = load();
    if (this.#entries.size >= this.max) this.#entries.clear();
    const ttl = "value" in result ? this.ttlMs : this.failureTtlMs;
    this.#entries.set(key, { result, until: now + ttl });
    return result;
  }
}

const windows = new WindowsIdentity();

/**
 * Resolves a request's `X-IIS-WindowsAuthToken` with advapi32 (see
 * {@linkcode WindowsIdentity.resolveToken}).
 */
export function resolveWindowsToken(header: string): ResolvedToken {
  return windows.resolveToken(header);
}

/** Resolves `OO_ADMINS` / `OO_VIEWERS` names to SIDs (see {@linkcode WindowsIdentity.resolveNames}). */
export function resolveAccountSids(names: string[]): string[] {
  return windows.resolveNames(names);
}
