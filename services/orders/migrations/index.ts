import type { SqlMigration } from "../../../mixins/db";
import { answersAsSent, inboxReceivedAtIndex, messagingTables, outboxKeepsOnlyPending } from "../../../mixins/messaging";
import { createOrders } from "./001-create-orders";
import { uninvoicedIndex } from "./003-uninvoiced-index";
import { listOrderIndexes } from "./006-list-order-indexes";

/** In order of application; never edit one that has shipped, add the next. */
export const migrations: SqlMigration[] = [
  createOrders,
  messagingTables("002-messaging"),
  uninvoicedIndex,
  outboxKeepsOnlyPending("004-outbox-keeps-only-pending"),
  inboxReceivedAtIndex("005-inbox-received-at-index"),
  listOrderIndexes,
  answersAsSent("007-idempotency-answers-as-sent"),
];
