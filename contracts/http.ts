/** What an action may set in `ctx.meta` for moleculer-web's response. */
export interface HttpMeta {
  $statusCode?: number;
  /** the `Location` header of a 201 or a redirect */
  $location?: string;
}
