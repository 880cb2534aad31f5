// `byok import`'s options as commander parses them, their parsers, and the execution input they
// make. Cheap to load (commander and dependency-free modules), so `--help` and a mistyped value
// answer before action.ts is imported.
import { InvalidArgumentError } from 'commander';
import type { ImportExecutionInput } from '../../../../core/import/contracts.ts';
import { MAX_VALID_FOR_DAYS, MIN_VALID_FOR_DAYS } from '../../../../core/import/validity-limits.ts';
import { parseWholeNumberIn } from '../../../../core/shared/parse.ts';

export interface ImportOptions {
  keyId: string;
  hsmKey?: string;
  validFor?: number;
  validTo?: string;
  expiry: boolean;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  reason?: string;
  endpoint?: string;
  region?: string;
  json?: boolean;
}

/** `--valid-for`: whole days within KMS's limits, with or without a `d`, e.g. 90d. */
export function parseValidFor(text: string): number {
  const parsed = parseWholeNumberIn(text.trim().replace(/d$/, ''), MIN_VALID_FOR_DAYS, MAX_VALID_FOR_DAYS);
  if (!parsed.ok) {
    throw new InvalidArgumentError(
      `expected whole days ${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}, e.g. 90d`,
    );
  }
  return parsed.value;
}

export function executionInputFrom(options: ImportOptions): ImportExecutionInput {
  return {
    keyId: options.keyId,
    ...(options.hsmKey !== undefined ? { hsmKeyLabel: options.hsmKey } : {}),
    ...(options.validFor !== undefined ? { validForDays: options.validFor } : {}),
    ...(options.validTo ? { validTo: options.validTo } : {}),
    ...(options.expiry === false ? { noExpiry: true } : {}),
    ...(options.wrappingAlgorithm !== undefined
      ? { wrappingAlgorithm: options.wrappingAlgorithm as ImportExecutionInput['wrappingAlgorithm'] }
      : {}),
    ...(options.wrappingKeySpec !== undefined
      ? { wrappingKeySpec: options.wrappingKeySpec as ImportExecutionInput['wrappingKeySpec'] }
      : {}),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  };
}
