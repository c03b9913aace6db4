/** A policy this module cannot read or evaluate: not JSON, an unknown element or operator. */
export class PolicyReadError extends Error {}

/** Input a decision cannot be made from (a token that names no issuer where the file trusts several, …): commands print it as one line. */
export class DecisionInputError extends Error {}
