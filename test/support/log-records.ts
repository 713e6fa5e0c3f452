/** The whole lines of a node's output; the last one is left out, since it may be half written. */
export const wholeLines = (output: string): string[] => output.split("\n").slice(0, -1);

/** The JSON log records (Pino's lines) among a node's whole lines of output. */
export function logRecords<T = Record<string, unknown>>(output: string): T[] {
  return wholeLines(output)
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as T);
}
