import type { SqlMigration } from "../../../mixins/migrations";
import { createOrders } from "./001-create-orders";

/** In order of application; never edit one that has shipped, add the next. */
export const migrations: SqlMigration[] = [createOrders];
