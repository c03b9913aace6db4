/** A `moved` block: state at `from` belongs at `to`. */
export interface Move {
  readonly from: string;
  readonly to: string;
}
