import net from "node:net";

/**
 * A TCP relay on loopback between a client and a server (here: PostgreSQL), for the network faults a
 * test cannot get from the server itself: the database unreachable for a while (`down()`: every new
 * connection is reset, open ones are cut) and a connection that goes silent without closing
 * (`freeze()`: open connections stop carrying bytes, as behind a NAT that forgot them).
 */
export interface TcpProxy {
  /** `url` with its host and port replaced by the relay's. */
  via(url: string): string;
  down(): void;
  up(): void;
  freeze(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let refusing = false;
  const server = net.createServer((incoming) => {
    if (refusing) {
      incoming.resetAndDestroy();
      return;
    }
    const outgoing = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [incoming, outgoing];
    pairs.add(pair);
    const cut = () => {
      incoming.destroy();
      outgoing.destroy();
      pairs.delete(pair);
    };
    for (const socket of pair) socket.on("error", cut).on("close", cut);
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const cutAll = () => {
    for (const [incoming, outgoing] of pairs) {
      incoming.resetAndDestroy();
      outgoing.destroy();
    }
    pairs.clear();
  };
  return {
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(port);
      return parsed.toString();
    },
    down() {
      refusing = true;
      cutAll();
    },
    up() {
      refusing = false;
    },
    freeze() {
      for (const [incoming, outgoing] of pairs) {
        incoming.unpipe(outgoing);
        outgoing.unpipe(incoming);
        incoming.pause();
        outgoing.pause();
      }
    },
    async close() {
      cutAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
