import assert from "node:assert/strict";
import { serve } from "../main.ts";
import { SlowClientGuard } from "./relay.ts";

/** main.ts's server with a guard on an ephemeral port; the handler answers with its peer. */
function guarded(timeouts: { idleTimeoutMs: number; requestTimeoutMs: number }) {
  const guard = new SlowClientGuard(timeouts);
  const server = serve(async (request, info) => {
    const body = request.body ? await request.text() : "";
    return new Response(`${info.remoteAddr.hostname}:${info.remoteAddr.port} ${body}`);
  }, { hostname: "127.0.0.1", port: 0, graceMs: 1000, guard });
  return {
    port: server.port,
    async stop() {
      server.stop();
      await server.finished;
      guard.closeAll();
    },
  };
}

/** Reads until the server closes the connection; returns what it sent. */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch {
      n = null;
    }
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("served directly: requests pass, with the client's own address", async () => {
  const server = guarded({ idleTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/x`, {
      method: "POST",
      body: "a=1",
    });
    const [peer, body] = (await res.text()).split(" ");
    assert.equal(body, "a=1");
    assert.match(peer, /^127\.0\.0\.1:\d+$/);
    // Keep-alive: two requests on one connection, both answered; the handler sees this
    // connection's port, not the relay's.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    const local = (conn.localAddr as Deno.NetAddr).port;
    const request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    await conn.write(
      new TextEncoder().encode(
        request + request.replace("1.1\r\n", "1.1\r\nConnection: close\r\n"),
      ),
    );
    const answers = await readToEnd(conn);
    conn.close();
    assert.equal(answers.match(/HTTP\/1\.1 200/g)?.length, 2, answers);
    assert.ok(answers.includes(`127.0.0.1:${local} `), answers);
  } finally {
    await server.stop();
  }
});

/** Sends `text` on a new connection; returns all the server sent back before closing it. */
async function sendAndWait(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    if (text) await conn.write(new TextEncoder().encode(text));
    return await readToEnd(conn);
  } finally {
    conn.close();
  }
}

Deno.test("served directly: a request that never finishes arriving is cut off", async () => {
  const server = guarded({ idleTimeoutMs: 60_000, requestTimeoutMs: 200 });
  try {
    // Without the relay these reads would wait for ever (Deno.serve has no header timeout):
    // partial headers, and a head whose body never comes.
    assert.equal(await sendAndWait(server.port, "GET / HTTP/1.1\r\nHost: localhost\r\n"), "");
    const head = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nab";
    assert.equal(await sendAndWait(server.port, head), "");
  } finally {
    await server.stop();
  }
});

Deno.test("served directly: a connection that sends nothing is closed", async () => {
  const server = guarded({ idleTimeoutMs: 200, requestTimeoutMs: 60_000 });
  try {
    assert.equal(await sendAndWait(server.port, ""), "");
  } finally {
    await server.stop();
  }
});

Deno.test("served directly: a connection in use stays open past the idle timeout, then closes", async () => {
  const server = guarded({ idleTimeoutMs: 600, requestTimeoutMs: 60_000 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const buf = new Uint8Array(4096);
    // Six requests 150 ms apart: 900 ms in use, each gap well within the 600 ms allowed.
    for (let i = 0; i < 6; i++) {
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      const n = await conn.read(buf);
      assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 200/);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    // Then silence: the relay closes it. No lower bound: a timer late under load would fail it,
    // and the requests above already outlived the first deadline.
    const silent = Date.now();
    assert.equal(await readToEnd(conn), "");
    const waited = Date.now() - silent;
    assert.ok(waited < 2000, `closed after ${waited} ms of silence`);
  } finally {
    conn.close();
    await server.stop();
  }
});

Deno.test("served directly: the relay sends at once, without Nagle's algorithm", async () => {
  // Deno's own HTTP server and fetch set no socket options from JavaScript: the calls seen here
  // are the relay's, for its two connections (the client's, and its own to the server behind).
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dialed = Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const accepted = await listener.accept();
  const tcp = Object.getPrototypeOf(accepted) as Deno.TcpConn;
  accepted.close();
  (await dialed).close();
  listener.close();
  const original = tcp.setNoDelay;
  const calls: (boolean | undefined)[] = [];
  tcp.setNoDelay = function (this: Deno.TcpConn, noDelay?: boolean) {
    calls.push(noDelay);
    return original.call(this, noDelay);
  };
  const server = guarded({ idleTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    await res.body?.cancel();
    assert.deepEqual(calls, [true, true]);
  } finally {
    tcp.setNoDelay = original;
    await server.stop();
  }
});
