import type { SqlMigration } from "../../../mixins/migrations";
import { createInvoices } from "./001-create-invoices";

/** In order of application; never edit one that has shipped, add the next. */
export const migrations: SqlMigration[] = [createInvoices];
