/** The database module: what a service uses to reach its own PostgreSQL database. */

export { between, type DbMethods, type DbMixinOptions, dbMixin, minorUnits } from "./db.mixin";
export type { SqlMigration } from "./migrations";
export { SqlStatement } from "./sql";
