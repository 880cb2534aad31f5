// The published JSON Schema of the import execution input (schemas/) is generated from the zod
// schema the handlers validate with (deploy/input-schema.ts). These tests keep the committed file
// current, check it with a real JSON Schema validator (ajv, draft 2020-12, formats on), and check
// that the JSON Schema and zod agree on every example and on inputs each rule must refuse.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { INPUT_SCHEMA_PATH, renderInputJsonSchema } from '../../deploy/input-schema.ts';
import { ImportExecutionInputSchema } from '../../src/core/import/contracts.ts';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const examplesDir = resolve(import.meta.dirname, '..', '..', 'schemas', 'examples');
const published = JSON.parse(readFileSync(INPUT_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;

function compile() {
  // strictRequired would refuse the `not: { anyOf: [{ required: [...] }] }` rule, which names
  // properties defined at the top level: legal JSON Schema.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(published);
}

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('schemas/import-key-material.input.schema.json', () => {
  it('is what deploy/input-schema.ts generates from ImportExecutionInputSchema today', () => {
    // Act
    const rendered = JSON.parse(renderInputJsonSchema()) as unknown;

    // Assess (as data: Biome formats the committed file)
    expect(published, 'stale: run npx tsx deploy/input-schema.ts').toEqual(rendered);
  });

  const examples = readdirSync(examplesDir).filter((file) => file.endsWith('.json'));

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples)('accepts the example %s, as the handlers do', (file) => {
    // Prepare
    const validate = compile();
    const input = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as unknown;

    // Act
    const valid = validate(input);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(ImportExecutionInputSchema.safeParse(input).success).toBe(true);
  });

  it.each<[string, unknown]>([
    ['no keyId', { hsmKeyLabel: 'aes' }],
    ['an alias instead of a key id', { keyId: 'alias/payments' }],
    ['an alias ARN', { keyId: 'arn:aws:kms:us-east-1:111122223333:alias/payments' }],
    ['a key id that is not one', { keyId: 'not-a-key' }],
    ['an unknown property', { keyId: KEY, plaintextKey: 'AAAA' }],
    ['zero days', { keyId: KEY, validForDays: 0 }],
    ['more than 365 days', { keyId: KEY, validForDays: 366 }],
    ['a fractional day count', { keyId: KEY, validForDays: 1.5 }],
    ['days as a string', { keyId: KEY, validForDays: '30' }],
    ['validForDays with validTo', { keyId: KEY, validForDays: 30, validTo: '2027-01-01T00:00:00Z' }],
    ['validForDays with noExpiry', { keyId: KEY, validForDays: 30, noExpiry: true }],
    ['validTo with noExpiry', { keyId: KEY, validTo: '2027-01-01T00:00:00Z', noExpiry: true }],
    ['a validTo that is no date-time', { keyId: KEY, validTo: 'next year' }],
    ['a retired wrapping algorithm', { keyId: KEY, wrappingAlgorithm: 'RSAES_PKCS1_V1_5' }],
    ['an unknown wrapping key spec', { keyId: KEY, wrappingKeySpec: 'RSA_1024' }],
    ['an empty HSM key label', { keyId: KEY, hsmKeyLabel: '' }],
    ['a reason over 256 characters', { keyId: KEY, reason: 'x'.repeat(257) }],
    ['a label with a line break', { keyId: KEY, hsmKeyLabel: 'aes\nbyok: forged line' }],
    ['a label with a bidi override', { keyId: KEY, hsmKeyLabel: 'aes\u202Egnp.exe' }],
    ['a reason with an escape character', { keyId: KEY, reason: 'ok \u001b[2K' }],
    ['a reason with a C1 control', { keyId: KEY, reason: 'ok \u0085' }],
    ['an array', [{ keyId: KEY }]],
  ])('rejects %s, as the handlers do', (_case, input) => {
    // Prepare
    const validate = compile();

    // Act
    const valid = validate(input);

    // Assess
    expect(valid).toBe(false);
    expect(ImportExecutionInputSchema.safeParse(input).success).toBe(false);
  });

  it.each<[string, unknown]>([
    ['noExpiry false next to validForDays', { keyId: KEY, validForDays: 30, noExpiry: false }],
    ['a key ARN in another partition', { keyId: `arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${KEY}` }],
    ['a validTo with an offset', { keyId: KEY, validTo: '2027-01-01T00:00:00+02:00' }],
    [
      'a label and reason in other scripts',
      { keyId: KEY, hsmKeyLabel: 'clé-paiement-密钥', reason: 'rotation trimestrielle' },
    ],
  ])('accepts %s, as the handlers do', (_case, input) => {
    // Prepare
    const validate = compile();

    // Act
    const valid = validate(input);

    // Assess
    expect(valid).toBe(true);
    expect(ImportExecutionInputSchema.safeParse(input).success).toBe(true);
  });
});
