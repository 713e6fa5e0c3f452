import { stdSerializers } from "pino";

/**
 * The fields of an error that carry the rows and values of a statement: PostgreSQL's `detail`
 * ("Failing row contains (…)", "Key (…)=(…) already exists"), `where` and `internalQuery`, and
 * Sequelize's `sql`, bind `parameters`, `fields`, validation items (`errors`) and their `value` and
 * model `instance`. Customers' data must not reach the logs, nor Loki through them.
 */
const ROW_DATA = new Set(["detail", "where", "internalQuery", "sql", "parameters", "fields", "errors", "value", "instance"]);

/**
 * A copy of a serialized error without the row-data fields, at any depth: wrapped errors, aggregated
 * ones. An object met again on its own path is written as Pino writes a cycle.
 */
function withoutRowData(value: unknown, path = new Set<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (path.has(value)) return "[Circular]";
  path.add(value);
  const copy = Array.isArray(value)
    ? value.map((item) => withoutRowData(item, path))
    : Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => !ROW_DATA.has(key))
          .map(([key, field]) => [key, withoutRowData(field, path)]),
      );
  path.delete(value);
  return copy;
}

/**
 * Pino's error serializer for the JSON lines, less the row data: the error's type, message, stack,
 * SQLSTATE `code`, `constraint`, `table` and `column` stay, on it and on the errors it wraps
 * (Sequelize's `original` and `parent`, the pg error), and tell what failed and where. The logged error
 * itself is left as it was.
 */
function errorWithoutRowData(err: unknown): unknown {
  return withoutRowData(stdSerializers.err(err as Error));
}

/**
 * The JSON logger's serializers: a line's `err`, and any error among the further arguments Moleculer
 * logged with the message (`args`, see log-arguments.ts), which Pino would otherwise write as it is.
 */
export const serializersWithoutRowData = {
  err: errorWithoutRowData,
  args: (args: unknown[]) => args.map((arg) => (arg instanceof Error ? errorWithoutRowData(arg) : arg)),
};
