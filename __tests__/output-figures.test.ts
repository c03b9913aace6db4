import { synthStack } from './helpers/synth';

/**
 * The generated Terraform as a reviewer reads it: figures that may only go down, so that
 * what was cleaned up cannot drift back. Lower them when the output shrinks.
 */
const MOST_LINES = 883;
const LONGEST_LINE = 200;

describe("the default app's cdk.tf, as a reviewer reads it", () => {
  const { text } = synthStack({}, { hcl: true });
  const lines = text.split('\n');

  test(`at most ${MOST_LINES} lines, none over ${LONGEST_LINE} characters`, () => {
    expect(lines.length).toBeLessThanOrEqual(MOST_LINES);
    expect(lines.filter((line) => line.length > LONGEST_LINE)).toEqual([]);
  });

  test('no double negation, and no map from each key to itself', () => {
    expect(lines.filter((line) => line.includes('!(!'))).toEqual([]);
    expect(lines.filter((line) => /for (\w+)(, \w+)? in [^:]+ : \1 => \1\b/.test(line))).toEqual([]);
    expect(lines.filter((line) => /zipmap\(([^,]+), \1\)/.test(line))).toEqual([]);
  });

  test('deprecation-free under aws provider 5.x and 6.x: no attribute of aws_region, which 6.x renamed', () => {
    expect(lines.filter((line) => line.includes('data.aws_region'))).toEqual([]);
  });

  test('neutral names: no word a reader who never saw the hand-written setup would need explained', () => {
    expect(lines.filter((line) => /article/i.test(line))).toEqual([]);
  });

  test("each resource's arguments come in the registry examples' order, after its meta-arguments", () => {
    const argumentsOf = (header: string) => {
      const block = text.slice(text.indexOf(header), text.indexOf('\n}', text.indexOf(header)));
      return [...block.matchAll(/^ {2}([a-z_]+) +=/gm)].map((m) => m[1]);
    };
    expect(argumentsOf('resource "aws_iam_role" "gitlab_ci"')).toEqual([
      'count',
      'name',
      'name_prefix',
      'path',
      'description',
      'assume_role_policy',
      'max_session_duration',
      'permissions_boundary',
      'tags',
    ]);
    expect(argumentsOf('resource "aws_iam_openid_connect_provider" "gitlab"')).toEqual(['count', 'url', 'client_id_list', 'thumbprint_list']);
  });
});
