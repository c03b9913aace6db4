import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';

/**
 * The provider blocks the app's stack writes, declared on cdktf's own `TerraformProvider`
 * (as the library's resources are, see `lib/terraform/blocks`): the app then loads no
 * generated binding either. Each declares its source and the versions the output accepts,
 * which land in `required_providers`.
 */

/** Provider versions the output accepts: thumbprints are optional from aws 5.81.0. */
export const PROVIDER_CONSTRAINTS = {
  terraform: '>= 1.5.0',
  aws: '>= 5.81.0, < 7.0.0',
  tls: '~> 4.0',
  gitlab: '>= 17.0.0, < 19.0.0',
} as const;

/** A provider block with its arguments (Terraform names), sourced from `source` at `PROVIDER_CONSTRAINTS[name]`. */
class PlainProvider extends TerraformProvider {
  constructor(
    scope: Construct,
    id: string,
    name: keyof typeof PROVIDER_CONSTRAINTS,
    source: string,
    private readonly args: Record<string, string> = {},
  ) {
    super(scope, id, {
      terraformResourceType: name,
      terraformProviderSource: source,
      terraformGeneratorMetadata: { providerName: name, providerVersionConstraint: PROVIDER_CONSTRAINTS[name] },
    });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { ...this.args };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.args).map(([name, value]) => [name, { value, isBlock: false, type: 'simple', storageClassType: 'string' }]));
  }
}

/** @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs */
export class AwsProvider extends PlainProvider {
  constructor(scope: Construct, id: string, args: { readonly region: string }) {
    super(scope, id, 'aws', 'hashicorp/aws', { region: args.region });
  }
}

/** @see https://registry.terraform.io/providers/hashicorp/tls/latest/docs */
export class TlsProvider extends PlainProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, 'tls', 'hashicorp/tls');
  }
}

/** @see https://registry.terraform.io/providers/gitlabhq/gitlab/latest/docs */
export class GitlabProvider extends PlainProvider {
  constructor(scope: Construct, id: string, args: { readonly baseUrl: string }) {
    super(scope, id, 'gitlab', 'gitlabhq/gitlab', { base_url: args.baseUrl });
  }
}
