/*
 * A byte pipe to clubcrmd: what the client needs of a transport. In the
 * browser it is a WebSocket on the page's own origin (`/ws`, binary
 * messages carrying the protocol's bytes); the library's tests in Node use
 * a TCP socket to the native listener, so the same code is tested without
 * a browser.
 */
export interface PipeEvents {
  onOpen(): void;
  onBytes(bytes: Uint8Array): void;
  /** The pipe ended (or never opened); `why` is for the logs. */
  onClose(why: string): void;
}

export interface Pipe {
  send(bytes: Uint8Array): void;
  close(): void;
}

export type PipeFactory = (events: PipeEvents) => Pipe;

/** The WebSocket subprotocol clubcrmd's web listener speaks. */
export const WS_PROTOCOL = "clubcrm.v1";

/** The page's own server: ws(s)://host/ws. */
export function pageWebSocketUrl(loc: Location = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws`;
}

export function webSocketPipe(url: string): PipeFactory {
  return (ev) => {
    const ws = new WebSocket(url, WS_PROTOCOL);
    ws.binaryType = "arraybuffer";
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      ev.onClose(why);
    };
    ws.onopen = () => ev.onOpen();
    ws.onmessage = (m) => {
      if (m.data instanceof ArrayBuffer) ev.onBytes(new Uint8Array(m.data));
      else end("text message from the server");
    };
    ws.onerror = () => end("connection error");
    ws.onclose = (c) => end(`closed (${c.code}${c.reason ? ": " + c.reason : ""})`);
    return {
      send: (bytes) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
      },
      close: () => {
        end("closed by the client");
        ws.close();
      },
    };
  };
}
