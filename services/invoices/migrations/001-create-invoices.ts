import type { SqlMigration } from "../../../mixins/db";

export const createInvoices: SqlMigration = {
  name: "001-create-invoices",
  up: `
    -- one row per year; locking it in the invoice's transaction makes numbers gapless
    CREATE TABLE invoice_counters (
      year        integer PRIMARY KEY,
      last_value  integer NOT NULL
    );
    CREATE TABLE invoices (
      id           uuid PRIMARY KEY,
      number       varchar(20)  NOT NULL UNIQUE,
      order_id     uuid         NOT NULL UNIQUE,
      customer_id  varchar(64)  NOT NULL,
      bill_to      jsonb        NOT NULL,
      currency     char(3)      NOT NULL,
      lines        jsonb        NOT NULL,
      total        bigint       NOT NULL CHECK (total >= 0),
      status       varchar(8)   NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'void')),
      issued_at    timestamptz  NOT NULL,
      due_at       timestamptz  NOT NULL,
      paid_at      timestamptz,
      voided_at    timestamptz,
      created_at   timestamptz  NOT NULL DEFAULT now(),
      updated_at   timestamptz  NOT NULL DEFAULT now()
    );
    CREATE INDEX invoices_created_at_idx ON invoices (created_at DESC);
    CREATE INDEX invoices_customer_created_at_idx ON invoices (customer_id, created_at DESC);
  `,
  down: `DROP TABLE invoices; DROP TABLE invoice_counters;`,
};
