import { Construct } from 'constructs';
import { PlainDataSource } from './blocks';

/** @see https://registry.terraform.io/providers/hashicorp/tls/latest/docs/data-sources/certificate */
export class DataTlsCertificate extends PlainDataSource {
  public static readonly tfResourceType = 'tls_certificate';
  constructor(scope: Construct, id: string, args: { readonly url: string }) {
    super(scope, id, DataTlsCertificate.tfResourceType, { url: 'string' }, { url: args.url });
  }
}
