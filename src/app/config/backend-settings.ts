/**
 * The settings each backend this project can declare takes in Terraform 1.11, so that a
 * misplaced `backendConfig` key fails synth, not `terraform init` ("Extraneous JSON object
 * property"). Only settings with a single string, number or boolean value are listed: those
 * are all `backendConfig` can hold. Nested ones (`assume_role`, `endpoints`) and lists go on
 * `terraform init -backend-config=…`. Credentials are listed, as Terraform takes them, but
 * refused before this list is read, so that none is written into the output.
 *
 * From Terraform's own backend schemas (internal/backend/local, remote-state/s3 and http);
 * a Terraform-tier test has `terraform init` accept every one of them.
 */
export const BACKEND_SETTINGS = {
  local: ['path', 'workspace_dir'],
  s3: [
    'bucket',
    'key',
    'region',
    'access_key',
    'acl',
    'custom_ca_bundle',
    'dynamodb_endpoint',
    'dynamodb_table',
    'ec2_metadata_service_endpoint',
    'ec2_metadata_service_endpoint_mode',
    'encrypt',
    'endpoint',
    'force_path_style',
    'http_proxy',
    'https_proxy',
    'iam_endpoint',
    'insecure',
    'kms_key_id',
    'max_retries',
    'no_proxy',
    'profile',
    'retry_mode',
    'shared_credentials_file',
    'skip_credentials_validation',
    'skip_metadata_api_check',
    'skip_region_validation',
    'skip_requesting_account_id',
    'secret_key',
    'skip_s3_checksum',
    'sse_customer_key',
    'sts_endpoint',
    'sts_region',
    'token',
    'use_dualstack_endpoint',
    'use_fips_endpoint',
    'use_lockfile',
    'use_path_style',
    'workspace_key_prefix',
  ],
  http: [
    'address',
    'update_method',
    'lock_address',
    'lock_method',
    'unlock_address',
    'unlock_method',
    'username',
    'password',
    'skip_cert_verification',
    'retry_max',
    'retry_wait_min',
    'retry_wait_max',
    'client_ca_certificate_pem',
    'client_certificate_pem',
    'client_private_key_pem',
  ],
} as const;
