/**
 * Serving without IIS: `Deno.serve` has no timeout for a request that never finishes arriving, so
 * a client on the LAN could hold thousands of connections open with partial headers. Here the
 * public port is a small TCP relay to a `Deno.serve` on a loopback port, and the relay closes a
 * connection that stays silent, or whose request has not been answered, for too long:
 *
 * - idle (connected, or between requests): closed after `idleTimeoutMs` without a byte;
 * - a request (from its first byte to the first byte of its answer): at most `requestTimeoutMs`.
 *
 * The handler sees the client's own address (not the relay's), so the identity checks that
 * trust loopback peers keep working. Behind IIS (which has its own limits) `main.ts` serves
 * directly.
 * @module
 */

/** What {@linkcode serveGuarded} needs besides the handler. */
export type GuardedOptions = {
  hostname: string;
  port: number;
  signal: AbortSignal;
  onListen?: (addr: Deno.NetAddr) => void;
  /** Closes a connection without a byte for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Closes a connection whose request is not answered within this (default 30 s). */
  requestTimeoutMs?: number;
};

/** A handler as `Deno.serve` calls it. */
export type Handler = (
  request: Request,
  info: Deno.ServeHandlerInfo,
) => Response | Promise<Response>;

/** Serves `handler` behind the timeout relay; resolves `finished` once stopped by `signal`. */
export function serveGuarded(
  options: GuardedOptions,
  handler: Handler,
): { addr: Deno.NetAddr; finished: Promise<void> } {
  const peers = new Map<number, Deno.NetAddr>();
  const inner = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: options.signal,
    onListen: () => {},
  }, (request, info) => {
    // The relay's own connection is known by its local port; anything else came directly.
    const peer = peers.get(info.remoteAddr.port);
    return handler(request, peer ? { ...info, remoteAddr: peer } : info);
  });
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  options.onListen?.(addr);
  const open = new Set<Deno.Conn>();
  options.signal.addEventListener("abort", () => {
    listener.close();
    for (const conn of open) closeQuietly(conn);
  }, { once: true });
  const timeouts = {
    idle: options.idleTimeoutMs ?? 30_000,
    request: options.requestTimeoutMs ?? 30_000,
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) {
        relay(client, inner.addr.port, { peers, open, timeouts });
      }
    } catch (error) {
      if (!options.signal.aborted) throw error;
    }
  })();
  return { addr, finished: Promise.all([accepting, inner.finished]).then(() => {}) };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** Relays one connection to the inner server, under the two timeouts. */
async function relay(
  client: Deno.Conn,
  innerPort: number,
  state: {
    peers: Map<number, Deno.NetAddr>;
    open: Set<Deno.Conn>;
    timeouts: { idle: number; request: number };
  },
): Promise<void> {
  let upstream: Deno.Conn;
  try {
    upstream = await Deno.connect({ hostname: "127.0.0.1", port: innerPort });
  } catch {
    closeQuietly(client);
    return;
  }
  const key = (upstream.localAddr as Deno.NetAddr).port;
  state.peers.set(key, client.remoteAddr as Deno.NetAddr);
  state.open.add(client).add(upstream);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inRequest = false;
  const stop = () => {
    clearTimeout(timer);
    closeQuietly(client);
    closeQuietly(upstream);
  };
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(stop, ms);
  };
  arm(state.timeouts.idle);
  await Promise.allSettled([
    pump(client, upstream, () => {
      // The first byte of a request starts its deadline; more bytes do not extend it.
      if (!inRequest) arm(state.timeouts.request);
      inRequest = true;
    }),
    pump(upstream, client, () => {
      // The answer has begun: the connection is idle again once it stays silent.
      inRequest = false;
      arm(state.timeouts.idle);
    }),
  ]);
  stop();
  state.peers.delete(key);
  state.open.delete(client);
  state.open.delete(upstream);
}

/** Copies `from` to `to` until `from` ends (then half-closes `to`) or either fails. */
async function pump(from: Deno.Conn, to: Deno.Conn, onData: () => void): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      onData();
      let written = 0;
      while (written < n) written += await to.write(buf.subarray(written, n));
    }
    await to.closeWrite();
  } catch {
    // A reset or a close by the other side or by a timeout: the relay ends.
    closeQuietly(from);
    closeQuietly(to);
  }
}
