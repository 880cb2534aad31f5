// KMS's answers to GetParametersForImport's calls, mocked (aws-sdk-client-mock) for a pending
// EXTERNAL symmetric key: shared by the unit tests of the first step.
import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  KMSClient,
  ListKeyRotationsCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';

export const kmsMock = mockClient(KMSClient);
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
/** The tag that lets byok import into a key (src/core/import/tags.ts). */
export const MANAGED_TAG = { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE };

/** DescribeKey: an EXTERNAL SYMMETRIC_DEFAULT key in PendingImport, with `metadata` on top. */
export function describeKeyReturns(metadata: Record<string, unknown>) {
  kmsMock.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: KEY_ID,
      Arn: KEY_ARN,
      Origin: 'EXTERNAL',
      KeyState: 'PendingImport',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      ...metadata,
    },
  });
  // A key that never held material lists none.
  kmsMock.on(ListKeyRotationsCommand).resolves({ Rotations: [], Truncated: false });
}

/** GetParametersForImport: a token and public key valid for one day from the tests' clock. */
export function parametersReturn() {
  kmsMock.on(GetParametersForImportCommand).resolves({
    KeyId: KEY_ARN,
    ImportToken: new Uint8Array([1, 2, 3]),
    PublicKey: new Uint8Array([4, 5, 6]),
    ParametersValidTo: new Date('2027-01-11T12:00:00.000Z'),
  });
}
