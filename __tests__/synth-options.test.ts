import { checkOptionNames, readSynthOptions } from '../src/app/config/synth-options';

describe('synth options', () => {
  test('default to the tls thumbprint and the local backend', () => {
    expect(readSynthOptions({}, {})).toEqual({
      thumbprintSource: 'tls',
      backend: 'local',
      backendConfig: {},
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

  test('a backend setting the chosen backend does not take is refused, naming the backend that takes it or the nearest setting', () => {
    expect(() => readSynthOptions({ backend: 'local', backendConfig: { bucket: 'b', key: 'k' } }, {})).toThrow(
      'backendConfig.bucket is not a setting of the "local" backend: it is a setting of the "s3" backend: set "backend": "s3" in the cdktf.json context, or remove it.',
    );
    expect(() => readSynthOptions({ backend: 's3', backendConfig: { bukcet: 'b' } }, {})).toThrow(
      'backendConfig.bukcet is not a setting of the "s3" backend: did you mean "bucket"? Otherwise remove it, or give it at terraform init: -backend-config="bukcet=…".',
    );
    expect(() => readSynthOptions({ backend: 's3' }, { GITLAB_OIDC_BACKEND: 'http', GITLAB_OIDC_BACKEND_CONFIG: '{"use_lockfile":true}' })).toThrow(
      'backendConfig.use_lockfile is not a setting of the "http" backend: it is a setting of the "s3" backend: set GITLAB_OIDC_BACKEND=s3, or remove it.',
    );
    expect(readSynthOptions({ backend: 's3', backendConfig: { bucket: 'b', key: 'k', region: 'eu-west-1', use_lockfile: true } }, {}).backendConfig).toEqual({
      bucket: 'b',
      key: 'k',
      region: 'eu-west-1',
      use_lockfile: true,
    });
    expect(readSynthOptions({ backend: 'local', backendConfig: { path: 'state/gitlab-oidc.tfstate' } }, {}).backendConfig).toEqual({ path: 'state/gitlab-oidc.tfstate' });
  });

  test('every credential a backend takes is refused before it can reach the output', () => {
    for (const key of ['access_key', 'secret_key', 'token', 'sse_customer_key', 'password', 'client_private_key_pem']) {
      const backend = ['password', 'client_private_key_pem'].includes(key) ? 'http' : 's3';
      expect(() => readSynthOptions({ backend, backendConfig: { [key]: 'x' } }, {})).toThrow(
        `backendConfig.${key} (from cdktf.json context "backendConfig") looks like a credential`,
      );
    }
  });

  test('backend settings without a backend to hold them are refused', () => {
    expect(() => readSynthOptions({ backend: 'none', backendConfig: { bucket: 'b' } }, {})).toThrow('backendConfig is set but backend is "none"');
  });

  test('the GitLab switch is read from the context or the environment', () => {
    expect(readSynthOptions({}, { GITLAB_OIDC_MANAGE_GITLAB_VARIABLES: 'true' }).manageGitlabVariables).toBe(true);
    expect(() => readSynthOptions({ manageGitlabVariables: 'yes' }, {})).toThrow(
      'manageGitlabVariables "yes" (from cdktf.json context "manageGitlabVariables"): use true or false.',
    );
  });

  test('options of earlier releases are refused, with what replaces them', () => {
    expect(() => readSynthOptions({ ciTfvars: ['terraform.tfvars'] }, {})).toThrow(
      'ciTfvars (from cdktf.json context "ciTfvars") was removed: the CI snippets now come from the plan, with the tfvars Terraform reads: run npm run ci-snippets on a saved plan',
    );
    expect(() => readSynthOptions({}, { GITLAB_OIDC_CI_AUDIENCE: 'https://gitlab.com' })).toThrow(
      'ciIdTokenAudience (from environment variable GITLAB_OIDC_CI_AUDIENCE) was removed: set the Terraform variable ci_id_token_audience in your tfvars instead. Remove it.',
    );
  });

  test('a misspelt context key or GITLAB_OIDC_ variable is refused, naming the nearest option', () => {
    expect(() => checkOptionNames(['thumbprintSorce'], {})).toThrow(
      'Unknown option "thumbprintSorce" in the cdktf.json context: did you mean "thumbprintSource"? The options are thumbprintSource, backend, backendConfig, manageGitlabVariables.',
    );
    expect(() => checkOptionNames([], { GITLAB_OIDC_BACKEND_CONFG: '{}' })).toThrow(
      'Unknown environment variable GITLAB_OIDC_BACKEND_CONFG: did you mean GITLAB_OIDC_BACKEND_CONFIG?',
    );
  });

  test("known options, removed ones (refused later with their replacement) and cdktf's own context keys pass", () => {
    expect(() =>
      checkOptionNames(
        [
          'thumbprintSource',
          'backend',
          'backendConfig',
          'manageGitlabVariables',
          'ciTfvars',
          'cdktfRelativeModules',
          '@cdktf/disable_stack_trace_in_metadata',
          'excludeStackIdFromLogicalIds',
        ],
        {
          GITLAB_OIDC_BACKEND: 'local',
          GITLAB_OIDC_CI_AUDIENCE: 'x',
          OTHER: 'y',
        },
      ),
    ).not.toThrow();
  });
});
