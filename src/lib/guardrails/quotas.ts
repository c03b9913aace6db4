import { RoleCheck, refusing } from './check';

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

/** The account's limits, each an HCL expression, and where it is set (plain text, for the fix). */
export interface QuotaLimits {
  readonly trustPolicyMaxLength: { readonly expression: string; readonly setIn: string };
  readonly maxManagedPoliciesPerRole: { readonly expression: string; readonly setIn: string };
}

/** Checks that keep a role within the account's quotas, set by the quota variables. */
export function quotaChecks(r: RoleSize, limits: QuotaLimits): RoleCheck[] {
  const who = `\${${r.role}.label}`;
  const length = limits.trustPolicyMaxLength;
  const policies = limits.maxManagedPoliciesPerRole;
  return [
    refusing(
      'n',
      r.trustPolicyLength,
      `n > ${length.expression}`,
      `${who} has a trust policy of \${n} characters; IAM accepts \${${length.expression}} ` +
        `(${length.setIn}). Use fewer or broader subjects, split the role, or request a quota increase (up to ${IAM_QUOTAS.trustPolicyLength.max}) and raise ${length.setIn}.`,
    ),
    refusing(
      'n',
      r.managedPolicyCount,
      `n > ${policies.expression}`,
      `${who} attaches \${n} managed policies; IAM allows \${${policies.expression}} per role ` +
        `(${policies.setIn}). Combine policies, or request a quota increase (up to ${IAM_QUOTAS.managedPoliciesPerRole.max}) and raise ${policies.setIn}.`,
    ),
  ];
}
