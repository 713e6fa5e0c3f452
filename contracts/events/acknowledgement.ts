/**
 * Sent by a consumer group back to the producing service once a message is applied (or was
 * already): the producer's relay stops re-emitting it. It is itself fire-and-forget; a lost
 * acknowledgement only costs one redelivery, which the consumer's inbox skips.
 */
export const MESSAGE_ACKNOWLEDGED = "message.acknowledged";

export interface Acknowledgement {
  messageId: string;
  /** the consumer group (service) that applied the message */
  group: string;
}

export const acknowledgementParams = {
  messageId: { type: "uuid" },
  group: { type: "string", min: 1 },
} as const;

/**
 * Sent by a consumer group whose handler failed on a message for a reason a retry will not cure
 * (invalid message, a bug): after `OUTBOX_MAX_FAILURES` of them the producer parks the message.
 * A consumer that is merely down or has lost its database sends nothing; the relay keeps trying.
 */
export const MESSAGE_REJECTED = "message.rejected";

export interface Rejection extends Acknowledgement {
  error: string;
}

export const rejectionParams = {
  ...acknowledgementParams,
  error: { type: "string" },
} as const;
