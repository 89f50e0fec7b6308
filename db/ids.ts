/**
 * Ids in the format the database uses: 32 lowercase hex digits in a Python-made SQLite file
 * (a dashed id there is invisible to Python and crashes the scheduler), uppercase dashed text in
 * a copy made by the old Flask clone script, UNIQUEIDENTIFIER on SQL Server.
 * @module
 */
import type { DbInfo } from "./connection.ts";

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** Spells 32 hex digits the way the database stores ids. */
function spell(info: DbInfo, hex: string): string {
  switch (info.idFormat) {
    case "hex":
      return hex;
    case "dashed-lower":
      return dashed(hex);
    default:
      return dashed(hex).toUpperCase();
  }
}

/** A new UUID v4 in the database's format. */
export function newId(info: DbInfo): string {
  return spell(info, crypto.randomUUID().replaceAll("-", ""));
}

/**
 * Turns an id from a URL or form (any case, with or without dashes) into the stored spelling,
 * or null when it is not a UUID.
 */
export function storedId(info: DbInfo, id: string): string | null {
  const hex = id.trim().toLowerCase().replaceAll("-", "");
  return /^[0-9a-f]{32}$/.test(hex) ? spell(info, hex) : null;
}

/**
 * The sort key SQL Server gives a UNIQUEIDENTIFIER (bytes 10–15, 8–9, then the first three
 * groups byte-reversed), so merged reads order ties the way the server does.
 */
export function mssqlIdKey(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  const byte = (i: number) => hex.slice(2 * i, 2 * i + 2);
  return [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0].map(byte).join("");
}
