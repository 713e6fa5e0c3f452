import { createEnvelope, defineEvent } from "../../contracts/events/envelope";
import type { Inbox } from "../../mixins/messaging/inbox/inbox";
import { type BatchBounds, MessageBatches } from "../../mixins/messaging/inbox/message-batches";
import type { UnitOfWork } from "../../mixins/units/unit-of-work";

const NOTE_TAKEN = defineEvent<{ text: string }>("note.taken", 1, ["notes"], { text: { type: "string" } });

/** Consumer batches over an inbox that has seen nothing, noting the size of each transaction. */
function consumer(bounds: BatchBounds) {
  const applied: number[] = [];
  const inbox = { record: async (ids: string[]) => new Set(ids) } as unknown as Inbox;
  const batches = new MessageBatches(
    inbox,
    {
      group: "notes",
      transact: (work) => work({ connection: {} } as UnitOfWork),
      reply: async () => undefined,
      applied: (_event, messages) => applied.push(messages),
    },
    bounds,
  );
  const consume = (text: string) =>
    batches.consume(
      createEnvelope(NOTE_TAKEN, { text }, { correlationId: "c", causationId: "c", source: "notes-producer" }),
      NOTE_TAKEN,
      async (messages) => messages.map(({ envelope }) => envelope.data.text.length),
    );
  return { applied, consume };
}

describe("MessageBatches", () => {
  it("applies in one transaction no more messages than fit its bytes, however many its count allows", async () => {
    const { applied, consume } = consumer({ maxSize: 100, maxBytes: 10_000 });
    const texts = Array.from({ length: 9 }, (_, i) => "x".repeat(i === 4 ? 20_000 : 3_000));
    await expect(Promise.all(texts.map(consume))).resolves.toEqual(texts.map((text) => text.length));
    expect(applied).toEqual([3, 1, 1, 3, 1]);
  });

  it("applies small messages up to its count", async () => {
    const { applied, consume } = consumer({ maxSize: 4, maxBytes: 10_000 });
    await Promise.all(Array.from({ length: 10 }, () => consume("small")));
    expect(applied).toEqual([4, 4, 2]);
  });
});
