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

/**
 * Turns the `OO_ADMINS` / `OO_VIEWERS` names into what a resolved token's groups hold (SIDs on
 * Windows); throws when a name cannot be resolved now.
 */
export type NameResolver = (names: string[]) => string[];

/** Why identification failed; `status` is the HTTP status to answer with. */
export class AuthError extends Error {
  /**
   * @param status 401 when the user is unknown, 403 when known but not allowed, 503 when the
   * identity cannot be looked up now (behind IIS a 401 would prompt for a password)
   */
  constructor(readonly status: 401 | 403 | 503, message: string) {
    super(message);
    this.name = "AuthError";
  }
}

/**
 * True when `host` is a name the console answers to: a loopback name, or the host of `OO_ORIGIN`.
 * A page on another site that rebinds its own name to this server must not reach the console
 * (DNS rebinding), whatever the identity mode.
 */
function isAllowedHost(host: string, origin: string | null): boolean {
  return isLoopback(host) || (origin !== null && new URL(origin).hostname === host.toLowerCase());
}

/**
 * Finds the identity of a request in the configured mode, and refuses a request addressed to a
 * host the console does not answer to; throws AuthError (fails closed). In `iis` mode the token
 * is resolved (and so closed) before the host is checked.
 */
export function identify(
  mode: AuthMode,
  facts: RequestFacts,
  options: { header: string; resolveToken: TokenResolver; origin: string | null },
): Identity {
  const who = identifyBy(mode, facts, options);
  if (!isAllowedHost(facts.host, options.origin)) {
    const names = options.origin ? `${new URL(options.origin).hostname} or ` : "";
    throw new AuthError(
      403,
      `Refused a request for ${facts.host}: use ${names}localhost (set OO_ORIGIN for another name).`,
    );
  }
  return who;
}

function identifyBy(
  mode: AuthMode,
  facts: RequestFacts,
  options: { header: string; resolveToken: TokenResolver },
): Identity {
  switch (mode) {
    case "none":
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
        // A lookup that fails (a domain controller that does not answer) is not a missing login.
        throw new AuthError(503, (error as Error).message);
      }
    }
  }
}

/**
 * The person behind a user name, as the policy sees it: without case, and without a domain (a
 * bare name in `OO_ADMINS` matches `DOMAIN\\name`), so `Admins`, `admins` and `D1\\admins` are
 * one person to a rate limit.
 */
export function personKey(user: string): string {
  return user.trim().toLowerCase().replace(/^.*\\/, "");
}

function member(identity: Identity, names: string[]): boolean {
  const mine = [identity.user, ...identity.groups].map((n) => n.toLowerCase());
  // A bare name also matches DOMAIN\name, so "rpa-admins" matches "KOMMUNE\rpa-admins".
  return names.map((n) => n.toLowerCase()).some((n) =>
    mine.some((m) => m === n || m.endsWith(`\\${n}`))
  );
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
