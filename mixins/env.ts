/**
 * A whole number from the environment, or `fallback` when unset. Anything else (a typo, a unit, a
 * negative) stops the node at start-up with the variable's name, instead of becoming `NaN`.
 */
export function integerFromEnv(name: string, fallback: number, { min = 0 } = {}, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}, got '${raw}'`);
  }
  return value;
}
