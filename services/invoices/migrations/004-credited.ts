import type { SqlMigration } from "../../../mixins/db";

/** A paid invoice whose order is cancelled is credited, never voided (contracts/lifecycle.ts). */
export const credited: SqlMigration = {
  name: "004-credited",
  up: `
    ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
    ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('open', 'paid', 'void', 'credited'));
    ALTER TABLE invoices ADD COLUMN credited_at timestamptz;
  `,
  down: `
    ALTER TABLE invoices DROP COLUMN credited_at;
    ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
    ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('open', 'paid', 'void'));
  `,
};
