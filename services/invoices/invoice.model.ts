import { DataTypes, type ModelAttributes } from "sequelize";
import { minorUnits } from "../../mixins/db";

/** Columns of `invoices`. billTo and lines are the invoice's own copy of the order's data. */
export const invoiceAttributes: ModelAttributes = {
  id: { type: DataTypes.UUID, primaryKey: true },
  number: { type: DataTypes.STRING(20), allowNull: false },
  orderId: { type: DataTypes.UUID, allowNull: false },
  customerId: { type: DataTypes.STRING(64), allowNull: false },
  billTo: { type: DataTypes.JSONB, allowNull: false },
  currency: { type: DataTypes.CHAR(3), allowNull: false },
  lines: { type: DataTypes.JSONB, allowNull: false },
  total: minorUnits("total"),
  status: { type: DataTypes.STRING(8), allowNull: false, defaultValue: "open" },
  issuedAt: { type: DataTypes.DATE, allowNull: false },
  dueAt: { type: DataTypes.DATE, allowNull: false },
  paidAt: { type: DataTypes.DATE, allowNull: true },
  voidedAt: { type: DataTypes.DATE, allowNull: true },
  creditedAt: { type: DataTypes.DATE, allowNull: true },
};
