// What to do about a failed `byok import`, by the step's error name, with commands that run as
// printed (../../hints.ts): the key, the HSM key and where the run went filled in. A key byok may
// not import into is made byok's by a bindings administrator, with byok's own commands: the
// service control policy (deploy/scp/byok-guardrails.json) lets no one else set byok:* tags.
import type { HintTarget } from '../../hints.ts';
import { awsCommand, byokCommand } from '../../hints.ts';

/** What the hint may name: the key imported into and the HSM key given, when one was. */
export interface ImportHintInput {
  keyId: string;
  hsmKeyLabel?: string | undefined;
}

/** The label a printed command names: the one given, else a placeholder to replace. */
const LABEL_PLACEHOLDER = 'LABEL';

/** `byok key create` for a new managed EXTERNAL key bound to the HSM key (an administrator's command). */
function keyCreateCommand(target: HintTarget, hsmKeyLabel: string | undefined): string {
  return byokCommand(
    target,
    'key',
    'create',
    '--hsm-key',
    hsmKeyLabel ?? LABEL_PLACEHOLDER,
    '--key-spec',
    'SYMMETRIC_DEFAULT',
  );
}

/** `byok bindings add` binding the HSM key to the key (an administrator's command). */
function bindingsAddHintCommand(target: HintTarget, hsmKeyLabel: string | undefined, keyId: string) {
  return byokCommand(
    target,
    'bindings',
    'add',
    '--hsm-key',
    hsmKeyLabel ?? LABEL_PLACEHOLDER,
    '--key-id',
    keyId,
  );
}

/** What to do about the step's error `error`, or nothing when this table has no entry for it. */
export function importHintFor(
  error: string | undefined,
  input: ImportHintInput,
  target: HintTarget,
): string | undefined {
  const { keyId, hsmKeyLabel } = input;
  switch (error) {
    case 'IncorrectKeyMaterialException':
      return 'this KMS key already holds other material: import the HSM key it was created from';
    case 'HsmKeyNotFoundError':
      return `list the token keys with ${byokCommand({}, 'hsm', 'list')}`;
    case 'AliasNotAcceptedError':
      return `resolve the alias first: ${awsCommand(target, 'kms', 'describe-key', '--key-id', keyId, '--query', 'KeyMetadata.Arn', '--output', 'text')}`;
    case 'KeyOriginNotExternalError':
      return `only a key with origin EXTERNAL holds imported material; a bindings administrator creates one, tagged and bound to the HSM key, with \`${keyCreateCommand(target, hsmKeyLabel)}\` (the --key-spec the HSM key's type needs)`;
    case 'KeyNotManagedError':
      return `only the bindings administrators may set byok:* tags; one creates a managed EXTERNAL key bound to the HSM key with \`${keyCreateCommand(target, hsmKeyLabel)}\` (the --key-spec the HSM key's type needs), or tags this key byok:managed=true and binds the HSM key to it with \`${bindingsAddHintCommand(target, hsmKeyLabel, keyId)}\``;
    case 'HsmKeyLabelMissingError':
      return 'pass --hsm-key, or tag the KMS key with byok:hsm-key-label';
    case 'ThrottlingException':
      return 'KMS kept throttling after the retries; GetParametersForImport allows 1 request per second by default';
    case 'ExpiredImportTokenException':
      return 'each import token lives 24 hours; run the import again';
    default:
      return undefined;
  }
}
