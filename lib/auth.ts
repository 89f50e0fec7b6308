/**
 * Identity and policy, with no HTTP: who a request's user is (from the configured mode) and
 * what they may do (`OO_ADMINS` change things, `OO_VIEWERS` only read).
 * @module
 */
import type { AuthMode, Config } from "./config.ts";
import { isLoopback } from "./config.ts";

/** Who is asking: a user name and the groups (names or SIDs) they belong to. */
export type Identity = { user: string; groups: string[] };

/** What a user may do. */
export type Role = "admin" | "viewer";

/** The user of a request, as the app sees it. */
export type User = { name: string; role: Role };

/** What identification needs from a request. */
export type RequestFacts = {
  /** The peer's IP address, when known. */
  peer: string | null;
  /** The host name the request was addressed to. */
  host: string;
  /** Reads a request header. */
  header(name: string): string | undefined;
};

/** Resolves the IIS token header into an identity (Windows only; injected in tests). */
export type TokenResolver = (tokenHeader: string) => Identity;

/** Why identification failed; `status` is the HTTP status to answer with. */
export class AuthError extends Error {
  /** @param status 401 when the user is unknown, 403 when known but not allowed */
  constructor(readonly status: 401 | 403, message: string) {
    super(message);
    this.name = "AuthError";
  }
}

/** Finds the identity of a request in the configured mode; throws AuthError (fails closed). */
export function identify(
  mode: AuthMode,
  facts: RequestFacts,
  options: { header: string; resolveToken: TokenResolver },
): Identity {
  switch (mode) {
    case "none":
      // Everyone is an admin here, so only a loopback name is served: a page on another site
      // that rebinds its own name to 127.0.0.1 must not reach the console (DNS rebinding).
      if (!isLoopback(facts.host)) {
        throw new AuthError(
          403,
          `Refused a request for ${facts.host}: use localhost or 127.0.0.1.`,
        );
      }
      return { user: "local", groups: [] };
    case "header": {
      if (facts.peer === null || !isLoopback(facts.peer)) {
        throw new AuthError(
          403,
          "The identity header is only trusted from a proxy on this machine.",
        );
      }
      const user = facts.header(options.header)?.trim();
      if (!user) {
        throw new AuthError(401, `Not signed in: the ${options.header} header is missing.`);
      }
      return { user, groups: [] };
    }
    case "iis": {
      if (facts.peer === null || !isLoopback(facts.peer)) {
        throw new AuthError(403, "The Windows identity is only taken from IIS on this machine.");
      }
      const token = facts.header("X-IIS-WindowsAuthToken")?.trim();
      if (!token) {
        throw new AuthError(401, "Not signed in: IIS sent no Windows identity for this request.");
      }
      try {
        return options.resolveToken(token);
      } catch (error) {
        throw new AuthError(401, (error as Error).message);
      }
    }
  }
}

function member(identity: Identity, names: string[]): boolean {
  const mine = [identity.user, ...identity.groups].map((n) => n.toLowerCase());
  // A bare name also matches DOMAIN\name, so "rpa-admins" matches "KOMMUNE\rpa-admins".
  return names.some((n) => mine.some((m) => m === n || m.endsWith(`\\${n}`)));
}

/**
 * Decides a user's role: admins may change things; viewers only read; when `OO_ADMINS` is unset,
 * every authenticated user who is not a listed viewer is an admin.
 */
export function authorize(identity: Identity, policy: Pick<Config, "admins" | "viewers">): User {
  const admin = policy.admins.length > 0
    ? member(identity, policy.admins)
    : !member(identity, policy.viewers);
  if (admin) return { name: identity.user, role: "admin" };
  if (member(identity, policy.viewers)) return { name: identity.user, role: "viewer" };
  throw new AuthError(403, `${identity.user} may not use this console.`);
}
