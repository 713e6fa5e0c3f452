import { lateInvoices } from "../../../services/invoices/invoice-lag";

describe("lateInvoices", () => {
  it("counts the invoices a second or more late and names the one that waited longest", () => {
    expect(lateInvoices([0.02, 3.5, 1, 12.2, 0.999])).toEqual({ late: 3, longest: 3 });
  });

  it("names none when none is late", () => {
    expect(lateInvoices([0.01, 0.5])).toEqual({ late: 0, longest: -1 });
    expect(lateInvoices([])).toEqual({ late: 0, longest: -1 });
  });

  it("leaves out a lag that is not a number, without losing the others", () => {
    expect(lateInvoices([Number.NaN, 2, Number.NaN, 5])).toEqual({ late: 2, longest: 3 });
  });
});
