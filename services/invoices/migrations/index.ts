import type { SqlMigration } from "../../../mixins/db";
import { answersAsSent, inboxReceivedAtIndex, messagingTables, outboxKeepsOnlyPending } from "../../../mixins/messaging";
import { createInvoices } from "./001-create-invoices";
import { credited } from "./004-credited";
import { listOrderIndexes } from "./006-list-order-indexes";

/** In order of application; never edit one that has shipped, add the next. */
export const migrations: SqlMigration[] = [
  createInvoices,
  messagingTables("002-messaging"),
  outboxKeepsOnlyPending("003-outbox-keeps-only-pending"),
  credited,
  inboxReceivedAtIndex("005-inbox-received-at-index"),
  listOrderIndexes,
  answersAsSent("007-idempotency-answers-as-sent"),
];
