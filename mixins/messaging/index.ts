/** The messaging module: integration events through an outbox, consumed once through an inbox. */
export type { Consumed } from "./inbox/message-batches";
export { type MessagingMethods, messagingMixin, notYet } from "./messaging.mixin";
export type { OutboxReport } from "./outbox/outbox";
export { answersAsSent, inboxReceivedAtIndex, messagingTables, outboxKeepsOnlyPending } from "./tables";
