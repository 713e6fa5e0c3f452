import { connect, createServer, type Socket } from "node:net";
import { TEST_POSTGRES_URL } from "./environment";

/**
 * A TCP proxy in front of the test PostgreSQL that breaks one connection at a chosen statement, the
 * way a network or a server crash would: before the statement reaches PostgreSQL, or after
 * PostgreSQL has run it to the end (committed, if it commits) but before its answer reaches the
 * client. It reads the PostgreSQL protocol just enough for that: each message is a type byte and a
 * length; a statement's text is in a Query or Parse message, a prepared statement's name in Bind.
 */
export interface PgFaultProxy {
  /** the test database URL `database`, through the proxy */
  url(database: string): string;
  /** Breaks the connection that sends the next statement matching `pattern`, before it reaches PostgreSQL. */
  breakBefore(pattern: RegExp): Promise<void>;
  /** Lets the next statement matching `pattern` run to the end, then breaks its connection instead of answering. */
  breakAfter(pattern: RegExp): Promise<void>;
  /**
   * Breaks only the client's side of the connection that sends the next statement matching `pattern`,
   * before it reaches PostgreSQL, as a half-open connection does: the server's side stays open, and
   * PostgreSQL keeps the session in its transaction, with its locks, until something ends it.
   */
  cutClientBefore(pattern: RegExp): Promise<void>;
  /** Closes the server's side of every connection cut so far: PostgreSQL then ends those sessions itself. */
  closeCutConnections(): void;
  close(): Promise<void>;
}

interface Trap {
  pattern: RegExp;
  when: "before" | "after" | "client side";
  sprung(): void;
}

/** The text a frontend message carries: Query's SQL, Parse's SQL (and name), Bind's statement name. */
function statementOf(type: string, body: Buffer): string | undefined {
  const strings = () => body.toString("utf8").split("\0");
  if (type === "Q") return strings()[0];
  if (type === "P") return `${strings()[0]} ${strings()[1]}`;
  if (type === "B") return strings()[1];
  return undefined;
}

/** Calls `onMessage(type, body)` for each whole message in the stream, the first one untyped (startup). */
function messageReader(onMessage: (type: string, body: Buffer, raw: Buffer) => void, startsUntyped: boolean) {
  let pending = Buffer.alloc(0);
  let untyped = startsUntyped;
  return (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      const header = untyped ? 0 : 1;
      if (pending.length < header + 4) return;
      const length = pending.readInt32BE(header);
      if (pending.length < header + length) return;
      const raw = pending.subarray(0, header + length);
      onMessage(untyped ? "" : String.fromCharCode(raw[0]), raw.subarray(header + 4), raw);
      pending = pending.subarray(header + length);
      untyped = false;
    }
  };
}

export async function startPgFaultProxy(): Promise<PgFaultProxy> {
  const target = new URL(TEST_POSTGRES_URL);
  let trap: Trap | undefined;
  const sockets = new Set<Socket>();
  const halfOpenUpstreams = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    const breakBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    let halfOpen = false;
    let breakAtReady = false;

    client.on(
      "data",
      messageReader((type, body, raw) => {
        // Nothing more of a cut client reaches PostgreSQL, not even the rest of the write the cut statement came in.
        if (halfOpen) return;
        const statement = statementOf(type, body);
        if (trap && statement !== undefined && trap.pattern.test(statement)) {
          const sprung = trap;
          trap = undefined;
          sprung.sprung();
          if (sprung.when === "before") return breakBoth();
          if (sprung.when === "client side") {
            halfOpen = true;
            halfOpenUpstreams.add(upstream);
            return void client.destroy();
          }
          breakAtReady = true;
        }
        upstream.write(raw);
      }, true),
    );
    upstream.on(
      "data",
      messageReader((type, _body, raw) => {
        // Once the trapped statement is sent, nothing more reaches the client: at ReadyForQuery the
        // server has finished it (and committed it, outside a transaction block).
        if (!breakAtReady) return void client.write(raw);
        if (type === "Z") breakBoth();
      }, false),
    );
    client.on("close", () => halfOpen || upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  const arm = (pattern: RegExp, when: Trap["when"]) => new Promise<void>((sprung) => (trap = { pattern, when, sprung }));
  return {
    url(database) {
      const url = new URL(TEST_POSTGRES_URL);
      url.host = `127.0.0.1:${port}`;
      url.pathname = `/${database}`;
      return url.toString();
    },
    breakBefore: (pattern) => arm(pattern, "before"),
    breakAfter: (pattern) => arm(pattern, "after"),
    cutClientBefore: (pattern) => arm(pattern, "client side"),
    closeCutConnections() {
      for (const upstream of halfOpenUpstreams) upstream.destroy();
      halfOpenUpstreams.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
