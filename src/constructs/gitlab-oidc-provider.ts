import { Construct } from 'constructs';
import { DataTlsCertificate } from '@cdktf/provider-tls/lib/data-tls-certificate';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { ThumbprintSource } from '../config/synth-options';

export interface GitlabOidcProviderProps {
  /** HCL expression of the issuer URL, e.g. `var.mygitlab`. */
  readonly issuerUrl: string;
  /** HCL expression of the issuer host, used to read the certificate over `tls://<host>:443`. */
  readonly issuerHost: string;
  /** HCL expression of the list of audiences (client IDs) the provider accepts. */
  readonly audiences: string;
  /**
   * How the certificate thumbprint is obtained.
   * @default "tls"
   */
  readonly thumbprintSource?: ThumbprintSource;
  /**
   * Terraform name of the provider resource (and of the tls data source).
   * Keep the default to pick up state written by the hand-written setup.
   * @default "gitlab"
   */
  readonly terraformName?: string;
}

/**
 * The IAM OpenID Connect identity provider for one GitLab instance.
 * An account holds one provider per issuer URL, so every role of the instance shares it.
 */
export class GitlabOidcProvider extends Construct {
  /** The provider resource. */
  public readonly resource: IamOpenidConnectProvider;
  /** HCL expression of the provider's ARN. */
  public readonly arnExpression: string;

  constructor(scope: Construct, id: string, props: GitlabOidcProviderProps) {
    super(scope, id);
    const name = props.terraformName ?? 'gitlab';
    const source = props.thumbprintSource ?? 'tls';

    let thumbprintList: string[] | undefined;
    if (source === 'tls') {
      // tls:// reads the issuer's own certificate; an https:// URL follows redirects
      // (gitlab.com/ redirects) and can return the certificate of another host.
      const certificate = new DataTlsCertificate(this, 'certificate', { url: `tls://\${${props.issuerHost}}:443` });
      certificate.overrideLogicalId(name);
      thumbprintList = [`\${data.tls_certificate.${name}.certificates[0].sha1_fingerprint}`];
    }

    this.resource = new IamOpenidConnectProvider(this, 'provider', {
      url: `\${${props.issuerUrl}}`,
      clientIdList: `\${${props.audiences}}` as unknown as string[],
      thumbprintList,
    });
    this.resource.overrideLogicalId(name);
    this.arnExpression = `aws_iam_openid_connect_provider.${name}.arn`;
  }
}
