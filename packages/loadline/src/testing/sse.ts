/** One Server-Sent Event as a client sees it. */
export type SseEvent = { event: string; id: string | undefined; data: string };

/**
 * Reads an SSE response body into events (the text/event-stream format: `field: value` lines,
 * a blank line ends an event; comment lines start with `:`). For tests and benchmarks of the
 * live routes: it keeps no state but the event being read.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event: { event: string; id: string | undefined; data: string[] } = { event: "message", id: undefined, data: [] };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      newline = buffer.search(/\r\n|\r|\n/);
      if (line === "") {
        if (event.data.length > 0) yield { event: event.event, id: event.id, data: event.data.join("\n") };
        event = { event: "message", id: undefined, data: [] };
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event.event = value;
      else if (field === "id") event.id = value;
      else if (field === "data") event.data.push(value);
    }
  }
}
