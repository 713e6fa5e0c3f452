import type { redactOptions } from "pino";

/**
 * The fields of a logged error that carry the rows and values of a statement: PostgreSQL's `detail`
 * ("Failing row contains (…)", "Key (…)=(…) already exists"), `where` and `internalQuery`, and
 * Sequelize's `sql`, bind `parameters`, `fields` and validation items (`errors`, each with its
 * value and model instance). Customers' data must not reach the logs, nor Loki through them.
 */
const ROW_DATA = ["detail", "where", "internalQuery", "sql", "parameters", "fields", "errors"];

/**
 * Pino's redaction for the JSON lines: the row-data fields are removed from a line's `err`, and from
 * the errors it wraps (Sequelize's `original` and `parent`, the pg error). The error's type, message,
 * stack, SQLSTATE `code`, `constraint`, `table` and `column` stay: they tell what failed and where.
 */
export const withoutRowData: redactOptions = {
  paths: [
    ...ROW_DATA.flatMap((field) => [`err.${field}`, `err.*.${field}`]),
    // Pino's serializer lists an `errors` array as `aggregateErrors` too: Sequelize's items are error-like.
    "err.aggregateErrors[*].value",
    "err.aggregateErrors[*].instance",
  ],
  remove: true,
};
