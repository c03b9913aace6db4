import { RoleCheck, noneFound, refusing } from './check';
import { INLINE_POLICY_NAME, JSON_DOCUMENT, MANAGED_POLICY_ARN, PERMISSIONS_BOUNDARY, ROLE_DESCRIPTION, ROLE_PATH, ROLE_TAGS, SESSION_DURATION, ValueRule } from './rules';

/**
 * The checks of a role's own attributes in a map of roles (`ROLES_TYPE`) known only at plan:
 * its policies and IAM attributes. (Its subjects, audiences, claim names and claim values are
 * checked with its whole trust, by the role map.) A role known at synth gets the same rules from
 * `GitlabCiRole`'s prop checks.
 */

/** A rule on one attribute of a role: how messages name the attribute, and the values it reads (an HCL list or one value). */
export interface RoleAttributeRule {
  readonly attribute: string;
  readonly rule: ValueRule;
  /** HCL: the list of values the rule applies to, of the role `role`. */
  readonly each?: (role: string) => string;
  /** HCL: the one value the rule applies to, of the role `role`. */
  readonly value?: (role: string) => string;
}

export const ROLE_ATTRIBUTE_RULES: readonly RoleAttributeRule[] = [
  { attribute: 'managed_policy_arns', each: (role) => `${role}.managed_policy_arns`, rule: MANAGED_POLICY_ARN },
  { attribute: 'inline policy names', each: (role) => `keys(${role}.inline_policies)`, rule: INLINE_POLICY_NAME },
  { attribute: 'inline policies', each: (role) => `values(${role}.inline_policies)`, rule: JSON_DOCUMENT },
  { attribute: 'permissions_boundary', value: (role) => `${role}.permissions_boundary`, rule: PERMISSIONS_BOUNDARY },
  { attribute: 'max_session_duration', value: (role) => `${role}.max_session_duration`, rule: SESSION_DURATION },
  { attribute: 'path', value: (role) => `${role}.path`, rule: ROLE_PATH },
  { attribute: 'description', value: (role) => `${role}.description`, rule: ROLE_DESCRIPTION },
  { attribute: 'tags', value: (role) => `${role}.tags`, rule: ROLE_TAGS },
];

/** The checks of the role `role` (an HCL object of `ROLES_TYPE`), each message starting with `who` (template text). */
export function roleAttributeChecks(role: string, who: string): RoleCheck[] {
  return ROLE_ATTRIBUTE_RULES.map(({ attribute, rule, each, value }) =>
    each
      ? noneFound(`[for v in ${each(role)} : v if ${rule.rejects('v')}]`, `${who} has invalid ${attribute} \${jsonencode(found)}: ${rule.fix}.`)
      : refusing('v', value!(role), rule.rejects('v'), `${who} has invalid ${attribute} \${jsonencode(v)}: ${rule.fix}.`),
  );
}
