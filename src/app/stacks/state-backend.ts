import { Construct } from 'constructs';
import { TerraformBackend, TerraformRemoteState } from 'cdktf';
import { BackendType, SynthOptions } from '../config/synth-options';

/**
 * A backend block holding only what the synth options give: no machine path (cdktf's
 * default local backend writes an absolute one) and no credentials. `s3` and `http`
 * are partial configurations, completed by `terraform init -backend-config=…` or the
 * environment (`AWS_*`, `TF_HTTP_*`).
 */
class PartialBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    type: Exclude<BackendType, 'none'>,
    private readonly settings: SynthOptions['backendConfig'],
  ) {
    super(scope, 'backend', type);
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { ...this.settings };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return { ...this.settings };
  }

  public getRemoteStateDataSource(): TerraformRemoteState {
    throw new Error('Cross-stack references are not used by this project.');
  }
}

/** No backend block at all: the directory the output is dropped into brings its own. */
class NoBackend extends PartialBackend {
  public toTerraform(): Record<string, unknown> {
    return {};
  }

  public toHclTerraform(): Record<string, unknown> {
    return {};
  }
}

/** Declares the stack's backend from the synth options. */
export function declareBackend(scope: Construct, options: SynthOptions): TerraformBackend {
  return options.backend === 'none' ? new NoBackend(scope, 'local', {}) : new PartialBackend(scope, options.backend, options.backendConfig);
}
