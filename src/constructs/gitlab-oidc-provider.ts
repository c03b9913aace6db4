import { Construct } from 'constructs';
import { DataTlsCertificate } from '@cdktf/provider-tls/lib/data-tls-certificate';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { ThumbprintSource } from '../config/synth-options';
import type { Move } from './gitlab-ci-role';
import { hclLocal } from './hcl-local';

export interface GitlabOidcProviderProps {
  /** HCL expression of the issuer URL, e.g. `var.mygitlab`. */
  readonly issuerUrl: string;
  /** HCL expression of the issuer host, used to read the certificate over `tls://<host>:443`. */
  readonly issuerHost: string;
  /** HCL expression of the list of audiences (client IDs) the provider accepts. */
  readonly audiences: string;
  /**
   * HCL expression of the ARN of a provider that already exists for this issuer; when it is
   * not null, none is created.
   */
  readonly existingProviderArn: string;
  /**
   * How the certificate thumbprint is obtained.
   * @default "tls"
   */
  readonly thumbprintSource?: ThumbprintSource;
}

/** Terraform name of the provider and of the tls data source, as in the hand-written setup. */
const NAME = 'gitlab';

/**
 * The IAM OpenID Connect identity provider for one GitLab instance, created unless an
 * existing one is given. An account holds one provider per issuer URL (a second create
 * fails with EntityAlreadyExists), so every role of the instance shares it.
 */
export class GitlabOidcProvider extends Construct {
  /** HCL expression of the provider's ARN, created or existing. */
  public readonly arnExpression = 'local.oidc_provider_arn';
  /**
   * HCL expression of an ARN as long as the provider's but known at plan time, to measure
   * trust policies before the provider exists (assumes the `aws` partition).
   */
  public readonly sizingArnExpression = 'local.oidc_provider_arn_for_sizing';
  /** `moved` blocks the stack must write for state of earlier addresses. */
  public readonly moves: readonly Move[];

  constructor(scope: Construct, id: string, props: GitlabOidcProviderProps) {
    super(scope, id);
    const count = `\${${props.existingProviderArn} == null ? 1 : 0}`;

    let thumbprintList: string[] | undefined;
    if ((props.thumbprintSource ?? 'tls') === 'tls') {
      // tls:// reads the issuer's own certificate; an https:// URL follows redirects
      // (gitlab.com/ redirects) and can return the certificate of another host.
      const certificate = new DataTlsCertificate(this, 'certificate', { url: `tls://\${${props.issuerHost}}:443` });
      certificate.addOverride('count', count);
      certificate.overrideLogicalId(NAME);
      thumbprintList = [`\${data.tls_certificate.${NAME}[0].certificates[0].sha1_fingerprint}`];
    }

    const provider = new IamOpenidConnectProvider(this, 'provider', {
      url: `\${${props.issuerUrl}}`,
      clientIdList: `\${${props.audiences}}` as unknown as string[],
      thumbprintList,
    });
    provider.addOverride('count', count);
    provider.overrideLogicalId(NAME);
    // State written before the provider became optional sits at the address without an index.
    this.moves = [{ from: `aws_iam_openid_connect_provider.${NAME}`, to: `aws_iam_openid_connect_provider.${NAME}[0]` }];

    hclLocal(this, 'oidc_provider_arn', `${props.existingProviderArn} != null ? ${props.existingProviderArn} : one(aws_iam_openid_connect_provider.${NAME}[*].arn)`);
    hclLocal(
      this,
      'oidc_provider_arn_for_sizing',
      `${props.existingProviderArn} != null ? ${props.existingProviderArn} : "arn:aws:iam::123456789012:oidc-provider/\${${props.issuerHost}}"`,
    );
  }
}
