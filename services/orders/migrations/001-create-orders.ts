import type { SqlMigration } from "../../../mixins/db";

export const createOrders: SqlMigration = {
  name: "001-create-orders",
  up: `
    CREATE TABLE orders (
      id           uuid PRIMARY KEY,
      customer_id  varchar(64)  NOT NULL,
      customer     jsonb        NOT NULL,
      currency     char(3)      NOT NULL,
      items        jsonb        NOT NULL,
      total        bigint       NOT NULL CHECK (total >= 0),
      status       varchar(16)  NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'invoiced', 'paid', 'cancelled')),
      invoice_id   uuid,
      created_at   timestamptz  NOT NULL DEFAULT now(),
      updated_at   timestamptz  NOT NULL DEFAULT now()
    );
    CREATE INDEX orders_created_at_idx ON orders (created_at DESC);
    CREATE INDEX orders_customer_created_at_idx ON orders (customer_id, created_at DESC);
    CREATE INDEX orders_status_created_at_idx ON orders (status, created_at DESC);
  `,
  down: `DROP TABLE orders;`,
};
