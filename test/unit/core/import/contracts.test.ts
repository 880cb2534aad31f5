import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ImportExecutionInputSchema } from '../../../../src/core/import/contracts.ts';
import { AliasNotAcceptedError, InvalidImportInputError } from '../../../../src/core/import/errors.ts';
import { parseImportExecutionInput } from '../../../../src/core/import/get-parameters-for-import.ts';

describe('ImportExecutionInputSchema', () => {
  it.each([
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a key ARN', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a multi-Region key id', 'mrk-1234abcd12ab34cd56ef1234567890ab'],
    [
      'a GovCloud key ARN',
      'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
  ])('accepts %s', (_, keyId) => {
    // Act
    const parsed = ImportExecutionInputSchema.safeParse({ keyId });

    // Assess
    expect(parsed.success).toBe(true);
  });

  it.each([
    ['no key id', {}],
    ['a name', { keyId: 'payments' }],
    ['validForDays 0', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', validForDays: 0 }],
    ['validForDays 366', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', validForDays: 366 }],
    ['a date without time', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', validTo: '2027-01-01' }],
    [
      'RSAES_PKCS1_V1_5',
      { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', wrappingAlgorithm: 'RSAES_PKCS1_V1_5' },
    ],
    ['an unknown field', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', validFor: 30 }],
    [
      'validTo with noExpiry',
      { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', validTo: '2027-01-01T00:00:00Z', noExpiry: true },
    ],
  ])('rejects %s', (_, input) => {
    // Act
    const parsed = ImportExecutionInputSchema.safeParse(input);

    // Assess
    expect(parsed.success).toBe(false);
  });

  it('refuses importType: only the rotation workflow asks for new material, beside the request', () => {
    // Act
    const parsed = ImportExecutionInputSchema.safeParse({
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      importType: 'NEW_KEY_MATERIAL',
    });

    // Assess
    expect(parsed.success).toBe(false);
  });

  it('converts to a JSON Schema that requires keyId and forbids other fields', () => {
    // Act
    const schema = z.toJSONSchema(ImportExecutionInputSchema, { io: 'input' }) as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };

    // Assess
    expect(schema.required).toEqual(['keyId']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'hsmKeyLabel',
        'importReplicas',
        'keyId',
        'keyMaterialId',
        'noExpiry',
        'reason',
        'validForDays',
        'validTo',
        'wrappingAlgorithm',
        'wrappingKeySpec',
      ].sort(),
    );
  });
});

describe('parseImportExecutionInput', () => {
  it.each(['alias/payments', 'arn:aws:kms:us-east-1:111122223333:alias/payments'])(
    'throws AliasNotAcceptedError for %s',
    (keyId) => {
      // Act
      const parse = () => parseImportExecutionInput({ keyId });

      // Assess
      expect(parse).toThrow(AliasNotAcceptedError);
    },
  );

  it('throws InvalidImportInputError naming each problem without echoing values', () => {
    // Act
    let caught: unknown;
    try {
      parseImportExecutionInput({ keyId: 'not-a-key', validForDays: 400, extra: 'secret-looking-value' });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidImportInputError);
    const error = caught as InvalidImportInputError;
    expect(error.name).toBe('InvalidImportInputError');
    expect(error.issues).toEqual([
      'keyId: must be a KMS key id or key ARN',
      'validForDays: Too big: expected number to be <=365',
      '(input): unknown field(s) extra',
    ]);
    expect(error.message).not.toContain('secret-looking-value');
  });
});
