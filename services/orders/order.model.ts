import { DataTypes, type ModelAttributes } from "sequelize";
import { minorUnits } from "../../mixins/db";

/** Columns of `orders` (snake_case in SQL, see migrations/). Items are kept whole, as priced. */
export const orderAttributes: ModelAttributes = {
  id: { type: DataTypes.UUID, primaryKey: true },
  customerId: { type: DataTypes.STRING(64), allowNull: false },
  customer: { type: DataTypes.JSONB, allowNull: false },
  currency: { type: DataTypes.CHAR(3), allowNull: false },
  items: { type: DataTypes.JSONB, allowNull: false },
  total: minorUnits("total"),
  status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: "pending" },
  invoiceId: { type: DataTypes.UUID, allowNull: true },
};
