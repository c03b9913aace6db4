import { decide, WebIdentityRequest } from '../../src/lib/access/decide';
import { PolicyReadError } from '../../src/lib/access/errors';
import { parseOperator, stringLike, keyHolds } from '../../src/lib/access/conditions';
import { readPolicy } from '../../src/lib/access/policy';
import { decideToken, gitlabSubject, requestContext } from '../../src/lib/access/gitlab-token';

/**
 * The decision module against the IAM User Guide. Each block cites the page its cases
 * come from; the keys and values are the page's own where the page gives an example.
 */

const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/gitlab.com';

/** A trust policy with one Allow statement for the provider under `condition`, plus `extra` statements. */
const trust = (condition: object, ...extra: object[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: PROVIDER }, Condition: condition }, ...extra],
});

const request = (context: Record<string, string | string[]>): WebIdentityRequest => ({
  providerArn: PROVIDER,
  context: new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), ([] as string[]).concat(v)])),
});

const decision = (policy: object, context: Record<string, string | string[]>) => decide(policy, request(context)).decision;

describe('Conditions with multiple context keys or values', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
  // "multiple condition operators ... logical AND"; "multiple context keys attached to a single
  // condition operator ... logical AND"; "multiple values for a context key ... logical OR";
  // "a single negated matching condition operator includes multiple values ... logical NOR".
  const pageExample = trust({
    StringEquals: { 'aws:PrincipalTag/department': ['finance', 'hr', 'legal'], 'aws:PrincipalTag/role': ['audit', 'security'] },
    StringLike: { 'aws:PrincipalArn': ['arn:aws:iam::222233334444:user/Ana', 'arn:aws:iam::222233334444:user/Mary'] },
  });
  const ana = 'arn:aws:iam::222233334444:user/Ana';

  test('values of one key are ORed: any listed department will do', () => {
    for (const department of ['finance', 'hr', 'legal']) {
      expect(decision(pageExample, { 'aws:PrincipalTag/department': department, 'aws:PrincipalTag/role': 'audit', 'aws:PrincipalArn': ana })).toBe('allow');
    }
  });

  test('keys under one operator are ANDed: a listed department with an unlisted role is refused', () => {
    expect(decision(pageExample, { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'developer', 'aws:PrincipalArn': ana })).toBe('deny');
  });

  test('operators are ANDed: both tags right but an unlisted principal ARN is refused', () => {
    expect(decision(pageExample, { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'audit', 'aws:PrincipalArn': 'arn:aws:iam::222233334444:user/Bob' })).toBe('deny');
  });

  test('values of a negated operator are NORed: the value must be none of them', () => {
    const negated = trust({ StringNotEquals: { 'aws:PrincipalTag/department': ['finance', 'hr', 'legal'] } });
    expect(decision(negated, { 'aws:PrincipalTag/department': 'engineering' })).toBe('allow');
    expect(decision(negated, { 'aws:PrincipalTag/department': 'hr' })).toBe('deny');
  });

  test('the defect of issue "Who gets in": one key under StringEquals and StringLike lets no GitLab job in', () => {
    const main = gitlabSubject('acme/infra', 'main');
    const tag = gitlabSubject('acme/tools', 'v1.2.0', 'tag');
    const split = trust({
      StringEquals: { 'gitlab.com:sub': [gitlabSubject('acme/infra', 'main')], 'gitlab.com:aud': ['https://gitlab.com'] },
      StringLike: { 'gitlab.com:sub': ['project_path:acme/*:ref_type:tag:ref:v*'] },
    });
    const perKey = trust({
      StringEquals: { 'gitlab.com:aud': ['https://gitlab.com'] },
      StringLike: { 'gitlab.com:sub': [main, 'project_path:acme/*:ref_type:tag:ref:v*'] },
    });
    for (const sub of [main, tag]) {
      expect(decision(split, { 'gitlab.com:sub': sub, 'gitlab.com:aud': 'https://gitlab.com' })).toBe('deny');
      expect(decision(perKey, { 'gitlab.com:sub': sub, 'gitlab.com:aud': 'https://gitlab.com' })).toBe('allow');
    }
    expect(decision(perKey, { 'gitlab.com:sub': gitlabSubject('acme/infra', 'dev'), 'gitlab.com:aud': 'https://gitlab.com' })).toBe('deny');
  });
});

describe('IAM JSON policy elements: Condition operators', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

  test('"If the key that you specify in a policy condition is not present in the request context, the values do not match and the condition is false"', () => {
    // The page's example: StringEquals on aws:PrincipalTag/job-category, made by a principal without the tag.
    const policy = trust({ StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } });
    expect(decision(policy, { 'aws:PrincipalTag/job-category': 'iamuser-admin' })).toBe('allow');
    expect(decision(policy, {})).toBe('deny');
  });

  test('"If the policy condition requires that the key is not matched, such as StringNotLike ..., and the right key is not present, the condition is true"', () => {
    expect(decision(trust({ StringNotLike: { 'gitlab.com:environment': 'prod*' } }), {})).toBe('allow');
    expect(decision(trust({ StringNotLike: { 'gitlab.com:environment': 'prod*' } }), { 'gitlab.com:environment': 'production' })).toBe('deny');
  });

  test('...IfExists: "If the policy key is present in the context of the request, process the key as specified in the policy. If the key is not present, evaluate the condition element as true"', () => {
    // The page's example keys the instance type: an absent key passes, a present one is checked.
    const policy = trust({ StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } });
    expect(decision(policy, {})).toBe('allow');
    expect(decision(policy, { 'ec2:InstanceType': 't2.micro' })).toBe('allow');
    expect(decision(policy, { 'ec2:InstanceType': 'r5.large' })).toBe('deny');
  });

  test('Null: "true" holds when the key is absent, "false" when it is present (the page\'s aws:TokenIssueTime example)', () => {
    const temporaryOnly = trust({ Null: { 'aws:TokenIssueTime': 'false' } });
    expect(decision(temporaryOnly, { 'aws:TokenIssueTime': '2026-11-26T00:00:00Z' })).toBe('allow');
    expect(decision(temporaryOnly, {})).toBe('deny');
    expect(decision(trust({ Null: { 'aws:TokenIssueTime': true } }), {})).toBe('allow');
    expect(() => decision(trust({ Null: { 'aws:TokenIssueTime': 'maybe' } }), {})).toThrow(PolicyReadError);
  });

  test('StringEquals and StringLike are case-sensitive; StringEqualsIgnoreCase is not', () => {
    expect(
      decision(trust({ StringEquals: { 'gitlab.com:sub': 'project_path:Acme/api:ref_type:branch:ref:main' } }), {
        'gitlab.com:sub': 'project_path:acme/api:ref_type:branch:ref:main',
      }),
    ).toBe('deny');
    expect(decision(trust({ StringLike: { 'gitlab.com:sub': 'project_path:Acme/*' } }), { 'gitlab.com:sub': 'project_path:acme/api' })).toBe('deny');
    expect(decision(trust({ StringEqualsIgnoreCase: { 'gitlab.com:sub': 'PROJECT_PATH:ACME/API' } }), { 'gitlab.com:sub': 'project_path:acme/api' })).toBe('allow');
    expect(decision(trust({ StringNotEqualsIgnoreCase: { 'gitlab.com:sub': 'PROJECT_PATH:ACME/API' } }), { 'gitlab.com:sub': 'project_path:acme/api' })).toBe('deny');
  });

  test('StringLike: "*" matches any run of characters, "?" exactly one', () => {
    expect(stringLike('project_path:acme/a/b:ref_type:tag:ref:v1', 'project_path:acme/*:ref_type:tag:ref:v*')).toBe(true);
    expect(stringLike('project_path:acme/api:ref_type:tag:ref:v', 'project_path:acme/api:ref_type:tag:ref:v*')).toBe(true);
    expect(stringLike('release-1', 'release-?')).toBe(true);
    expect(stringLike('release-12', 'release-?')).toBe(false);
    expect(stringLike('release-', 'release-?')).toBe(false);
    // Everything else is literal, regular-expression characters included.
    expect(stringLike('a.b', 'a.b')).toBe(true);
    expect(stringLike('axb', 'a.b')).toBe(false);
    expect(stringLike('a+b(c)', 'a+b(c)')).toBe(true);
  });

  test('StringEquals compares a wildcard literally, so it never matches a real value', () => {
    expect(decision(trust({ StringEquals: { 'gitlab.com:sub': 'project_path:acme/*' } }), { 'gitlab.com:sub': 'project_path:acme/api' })).toBe('deny');
  });
});

describe('Single-valued vs. multivalued context keys: ForAllValues and ForAnyValue', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
  // The examples page's table for a Deny with "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" }.
  const denyUnlessKey1 = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: PROVIDER } },
      { Effect: 'Deny', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: PROVIDER }, Condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } } },
    ],
  };

  test.each([
    [['key1:legal'], 'allow'],
    [['key1:hr', 'key1:personnel'], 'allow'],
    [['key2:audit'], 'deny'],
    [undefined, 'deny'],
  ])('aws:TagKeys %j: the Deny %s', (tags, expected) => {
    expect(decision(denyUnlessKey1, tags ? { 'aws:TagKeys': tags } : {})).toBe(expected);
  });

  test('"ForAllValues ... also returns true if there are no context keys in the request"; ForAnyValue returns false', () => {
    const all = parseOperator('ForAllValues:StringEquals');
    const any = parseOperator('ForAnyValue:StringEquals');
    expect(keyHolds(all, ['production'], undefined)).toBe(true);
    expect(keyHolds(any, ['production'], undefined)).toBe(false);
    expect(keyHolds(all, ['a', 'b'], ['a', 'b'])).toBe(true);
    expect(keyHolds(all, ['a'], ['a', 'b'])).toBe(false);
    expect(keyHolds(any, ['a'], ['b', 'a'])).toBe(true);
    expect(keyHolds(parseOperator('ForAnyValue:StringLikeIfExists'), ['a*'], undefined)).toBe(true);
  });

  test('with an Allow, ForAllValues lets in a token that lacks the claim: the foot-gun scanners flag', () => {
    const policy = trust({ 'ForAllValues:StringEquals': { 'gitlab.com:environment': 'production' } });
    expect(decision(policy, {})).toBe('allow');
    expect(decision(trust({ 'ForAnyValue:StringEquals': { 'gitlab.com:environment': 'production' } }), {})).toBe('deny');
  });
});

describe('Policy evaluation logic and the Condition element', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html

  test('an explicit Deny that applies overrides any Allow', () => {
    const policy = trust(
      { StringLike: { 'gitlab.com:sub': 'project_path:acme/*' } },
      { Sid: 'NoForks', Effect: 'Deny', Action: 'sts:*', Principal: { Federated: PROVIDER }, Condition: { StringLike: { 'gitlab.com:sub': 'project_path:acme/forks/*' } } },
    );
    expect(decide(policy, request({ 'gitlab.com:sub': 'project_path:acme/api' })).decision).toBe('allow');
    expect(decide(policy, request({ 'gitlab.com:sub': 'project_path:acme/forks/api' }))).toEqual({ decision: 'deny', reason: 'explicit Deny in statement "NoForks"' });
  });

  test('with no Allow statement that applies, the request is implicitly denied', () => {
    const denyOnly = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'sts:*', Principal: { Federated: PROVIDER }, Condition: { StringEquals: { 'gitlab.com:sub': 'x' } } }],
    };
    expect(decide(denyOnly, request({ 'gitlab.com:sub': 'y' }))).toEqual({ decision: 'deny', reason: 'no Allow statement covers sts:AssumeRoleWithWebIdentity' });
  });

  test('the Allow must name the provider as Federated principal and cover the action', () => {
    const other = {
      ...trust({}),
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' } },
      ],
    };
    expect(decide(other, request({})).reason).toContain('no Allow statement trusts the provider');
    const wrongAction = { ...trust({}), Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Federated: PROVIDER } }] };
    expect(decide(wrongAction, request({})).reason).toBe('no Allow statement covers sts:AssumeRoleWithWebIdentity');
    const service = { ...trust({}), Statement: [{ Effect: 'Allow', Action: 'sts:*', Principal: { Service: 'ec2.amazonaws.com' } }] };
    expect(decision(service, {})).toBe('deny');
    expect(decision({ ...trust({}), Statement: [{ Effect: 'Allow', Action: ['STS:AssumeRoleWith*'], Principal: { Federated: [PROVIDER] } }] }, {})).toBe('allow');
  });

  test('"Condition key names are not case-sensitive"; values are', () => {
    expect(decision(trust({ StringEquals: { 'GitLab.com:SUB': 'x' } }), { 'gitlab.com:sub': 'x' })).toBe('allow');
  });

  test("a deny names the first condition that failed, with the token's value and the listed values", () => {
    const policy = trust({ StringEquals: { 'gitlab.com:aud': 'https://gitlab.com' }, StringLike: { 'gitlab.com:sub': ['project_path:acme/*:ref_type:tag:ref:v*'] } });
    expect(decide(policy, request({ 'gitlab.com:aud': 'https://gitlab.com', 'gitlab.com:sub': 'project_path:acme/api:ref_type:branch:ref:main' })).reason).toBe(
      'StringLike gitlab.com:sub: the token has "project_path:acme/api:ref_type:branch:ref:main", the role lists ["project_path:acme/*:ref_type:tag:ref:v*"]',
    );
    expect(decide(policy, request({ 'gitlab.com:sub': 'project_path:acme/api:ref_type:tag:ref:v1' })).reason).toBe(
      'StringEquals gitlab.com:aud: the token has no such claim, the role lists ["https://gitlab.com"]',
    );
  });
});

describe('what this module does not know, it reports instead of guessing', () => {
  test.each([
    ['NumericLessThan', { NumericLessThan: { 'gitlab.com:project_id': '100' } }],
    ['a misspelt operator', { StringEqual: { 'gitlab.com:sub': 'x' } }],
    ['NullIfExists', { NullIfExists: { 'gitlab.com:sub': 'true' } }],
    ['a policy variable', { StringLike: { 'gitlab.com:sub': 'project_path:${aws:username}/*' } }],
  ])('%s', (_name, condition) => {
    expect(() => decide(trust(condition), request({}))).toThrow(PolicyReadError);
  });

  test('NotPrincipal, a missing Effect and text that is not JSON', () => {
    expect(() => decide({ Statement: [{ Effect: 'Allow', Action: '*', NotPrincipal: { AWS: '*' } }] }, request({}))).toThrow(/NotPrincipal/);
    expect(() => decide({ Statement: [{ Action: '*', Principal: '*' }] }, request({}))).toThrow(/Effect/);
    expect(() => decide('{not json', request({}))).toThrow(/not JSON/);
  });
});

describe('a GitLab token as STS sees it', () => {
  const provider = { arn: PROVIDER, issuerHost: 'gitlab.com', audiences: ['https://gitlab.com'] };
  const statements = () => readPolicy(trust({ StringEquals: { 'gitlab.com:aud': 'https://gitlab.com', 'gitlab.com:sub': gitlabSubject('acme/api', 'main') } }));

  test('claims become <issuer host>:<claim> keys; on a self-managed issuer only sub and aud are evaluated', () => {
    const claims = { sub: 's', aud: 'a', project_id: '42', environment: 'production' };
    expect([...requestContext('gitlab.com', claims).keys()]).toEqual(['gitlab.com:sub', 'gitlab.com:aud', 'gitlab.com:project_id']);
    expect([...requestContext('gitlab.example.com', claims).keys()]).toEqual(['gitlab.example.com:sub', 'gitlab.example.com:aud']);
  });

  test('an audience the provider does not list is refused before the trust policy is read', () => {
    expect(decideToken(provider, { sub: gitlabSubject('acme/api', 'main'), aud: 'https://gitlab.com' }, statements()).decision).toBe('allow');
    expect(decideToken(provider, { sub: gitlabSubject('acme/api', 'main'), aud: 'sts.amazonaws.com' }, statements()).reason).toMatch(
      /^InvalidIdentityToken: Incorrect token audience/,
    );
  });
});
