import { Errors } from "moleculer";

export interface StateMachine<S extends string> {
  /**
   * For events: the state after moving `current` to `target`, or `null` when that move has already
   * happened (a redelivered event is then harmless). An illegal move is a 409 naming the current state.
   */
  transition(current: S, target: S): S | null;
  /** For commands: like `transition`, but asking again for what has already happened is a 409 too. */
  command(current: S, target: S): S;
}

/**
 * A status lifecycle from its table of allowed moves and the order of its happy path (a step at or
 * behind the current one has already happened).
 */
export function stateMachine<S extends string>(
  entity: string,
  allowed: Record<S, readonly S[]>,
  progress: Partial<Record<S, number>>,
): StateMachine<S> {
  const illegal = (current: S, target: S) =>
    new Errors.MoleculerClientError(`${entity} is ${current}; it cannot become ${target}`, 409, "ILLEGAL_TRANSITION", {
      status: current,
      target,
    });

  function transition(current: S, target: S): S | null {
    if (allowed[current].includes(target)) return target;
    const from = progress[current];
    const to = progress[target];
    if (current === target || (from !== undefined && to !== undefined && to <= from)) return null;
    throw illegal(current, target);
  }

  return {
    transition,
    command(current, target) {
      const next = transition(current, target);
      if (next === null) throw illegal(current, target);
      return next;
    },
  };
}
