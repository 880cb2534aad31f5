// Generates schemas/import-key-material.input.schema.json, the published JSON Schema of the import
// workflow's execution input (for the Step Functions console, `byok start` and other callers), from
// ImportExecutionInputSchema, the same zod schema the GetParametersForImport handler validates with.
//
//   npx tsx deploy/input-schema.ts          rewrite the committed file
//   npx tsx deploy/input-schema.ts --check  exit 1 when the committed file is stale
//
// z.toJSONSchema cannot see zod refinements, so the rules that live in refinements are added here:
// the key id pattern, printable labels and reasons, and "at most one of validForDays, validTo,
// noExpiry: true".
// test/deploy/input-schema.test.ts checks that zod and the JSON Schema agree on valid and invalid
// inputs, so a rule added to one side only fails there.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ImportExecutionInputSchema } from '../src/core/import/contracts.ts';

export const INPUT_SCHEMA_PATH = resolve(
  import.meta.dirname,
  '..',
  'schemas',
  'import-key-material.input.schema.json',
);
export const INPUT_SCHEMA_ID = 'https://byok.dev/schemas/import-key-material.input.schema.json';

const KEY_ID =
  '(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';
/** A KMS key id or key ARN (any partition); aliases are refused. Mirrors KeyIdSchema's refinement. */
const KEY_ID_OR_ARN = `^(${KEY_ID}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/${KEY_ID})$`;

/**
 * Printable text: no C0/C1 controls, DEL or bidirectional controls. Mirrors the isPrintableText
 * refinement of hsmKeyLabel and reason (such characters could forge CLI and log lines).
 */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$';
const PRINTABLE_FIELDS = ['hsmKeyLabel', 'reason'];

/** Combinations of the expiry options that the refinement refuses (noExpiry counts when true). */
const CONFLICTING_EXPIRY_OPTIONS = {
  anyOf: [
    { required: ['validForDays', 'validTo'] },
    { required: ['validForDays', 'noExpiry'], properties: { noExpiry: { const: true } } },
    { required: ['validTo', 'noExpiry'], properties: { noExpiry: { const: true } } },
  ],
};

export function buildInputJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ImportExecutionInputSchema, {
    io: 'input',
    target: 'draft-2020-12',
  }) as Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };
  const keyId = generated.properties.keyId;
  if (!keyId) throw new Error('ImportExecutionInputSchema has no keyId property');
  keyId.pattern = KEY_ID_OR_ARN;
  for (const field of PRINTABLE_FIELDS) {
    const property = generated.properties[field];
    if (!property) throw new Error(`ImportExecutionInputSchema has no ${field} property`);
    property.pattern = PRINTABLE;
  }
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: INPUT_SCHEMA_ID,
    title: 'byok import-key-material execution input',
    description:
      'Input of the byok import-key-material state machine. Only keyId is required: the HSM key label, ' +
      'the validity and the wrapping algorithm default to the KMS key tags byok:hsm-key-label, ' +
      'byok:valid-for-days and byok:wrapping-algorithm. At most one of validForDays, validTo and noExpiry.',
    ...rest,
    not: CONFLICTING_EXPIRY_OPTIONS,
  };
}

export function renderInputJsonSchema(): string {
  return `${JSON.stringify(buildInputJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const rendered = renderInputJsonSchema();
  if (process.argv.includes('--check')) {
    // Compared as data: Biome formats the committed file.
    const current = JSON.parse(readFileSync(INPUT_SCHEMA_PATH, 'utf8')) as unknown;
    if (JSON.stringify(current) !== JSON.stringify(JSON.parse(rendered))) {
      console.error(`${INPUT_SCHEMA_PATH} is stale: run npx tsx deploy/input-schema.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(INPUT_SCHEMA_PATH, rendered);
    console.log(`wrote ${INPUT_SCHEMA_PATH}`);
  }
}
