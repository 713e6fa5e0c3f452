/**
 * A list's one order: newest first by a timestamp, the id breaking ties. A timestamp alone is not
 * unique (a group-committed batch shares one), and rows of equal rank come back in whatever order
 * the plan gives, so page boundaries could show a row twice and skip another. `(time, id)` gives
 * every row one position, for page numbers and cursors alike.
 */
export class ListOrder {
  constructor(private readonly time: string) {}

  /** The order in moleculer-db's terms, for pages by number. */
  get sort(): string[] {
    return [`-${this.time}`, "-id"];
  }
}
