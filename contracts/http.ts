/** What an action may set in `ctx.meta` for moleculer-web's response. */
export interface HttpMeta {
  /** the request's `Idempotency-Key` header, set by the gateway */
  idempotencyKey?: string;
  $statusCode?: number;
  /** the `Location` header of a 201 or a redirect */
  $location?: string;
  $responseHeaders?: Record<string, string>;
}
