import { Construct } from 'constructs';
import { TerraformDataSource, TerraformResource, TerraformResourceLifecycle } from 'cdktf';
import { isWholeInterpolation, quotedTemplate } from '../hcl/render-hcl';

/**
 * Terraform blocks declared on cdktf's own base classes rather than on generated provider
 * bindings: the library then pins no binding version, loads no 0.5 GB binding, and runs
 * unchanged under cdktf 0.20, 0.21 and CDK Terrain (cdktn), whose AWS binding has another
 * name and another provider major.
 *
 * A block declares its arguments once (`BlockSchema`); both synthesizers, JSON and HCL, read
 * that one declaration.
 */

/** The Terraform type of an argument, as cdktf's HCL renderer needs to know it. */
export type ArgumentType = 'string' | 'number' | 'boolean' | 'stringList' | 'stringMap';

/** A block's arguments: the Terraform name of each and its type, in the order the registry documents them. */
export type BlockSchema = Readonly<Record<string, ArgumentType>>;

/** How cdktf's HCL renderer is told each type (the same records its generated bindings write). */
const HCL_TYPES: Record<ArgumentType, { readonly type: string; readonly storageClassType: string }> = {
  string: { type: 'simple', storageClassType: 'string' },
  number: { type: 'simple', storageClassType: 'number' },
  boolean: { type: 'simple', storageClassType: 'boolean' },
  stringList: { type: 'list', storageClassType: 'stringList' },
  stringMap: { type: 'map', storageClassType: 'stringMap' },
};

/** The arguments a block sets, by Terraform name; unset ones are left out of both outputs. */
export type Arguments = Readonly<Record<string, unknown>>;

const setArguments = (schema: BlockSchema, values: Arguments) => Object.keys(schema).filter((name) => values[name] !== undefined);

function jsonArguments(schema: BlockSchema, values: Arguments): Record<string, unknown> {
  return Object.fromEntries(setArguments(schema, values).map((name) => [name, values[name]]));
}

/**
 * cdktf's HCL renderer quotes a string that holds `${` as it is, taking it for one expression:
 * a template with text around its interpolations (a JSON document that names a resource's
 * attribute) would keep its quotes unescaped. Such a string is handed over escaped.
 */
function hclValue(type: ArgumentType, value: unknown): unknown {
  if (type !== 'string' || typeof value !== 'string' || !/[$%]\{/.test(value)) return value;
  return isWholeInterpolation(value) ? value : quotedTemplate(value).slice(1, -1);
}

function hclArguments(schema: BlockSchema, values: Arguments): Record<string, unknown> {
  return Object.fromEntries(setArguments(schema, values).map((name) => [name, { value: hclValue(schema[name], values[name]), isBlock: false, ...HCL_TYPES[schema[name]] }]));
}

/**
 * cdktf's HCL renderer writes a `lifecycle` block's contents as arguments, so
 * `precondition = [{ ... }]`, which Terraform refuses: `precondition` and `postcondition`
 * are blocks. Typed as lists of blocks, the same renderer writes them right; and
 * `ignore_changes` as a reference, so that its attribute names are not quoted.
 */
function lifecycleForHcl(block: Record<string, unknown>): void {
  const lifecycle = block.lifecycle as Record<string, unknown> | undefined;
  if (!lifecycle || typeof lifecycle !== 'object' || 'value' in lifecycle) return;
  const typed = Object.fromEntries(
    Object.entries(lifecycle).map(([name, value]) =>
      (name === 'precondition' || name === 'postcondition') && Array.isArray(value)
        ? [name, { value, isBlock: true, type: 'list', storageClassType: 'object' }]
        : // Attribute names, bare: quoted ones are deprecated in HCL.
          name === 'ignore_changes' && Array.isArray(value)
          ? [name, { value: `[${value.join(', ')}]`, type: 'reference' }]
          : [name, value],
    ),
  );
  block.lifecycle = { value: typed, isBlock: true, type: 'simple' };
}

/** Applies `lifecycleForHcl` to every block of a synthesized `resource` or `data` section. */
function fixLifecycles(section: Record<string, Record<string, Record<string, unknown>>> | undefined): void {
  for (const blocks of Object.values(section ?? {})) for (const block of Object.values(blocks)) lifecycleForHcl(block);
}

/** The meta-arguments every block accepts, as cdktf names them. */
export interface BlockMetaArguments {
  readonly lifecycle?: TerraformResourceLifecycle;
}

/** A managed resource of one Terraform type, with the arguments of its schema. */
export class PlainResource extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    type: string,
    private readonly schema: BlockSchema,
    private readonly values: Arguments,
    meta: BlockMetaArguments = {},
  ) {
    super(scope, id, { terraformResourceType: type, lifecycle: meta.lifecycle });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return jsonArguments(this.schema, this.values);
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return hclArguments(this.schema, this.values);
  }

  public toHclTerraform(): Record<string, unknown> {
    const hcl = super.toHclTerraform() as Record<string, unknown>;
    fixLifecycles(hcl.resource as never);
    return hcl;
  }
}

/** A data source of one Terraform type, with the arguments of its schema. */
export class PlainDataSource extends TerraformDataSource {
  constructor(
    scope: Construct,
    id: string,
    type: string,
    private readonly schema: BlockSchema,
    private readonly values: Arguments,
    meta: BlockMetaArguments = {},
  ) {
    super(scope, id, { terraformResourceType: type, lifecycle: meta.lifecycle });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return jsonArguments(this.schema, this.values);
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return hclArguments(this.schema, this.values);
  }

  public toHclTerraform(): Record<string, unknown> {
    const hcl = super.toHclTerraform() as Record<string, unknown>;
    fixLifecycles(hcl.data as never);
    return hcl;
  }
}
