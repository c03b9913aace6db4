import type { RoleCheck } from './trust-checks';

/** IAM quotas that otherwise fail only at apply time (IAM and AWS STS quotas page). */
export const IAM_QUOTAS = {
  trustPolicyLength: { default: 2048, max: 4096 },
  managedPoliciesPerRole: { default: 10, max: 20 },
  roleNameLength: { max: 64 },
  rolePathLength: { max: 512 },
  sessionDuration: { min: 3600, max: 43200 },
} as const;

export interface RoleSize {
  /** The role's entry in the role map (its `label` names it in messages). */
  readonly role: string;
  /** HCL expression of the trust policy's length as IAM counts it. */
  readonly trustPolicyLength: string;
  /** HCL expression of the number of managed policies attached. */
  readonly managedPolicyCount: string;
}

/** Checks that keep a role within the account's quotas, set by the quota variables. */
export function quotaChecks(r: RoleSize): RoleCheck[] {
  const who = `\${${r.role}.label}`;
  return [
    {
      holds: `${r.trustPolicyLength} <= var.trust_policy_max_length`,
      message:
        `${who} has a trust policy of \${${r.trustPolicyLength}} characters; IAM accepts \${var.trust_policy_max_length} ` +
        `(trust_policy_max_length). Use fewer or broader subjects, split the role, or request a quota increase (up to ${IAM_QUOTAS.trustPolicyLength.max}) and raise trust_policy_max_length.`,
    },
    {
      holds: `${r.managedPolicyCount} <= var.max_managed_policies_per_role`,
      message:
        `${who} attaches \${${r.managedPolicyCount}} managed policies; IAM allows \${var.max_managed_policies_per_role} per role ` +
        `(max_managed_policies_per_role). Combine policies, or request a quota increase (up to ${IAM_QUOTAS.managedPoliciesPerRole.max}) and raise max_managed_policies_per_role.`,
    },
  ];
}
