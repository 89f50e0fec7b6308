/**
 * Fernet tokens for credential passwords, compatible with Python's
 * `cryptography.fernet.Fernet(key).encrypt(pw.encode()).decode()` (decrypted there with no TTL).
 *
 * Token layout (https://github.com/fernet/spec): url-safe base64 with `=` padding of
 * `0x80 | timestamp (8 bytes, big-endian) | IV (16) | AES-128-CBC ciphertext (PKCS#7) | HMAC (32)`,
 * where the HMAC-SHA256 covers everything before it. The 32-byte key holds the signing key
 * (first 16 bytes) and the encryption key (last 16 bytes). Keys and tokens are read as leniently
 * as Python reads them (the standard `+/` alphabet too, white space skipped); what Python refuses
 * is refused here.
 *
 * What npm:fernet (0.4.0, built on crypto-js) does here, and what it does not:
 * - It builds tokens: its `encryptMessage` (AES-128-CBC with PKCS#7 padding) and `createToken`
 *   (HMAC-SHA256 and token layout) are correct and reproduce the spec vectors byte for byte.
 *   Both are stateless functions; we hand them the key halves, IV, timestamp and UTF-8 bytes
 *   ourselves, as crypto-js WordArrays.
 * - Its `Secret` and `Token` classes are not used: `Secret` accepts keys without padding or with
 *   the `+/` alphabet; `Token` falls back to module-wide state (`setSecret`), ignores a custom IV
 *   (it encodes the array indices instead of the values), applies a 60-second TTL by default, and
 *   its `decode` accepts bad padding, ciphertexts that are not whole blocks and short tokens, and
 *   compares hex strings of the HMAC in a JavaScript loop.
 * - So key parsing, IVs, timestamps, token parsing, the constant-time HMAC check, decryption,
 *   padding removal and UTF-8 coding are done here with `node:crypto`, `node:buffer` and
 *   `TextEncoder`/`TextDecoder`.
 * Note: importing npm:fernet adds a `lpad` method to `String.prototype` (harmless, but global).
 * @module
 */

import fernet from "fernet";
import { Buffer } from "node:buffer";
import {
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/**
 * A refused key or token. `reason` is `"bad-key"` when the key is not 32 bytes of url-safe
 * base64, `"bad-token"` when the token is not a well-formed Fernet token (or its padding or
 * UTF-8 is broken behind a valid HMAC), and `"wrong-key"` when the token is well-formed but its
 * HMAC does not verify (made with another key, or altered).
 */
export class FernetError extends Error {
  /** Why the key or token was refused. */
  reason: "bad-key" | "bad-token" | "wrong-key";

  /** Makes an error with the given reason and message. */
  constructor(reason: "bad-key" | "bad-token" | "wrong-key", message: string) {
    super(message);
    this.name = "FernetError";
    this.reason = reason;
  }
}

/** The opaque crypto-js byte array that npm:fernet works with. */
interface WordArray {
  toString(encoder?: unknown): string;
}

/** The stateless parts of npm:fernet that this module uses (the package ships no types). */
interface FernetLib {
  Hex: { parse(hex: string): WordArray };
  encryptMessage(message: WordArray, encryptionKey: WordArray, iv: WordArray): WordArray;
  createToken(signingKey: WordArray, time: WordArray, iv: WordArray, cipherText: WordArray): string;
}

const lib = fernet as unknown as FernetLib;

const VERSION = 0x80;
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEADER_BYTES = 1 + 8 + 16;
const HMAC_BYTES = 32;
const BLOCK_BYTES = 16;

interface Key {
  signing: Buffer;
  encryption: Buffer;
}

interface Token {
  iv: Buffer;
  ciphertext: Buffer;
  signed: Buffer;
  hmac: Buffer;
}

/**
 * Python's `base64.urlsafe_b64decode`, which `cryptography` uses for keys and tokens: both the
 * url-safe (`-_`) and the standard (`+/`) alphabet, other ASCII characters skipped (white space,
 * line breaks), padding required, anything after a complete pad ignored (CPython's non-strict
 * `binascii.a2b_base64`). Null where Python raises.
 */
function pythonBase64(text: string): Buffer | null {
  // deno-lint-ignore no-control-regex -- every ASCII character is allowed, none beyond.
  if (!/^[\x00-\x7f]*$/.test(text)) return null;
  const bytes: number[] = [];
  let quad = 0, left = 0, pads = 0;
  for (const ch of text) {
    if (ch === "=") {
      if (quad >= 2 && quad + ++pads >= 4) return Buffer.from(bytes);
      continue;
    }
    const v = BASE64.indexOf(ch === "-" ? "+" : ch === "_" ? "/" : ch);
    if (v < 0) continue;
    pads = 0;
    if (quad === 1) bytes.push((left << 2) | (v >> 4));
    if (quad === 2) bytes.push(((left << 4) | (v >> 2)) & 0xff);
    if (quad === 3) bytes.push(((left << 6) | v) & 0xff);
    left = v & [0x3f, 0x0f, 0x03, 0][quad];
    quad = (quad + 1) % 4;
  }
  return quad === 0 ? Buffer.from(bytes) : null;
}

/** Reads a key or throws `bad-key`. */
function parseKey(key: string): Key {
  const raw = pythonBase64(key);
  if (raw?.length !== 32) {
    throw new FernetError(
      "bad-key",
      "Invalid Fernet key: it must be 32 bytes of url-safe base64 (44 characters)",
    );
  }
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16) };
}

/** Splits a token into its parts, or returns a description of what is wrong with it. */
function parseToken(token: string): Token | string {
  const data = pythonBase64(token);
  if (!data) return "the token is not url-safe base64";
  if (data.length < 1 || data[0] !== VERSION) return "the token has an unknown version";
  if (data.length < HEADER_BYTES + HMAC_BYTES) return "the token is too short";
  const ciphertext = data.subarray(HEADER_BYTES, data.length - HMAC_BYTES);
  if (ciphertext.length % BLOCK_BYTES !== 0) {
    return "the ciphertext is not a whole number of blocks";
  }
  if (ciphertext.length === 0) return "the token is too short";
  return {
    iv: data.subarray(9, HEADER_BYTES),
    ciphertext,
    signed: data.subarray(0, data.length - HMAC_BYTES),
    hmac: data.subarray(data.length - HMAC_BYTES),
  };
}

/** Whether the token's HMAC verifies with the signing key, compared in constant time. */
function hmacVerifies(key: Key, token: Token): boolean {
  const expected = createHmac("sha256", key.signing).update(token.signed).digest();
  return timingSafeEqual(expected, token.hmac);
}

function cannotDecrypt(reason: FernetError["reason"], detail: string): FernetError {
  return new FernetError(reason, `Cannot decrypt password: ${detail}`);
}

function toWords(bytes: Uint8Array): WordArray {
  return lib.Hex.parse(Buffer.from(bytes).toString("hex"));
}

/**
 * Whether `key` is a key Python's `Fernet(key)` accepts: 32 bytes of base64 with `=` padding,
 * normally 44 url-safe characters (see {@linkcode pythonBase64} for what else it takes).
 */
export function isValidKey(key: string): boolean {
  return pythonBase64(key)?.length === 32;
}

/** A new random key, like Python's `Fernet.generate_key()`: 44 characters of url-safe base64. */
export function generateKey(): string {
  return randomBytes(32).toString("base64url") + "=";
}

/**
 * A short, non-secret identifier of a key, for showing which key is configured: the first 12 hex
 * characters of SHA-256 over the raw key bytes. Throws `FernetError` (`bad-key`).
 */
export function keyFingerprint(key: string): string {
  const { signing, encryption } = parseKey(key);
  return createHash("sha256").update(signing).update(encryption).digest("hex").slice(0, 12);
}

/**
 * Encrypts UTF-8 text into a Fernet token that Python's `Fernet(key).decrypt()` accepts.
 * `options.now` (unix seconds) and `options.iv` (16 bytes) exist only for the spec test vectors;
 * by default the timestamp is the current time and the IV is random. Lone UTF-16 surrogates are
 * encoded as U+FFFD. Throws `FernetError` (`bad-key`), or `RangeError` for bad options.
 */
export function encrypt(
  key: string,
  plaintext: string,
  options: { now?: number; iv?: Uint8Array } = {},
): string {
  const { signing, encryption } = parseKey(key);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new RangeError("Cannot encrypt: the timestamp must be a whole number of seconds");
  }
  const iv = options.iv ?? randomBytes(BLOCK_BYTES);
  if (iv.length !== BLOCK_BYTES) throw new RangeError("Cannot encrypt: the IV must be 16 bytes");
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(now));
  const ivWords = toWords(iv);
  const ciphertext = lib.encryptMessage(
    toWords(new TextEncoder().encode(plaintext)),
    toWords(encryption),
    ivWords,
  );
  return lib.createToken(toWords(signing), toWords(time), ivWords, ciphertext);
}

/**
 * Decrypts a Fernet token into UTF-8 text, with no TTL (like the Python side). The HMAC is
 * verified in constant time before anything is decrypted. Throws `FernetError`: `bad-key`,
 * `bad-token` or `wrong-key`.
 */
export function decrypt(key: string, token: string): string {
  const parsedKey = parseKey(key);
  const parsed = parseToken(token);
  if (typeof parsed === "string") throw cannotDecrypt("bad-token", parsed);
  if (!hmacVerifies(parsedKey, parsed)) {
    throw cannotDecrypt("wrong-key", "the token was made with another key or has been altered");
  }
  const decipher = createDecipheriv("aes-128-cbc", parsedKey.encryption, parsed.iv);
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
  const pad = padded[padded.length - 1];
  if (pad < 1 || pad > BLOCK_BYTES || padded.subarray(-pad).some((byte) => byte !== pad)) {
    throw cannotDecrypt("bad-token", "the padding is invalid");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(padded.subarray(0, -pad));
  } catch {
    throw cannotDecrypt("bad-token", "the password is not valid UTF-8");
  }
}

/**
 * The possible plaintext length in bytes, from the token length alone (no key needed): with `n`
 * ciphertext blocks it is `16(n-1)` to `16n-1`. Null when the token is not well-formed.
 */
export function plaintextLengthRange(token: string): { min: number; max: number } | null {
  const parsed = parseToken(token);
  if (typeof parsed === "string") return null;
  const blocks = parsed.ciphertext.length / BLOCK_BYTES;
  return { min: BLOCK_BYTES * (blocks - 1), max: BLOCK_BYTES * blocks - 1 };
}

/**
 * Whether the token's HMAC verifies with `key` (no decryption). False for a malformed token;
 * throws `FernetError` (`bad-key`) for an invalid key.
 */
export function madeWithKey(key: string, token: string): boolean {
  const parsedKey = parseKey(key);
  const parsed = parseToken(token);
  return typeof parsed !== "string" && hmacVerifies(parsedKey, parsed);
}
