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
 * without the relay.
 * @module
 */

/** The two timeouts. */
export type GuardTimeouts = {
  /** Closes a connection without a byte for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Closes a connection whose request is not answered within this (default 30 s). */
  requestTimeoutMs?: number;
};

/**
 * The relay: serve the handler wrapped by {@linkcode SlowClientGuard.wrap} on a loopback port,
 * then {@linkcode SlowClientGuard.listen} on the public address with that port as the target.
 */
export class SlowClientGuard {
  #peers = new Map<number, Deno.NetAddr>();
  #open = new Set<Deno.Conn>();
  #listener: Deno.Listener | undefined;
  #timeouts: { idle: number; request: number };

  /** @param timeouts how long a connection may stay silent, and a request unanswered */
  constructor(timeouts: GuardTimeouts = {}) {
    this.#timeouts = {
      idle: timeouts.idleTimeoutMs ?? 30_000,
      request: timeouts.requestTimeoutMs ?? 30_000,
    };
  }

  /** Wraps a handler so that it sees the client's address, not the relay's. */
  wrap(handler: Deno.ServeHandler<Deno.NetAddr>): Deno.ServeHandler<Deno.NetAddr> {
    return (request, info) => {
      // The relay's own connection is known by its local port; anything else came directly.
      const peer = this.#peers.get(info.remoteAddr.port);
      return handler(request, peer ? { ...info, remoteAddr: peer } : info);
    };
  }

  /** Listens on the public address and relays each connection to `targetPort` on loopback. */
  listen(address: { hostname: string; port: number }, targetPort: number): Deno.NetAddr {
    const listener = Deno.listen(address);
    this.#listener = listener;
    (async () => {
      try {
        for await (const client of listener) this.#relay(client, targetPort);
      } catch {
        // Closed by close().
      }
    })();
    return listener.addr;
  }

  /** Takes no more connections; those open end when the server behind closes them. */
  close(): void {
    try {
      this.#listener?.close();
    } catch {
      // Already closed.
    }
  }

  /** Closes every open connection at once. */
  closeAll(): void {
    this.close();
    for (const conn of this.#open) closeQuietly(conn);
  }

  /** Relays one connection to the inner server, under the two timeouts. */
  async #relay(client: Deno.Conn, targetPort: number): Promise<void> {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    } catch {
      closeQuietly(client);
      return;
    }
    // Each piece goes out at once: with Nagle's algorithm a large answer's last piece waited for
    // the client's delayed acknowledgement, 40 ms on Linux (a 650 kB page took 45 ms, not 3).
    for (const conn of [client, upstream]) (conn as Deno.TcpConn).setNoDelay(true);
    const key = (upstream.localAddr as Deno.NetAddr).port;
    this.#peers.set(key, client.remoteAddr as Deno.NetAddr);
    this.#open.add(client).add(upstream);
    let inRequest = false;
    // One timer per connection, not one per piece relayed: a piece only moves the deadline, and
    // the timer, when it fires early, waits on for what is left.
    let deadline = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timerAt = Infinity;
    const stop = () => {
      clearTimeout(timer);
      closeQuietly(client);
      closeQuietly(upstream);
    };
    const wait = () => {
      timerAt = deadline;
      timer = setTimeout(() => (Date.now() >= deadline ? stop() : wait()), deadline - Date.now());
    };
    const arm = (ms: number) => {
      deadline = Date.now() + ms;
      if (deadline >= timerAt) return;
      clearTimeout(timer);
      wait();
    };
    arm(this.#timeouts.idle);
    await Promise.allSettled([
      pump(client, {
        to: upstream,
        onData: () => {
          // The first byte of a request starts its deadline; more bytes do not extend it.
          if (!inRequest) arm(this.#timeouts.request);
          inRequest = true;
        },
      }),
      pump(upstream, {
        to: client,
        onData: () => {
          // The answer has begun: the connection is idle again once it stays silent.
          inRequest = false;
          arm(this.#timeouts.idle);
        },
      }),
    ]);
    stop();
    this.#peers.delete(key);
    this.#open.delete(client);
    this.#open.delete(upstream);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** Copies `from` to `to` until `from` ends (then half-closes `to`) or either fails. */
async function pump(
  from: Deno.Conn,
  { to, onData }: { to: Deno.Conn; onData: () => void },
): Promise<void> {
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
