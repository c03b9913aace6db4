/** A policy this module cannot read or evaluate: not JSON, an unknown element or operator. */
export class PolicyReadError extends Error {}
