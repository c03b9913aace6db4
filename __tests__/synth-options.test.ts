import { readSynthOptions } from '../src/config/synth-options';

describe('synth options', () => {
  test('default to the tls thumbprint and the local backend', () => {
    expect(readSynthOptions({}, {})).toEqual({
      thumbprintSource: 'tls',
      backend: 'local',
      backendConfig: {},
      ciTfvars: [],
      ciIdTokenAudience: undefined,
      manageGitlabVariables: false,
    });
  });

  test('are read from the cdktf.json context', () => {
    expect(readSynthOptions({ thumbprintSource: 'none', backend: 'http' }, {})).toMatchObject({ thumbprintSource: 'none', backend: 'http' });
  });

  test('environment variables override the context', () => {
    const options = readSynthOptions({ thumbprintSource: 'tls', backend: 'local' }, { GITLAB_OIDC_THUMBPRINT_SOURCE: 'none', GITLAB_OIDC_BACKEND: 'none' });
    expect(options).toMatchObject({ thumbprintSource: 'none', backend: 'none' });
  });

  test('an unknown thumbprint source names the option, where it was read and the allowed values', () => {
    expect(() => readSynthOptions({ thumbprintSource: 'https' }, {})).toThrow(
      'Unknown thumbprintSource "https" (from cdktf.json context "thumbprintSource"): use one of "tls", "none".',
    );
    expect(() => readSynthOptions({}, { GITLAB_OIDC_THUMBPRINT_SOURCE: 'TLS' })).toThrow(
      'Unknown thumbprintSource "TLS" (from environment variable GITLAB_OIDC_THUMBPRINT_SOURCE)',
    );
  });

  test('an unknown backend is refused', () => {
    expect(() => readSynthOptions({ backend: 'gcs' }, {})).toThrow('use one of "local", "s3", "http", "none"');
  });

  test('backend settings that look like credentials are refused, so no secret reaches the output', () => {
    for (const key of ['secret_key', 'access_key', 'password', 'token']) {
      expect(() => readSynthOptions({ backend: 's3', backendConfig: { bucket: 'b', [key]: 'x' } }, {})).toThrow(
        `backendConfig.${key} (from cdktf.json context "backendConfig") looks like a credential`,
      );
    }
  });

  test('backend settings come from JSON in GITLAB_OIDC_BACKEND_CONFIG, and bad JSON is explained', () => {
    expect(readSynthOptions({ backend: 's3' }, { GITLAB_OIDC_BACKEND_CONFIG: '{"bucket":"b","key":"k"}' }).backendConfig).toEqual({ bucket: 'b', key: 'k' });
    expect(() => readSynthOptions({ backend: 's3' }, { GITLAB_OIDC_BACKEND_CONFIG: 'bucket=b' })).toThrow('GITLAB_OIDC_BACKEND_CONFIG is not JSON');
  });

  test('backend settings without a backend to hold them are refused', () => {
    expect(() => readSynthOptions({ backend: 'none', backendConfig: { bucket: 'b' } }, {})).toThrow('backendConfig is set but backend is "none"');
  });

  test('GitLab CI options: tfvars files (a list, or comma-separated in the environment), the job audience, the GitLab switch', () => {
    expect(readSynthOptions({ ciTfvars: ['a.tfvars'] }, { GITLAB_OIDC_CI_TFVARS: 'terraform.tfvars, examples/fleet.tfvars' }).ciTfvars).toEqual([
      'terraform.tfvars',
      'examples/fleet.tfvars',
    ]);
    expect(readSynthOptions({ ciIdTokenAudience: 'https://gitlab.com' }, {}).ciIdTokenAudience).toBe('https://gitlab.com');
    expect(readSynthOptions({}, { GITLAB_OIDC_MANAGE_GITLAB_VARIABLES: 'true' }).manageGitlabVariables).toBe(true);
  });

  test('bad GitLab CI options are refused with the fix', () => {
    expect(() => readSynthOptions({ manageGitlabVariables: 'yes' }, {})).toThrow('manageGitlabVariables "yes" (from cdktf.json context "manageGitlabVariables"): use true or false.');
    expect(() => readSynthOptions({ ciIdTokenAudience: 'https://*' }, {})).toThrow('must be one exact audience');
    expect(() => readSynthOptions({ ciTfvars: 'x' }, {})).not.toThrow();
    expect(() => readSynthOptions({ ciTfvars: [1] }, {})).toThrow('ciTfvars (from cdktf.json context "ciTfvars") must list tfvars files');
  });
});
