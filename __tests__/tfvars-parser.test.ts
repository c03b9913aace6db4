import * as fs from 'fs';
import * as path from 'path';
import { parseTfvars } from '../src/gitlab-ci/tfvars-parser';
import { REPO_ROOT } from './helpers/synth';

describe('parseTfvars', () => {
  test('reads the example tfvars', () => {
    expect(parseTfvars(fs.readFileSync(path.join(REPO_ROOT, 'terraform.tfvars.example'), 'utf8'))).toEqual({
      aws_region: 'ap-south-1',
      mygitlab: 'https://gitlab.com',
      mygitlab_aud_value: 'https://gitlab.com',
      mygitlab_match_field: 'sub',
      mygitlab_match_field1: 'aud',
      mygitlab_match_value: ['project_path:mygroup/myproject:ref_type:branch:ref:main'],
      mygitlab_match_value1: ['https://gitlab.com'],
      role_arn: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
    });
  });

  test('reads maps of objects with quoted keys, nested maps, numbers, escapes and comments', () => {
    const roles = parseTfvars(fs.readFileSync(path.join(REPO_ROOT, 'examples', 'fleet.tfvars'), 'utf8')).roles as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(roles)).toHaveLength(8);
    expect(roles['web-production'].claims).toEqual({ ref_protected: ['true'], project_id: ['40100001', '40100002'] });
    expect(roles['data-etl'].max_session_duration).toBe(7200);
    expect(JSON.parse(roles['data-etl'].inline_policies['etl-bucket']).Statement[0].Action).toEqual(['s3:GetObject', 's3:PutObject']);
  });

  test('reads heredocs, escaped template sequences, null, booleans and colon-separated object entries', () => {
    expect(parseTfvars('a = <<-EOT\n    x\n      y\n    EOT\nb = "$${v} %%{w}"\nc = { k: null, "d e" = [true, false, -1.5e1,] } /* end */')).toEqual({
      a: 'x\n  y\n',
      b: '${v} %{w}',
      c: { k: null, 'd e': [true, false, -15] },
    });
  });

  test('refuses what tfvars cannot hold, naming the file and line', () => {
    expect(() => parseTfvars('a = 1\nb = var.x\n', 'my.tfvars')).toThrow("my.tfvars:2: 'var' is not a literal value");
    expect(() => parseTfvars('a = "${var.x}"', 'my.tfvars')).toThrow('my.tfvars:1: template sequences are not literal values in tfvars');
    expect(() => parseTfvars('a = "open', 'my.tfvars')).toThrow('my.tfvars:1: unterminated string');
  });
});
