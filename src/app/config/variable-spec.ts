import { Validation } from '../../lib/guardrails/rules';

/** A Terraform input variable of the stack. */
export interface VariableSpec {
  readonly name: string;
  /** Terraform type constraint, e.g. `string` or `map(object({…}))`. */
  readonly type: string;
  readonly description: string;
  /**
   * Default value; `null` makes the variable optional with no value.
   * @default no default: the variable is required
   */
  readonly default?: unknown;
  readonly validations: readonly Validation[];
}
