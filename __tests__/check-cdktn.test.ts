import { differences } from '../scripts/check-cdktn';

describe('npm run check:cdktn compares synthesized JSON path by path', () => {
  test('equal documents have no differences; a changed, added or removed value is named by its path', () => {
    const base = { '//': { metadata: { version: '0.21.0' } }, resource: { aws_iam_role: { gitlab_ci: { count: '${1}', tags: ['a'] } } } };
    expect(differences(base, JSON.parse(JSON.stringify(base)))).toEqual([]);
    const changed = JSON.parse(JSON.stringify(base));
    changed['//'].metadata.version = '0.24.0';
    changed.resource.aws_iam_role.gitlab_ci.tags = ['b'];
    changed.resource.aws_iam_role.gitlab_ci.path = '/';
    delete changed.resource.aws_iam_role.gitlab_ci.count;
    expect(differences(base, changed).sort()).toEqual([
      '//.metadata.version',
      'resource.aws_iam_role.gitlab_ci.count',
      'resource.aws_iam_role.gitlab_ci.path',
      'resource.aws_iam_role.gitlab_ci.tags.0',
    ]);
  });
});
