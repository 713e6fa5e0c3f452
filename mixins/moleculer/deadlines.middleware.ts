import type { Context, Middleware } from "moleculer";

type Handler = (ctx: Context) => Promise<unknown>;

/** The header that carries when a call's caller gives up, in milliseconds since the epoch. */
export const DEADLINE = "deadline";

/**
 * Stamps every call leaving a node with the moment its caller gives up: now plus what is left of its
 * timeout. Moleculer sends the timeout as a duration, which the callee starts counting only when it
 * takes the call up; time the call spent on the way (a socket, a busy event loop, a queue) is then
 * invisible to it. The stamp lets the callee refuse work its caller will no longer wait for.
 */
export const DeadlinesMiddleware = {
  name: "Deadlines",

  remoteAction(next: Handler): Handler {
    return (ctx: Context) => {
      const timeout = ctx.options.timeout ?? 0;
      if (timeout > 0) ctx.headers = { ...ctx.headers, [DEADLINE]: Date.now() + timeout };
      return next(ctx);
    };
  },
} as unknown as Middleware;

/** Milliseconds before the caller of `ctx` gives up (negative once it has); Infinity without a stamp. */
export function remainingMs(ctx: Context): number {
  const deadline = Number(ctx.headers?.[DEADLINE]);
  return Number.isFinite(deadline) ? deadline - Date.now() : Infinity;
}
