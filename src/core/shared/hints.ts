// The one hint table: what to do about an error, by its name. A ByokError without a hint of its
// own takes its entry from here; the CLI and the console look up the errors that reach them only as a
// name (a Step Functions failure carries the error name and its cause, never the thrown object).
const HINTS_BY_NAME: Record<string, string> = {
  HsmKeyNotFoundError: 'List the token keys with `byok hsm list`; create one with `byok hsm create-key`.',
  HsmKeyTypeMismatchError:
    "`byok hsm list` shows each key's type; the KMS key spec decides which type it needs (SYMMETRIC_DEFAULT needs AES_256).",
  HsmLoginError:
    'Check the PIN (BYOK_PIN, BYOK_PIN_FILE, BYOK_PIN_SECRET_ARN or the pinFile of the HSM configuration).',
  HsmTokenNotFoundError:
    'Tokens are found by label, never by slot number; check tokenLabel in the HSM configuration.',
  HsmKeyNotExtractableError:
    'Only a key created with CKA_EXTRACTABLE=true can be wrapped for import into KMS.',
  HsmMechanismNotSupportedError: '`byok hsm list --capabilities` shows what this token can do.',
  HsmKeyLabelMissingError: 'Give an HSM key label, or tag the KMS key with byok:hsm-key-label.',
  IncorrectKeyMaterialException:
    'This KMS key already holds other material: import the HSM key it was created from.',
  AliasNotAcceptedError:
    'Resolve the alias first: aws kms describe-key --key-id <alias> --query KeyMetadata.Arn',
  KeyNotManagedError:
    'Only the bindings administrators may set byok:* tags: one creates a managed EXTERNAL key bound to the HSM key with `byok key create --hsm-key <label> --key-spec <spec>`, or tags the key byok:managed=true and binds the HSM key to it with `byok bindings add --hsm-key <label> --key-id <key>`.',
  KeyOriginNotExternalError:
    'Only a key with origin EXTERNAL holds imported material; a bindings administrator creates one, tagged and bound to the HSM key, with `byok key create --hsm-key <label> --key-spec <spec>`.',
  ApprovalsRequiredTagInvalidError:
    'byok:approvals-required must be a whole number from 1 to 5. Only a bindings administrator may set byok:* tags (deploy/scp/byok-guardrails.json); one fixes it, signing with their own profile: `aws kms tag-resource --key-id <key> --tags TagKey=byok:approvals-required,TagValue=2`.',
  KeyPendingDeletionError: 'Cancel the deletion first: aws kms cancel-key-deletion --key-id <key>',
  KmsKeyNotFoundError: 'Check the key id and that the console runs in the key’s account and Region.',
  ValidToOutOfRangeError: 'ValidTo must lie in the future and at most 365 days ahead.',
  WrappingAlgorithmNotInTokenError:
    'Pass wrappingAlgorithm, or tag the KMS key with byok:wrapping-algorithm, naming one the token can do.',
  ThrottlingException:
    'KMS kept throttling after the retries; GetParametersForImport allows 1 request per second by default.',
  ExpiredImportTokenException: 'Each import token lives 24 hours; run the import again.',
  VerificationFailedError: 'KMS does not hold the HSM key’s material: check that the HSM key label is right.',
  CredentialsProviderError:
    'The console found no AWS credentials: restart it after aws configure / AWS_PROFILE, or with --endpoint for the local stack.',
  'States.Timeout': 'A step took longer than its TimeoutSeconds; check that the HSM and KMS answer.',
};

/** The table's hint for an error name, if it has one. */
export function hintForName(name: string | undefined | null): string | undefined {
  return name && Object.hasOwn(HINTS_BY_NAME, name) ? HINTS_BY_NAME[name] : undefined;
}
