/**
 * Sent by a consumer group back to the producing service once messages are applied (or were
 * already), one per batch: the producer's relay stops re-emitting them. It is itself
 * fire-and-forget; a lost acknowledgement only costs a redelivery, which the consumer's inbox skips.
 */
export const MESSAGE_ACKNOWLEDGED = "message.acknowledged";

export interface Acknowledgement {
  messageIds: string[];
  /** the consumer group (service) that applied the messages */
  group: string;
}

const group = { type: "string", min: 1 } as const;

export const acknowledgementParams = {
  messageIds: { type: "array", items: "uuid", min: 1 },
  group,
} as const;

/**
 * Sent by a consumer group whose handler failed on a message for a reason a retry will not cure
 * (invalid message, a bug): after `OUTBOX_MAX_FAILURES` of them the producer parks the message.
 * A consumer that is merely down or has lost its database sends nothing; the relay keeps trying.
 */
export const MESSAGE_REJECTED = "message.rejected";

export interface Rejection {
  messageId: string;
  group: string;
  error: string;
}

export const rejectionParams = {
  messageId: { type: "uuid" },
  group,
  error: { type: "string" },
} as const;
