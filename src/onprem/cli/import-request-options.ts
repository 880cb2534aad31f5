// The options that say what one import asks for, declared once for every command that imports
// (`byok import`, `byok start`, `byok key create`), so that they spell them alike: --hsm-key,
// --valid-for 90d (or --valid-to, or --no-expiry), --wrapping-algorithm, --wrapping-key-spec,
// --reason. `start`'s old names, --hsm-key-label and --valid-for-days, are still accepted as
// aliases. Cheap to load (commander and dependency-free modules).
import { type Command, InvalidArgumentError, Option } from 'commander';
import { WRAPPING_ALGORITHMS } from '../../core/hsm/port.ts';
import type { ImportExecutionInput } from '../../core/import/contracts.ts';
import {
  MAX_VALID_FOR_DAYS,
  MIN_VALID_FOR_DAYS,
  WRAPPING_KEY_SPECS,
} from '../../core/import/validity-limits.ts';
import { parseWholeNumberIn } from '../../core/shared/parse.ts';
import { addOptionAlias } from './aws-options.ts';
import { parseIsoDateTime, parseLabelOption, parseReasonOption } from './options.ts';

/** What the import options give a command's action (the alias names never reach it). */
export interface ImportRequestOptions {
  hsmKey?: string | undefined;
  validFor?: number | undefined;
  validTo?: string | undefined;
  /** false with --no-expiry. */
  expiry?: boolean | undefined;
  wrappingAlgorithm?: string | undefined;
  wrappingKeySpec?: string | undefined;
  reason?: string | undefined;
}

/** `--valid-for`: whole days within KMS's limits, with or without a `d`, e.g. 90d or 90. */
export function parseValidFor(text: string): number {
  const parsed = parseWholeNumberIn(text.trim().replace(/d$/, ''), MIN_VALID_FOR_DAYS, MAX_VALID_FOR_DAYS);
  if (!parsed.ok) {
    throw new InvalidArgumentError(
      `expected whole days ${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}, e.g. 90d`,
    );
  }
  return parsed.value;
}

/** --valid-for (and its alias) cannot go with --valid-to or --no-expiry. */
const VALID_FOR_CONFLICTS = ['validTo', 'expiry'];

/**
 * Adds the import options (and the old names' aliases) to `command`. Without an expiry option the
 * key's byok:valid-for-days tag applies, else MAX_VALID_FOR_DAYS days.
 */
export function addImportRequestOptions(command: Command): Command {
  const hsmKey = new Option(
    '--hsm-key <label>',
    'label of the HSM key holding the material (default: the key tag byok:hsm-key-label)',
  ).argParser(parseLabelOption);
  command.addOption(hsmKey);
  addOptionAlias(command, hsmKey, '--hsm-key-label <label>');
  const validFor = new Option(
    '--valid-for <days>',
    `validity of the imported material in days, e.g. 90d (${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}; default: the key tag byok:valid-for-days)`,
  )
    .argParser(parseValidFor)
    .conflicts(VALID_FOR_CONFLICTS);
  command.addOption(validFor);
  addOptionAlias(command, validFor, '--valid-for-days <days>', { conflicts: VALID_FOR_CONFLICTS });
  command.addOption(
    new Option('--valid-to <iso>', `expiry date and time, at most ${MAX_VALID_FOR_DAYS} days ahead`)
      .argParser(parseIsoDateTime)
      .conflicts(['expiry']),
  );
  command.option('--no-expiry', 'import material that does not expire');
  command.addOption(
    new Option(
      '--wrapping-algorithm <algorithm>',
      'wrapping algorithm (default: the key tag, else SHA-256)',
    ).choices(WRAPPING_ALGORITHMS),
  );
  command.addOption(
    new Option('--wrapping-key-spec <spec>', 'RSA wrapping key spec KMS makes').choices(WRAPPING_KEY_SPECS),
  );
  command.option('--reason <text>', 'why this import runs (kept in logs and events)', parseReasonOption);
  return command;
}

/** The execution input these options ask for (checked by the caller with the workflow's schema). */
export function importInputOf(keyId: string, options: ImportRequestOptions): ImportExecutionInput {
  return {
    keyId,
    ...(options.hsmKey !== undefined ? { hsmKeyLabel: options.hsmKey } : {}),
    ...(options.validFor !== undefined ? { validForDays: options.validFor } : {}),
    ...(options.validTo !== undefined ? { validTo: options.validTo } : {}),
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
