import { describe, expect, it } from "vitest";
import { Inbox } from "./inbox.ts";

describe("Inbox", () => {
  it("hands over what has arrived, up to a maximum, and waits when empty", async () => {
    const inbox = new Inbox<number>();
    for (const n of [1, 2, 3]) inbox.push(n);
    expect(await inbox.take(2)).toEqual([1, 2]);
    expect(await inbox.take(2)).toEqual([3]);
    const waiting = inbox.take(5);
    inbox.push(4);
    inbox.push(5); // arrived while the taker was waking up: same batch
    expect(await waiting).toEqual([4, 5]);
    inbox.push(6);
    expect(await inbox.take(5)).toEqual([6]);
  });

  it("answers what is left after close, then null", async () => {
    const inbox = new Inbox<string>();
    inbox.push("a");
    inbox.close();
    expect(await inbox.take(10)).toEqual(["a"]);
    expect(await inbox.take(10)).toBeNull();
    const empty = new Inbox<string>();
    const pending = empty.take(1);
    empty.close();
    expect(await pending).toBeNull();
  });

  it("takes the next batch early only when it is full, else once the batch ahead is done", async () => {
    const inbox = new Inbox<number>();
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    inbox.push(1);
    const next = inbox.takeWhen(3, committing);
    inbox.push(2);
    await new Promise((r) => setImmediate(r));
    expect(inbox.size).toBe(2); // not taken: neither full nor the batch ahead done
    commit();
    expect(await next).toEqual([1, 2]);

    for (const n of [3, 4, 5, 6]) inbox.push(n);
    expect(await inbox.takeWhen(3, new Promise(() => undefined))).toEqual([3, 4, 5]); // full: taken at once
    inbox.close();
    expect(await inbox.takeWhen(3, new Promise(() => undefined))).toEqual([6]);
    expect(await inbox.takeWhen(3, Promise.resolve())).toBeNull();
  });
});
