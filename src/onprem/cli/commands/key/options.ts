// `byok key create`'s options as commander parses them, and their parsers. Cheap to load.
import { InvalidArgumentError } from 'commander';
import { IMPORTABLE_KEY_SPECS, type ImportableKeySpec } from '../../../../core/import/key-families.ts';
import { MAX_VALID_FOR_DAYS, MIN_VALID_FOR_DAYS } from '../../../../core/import/validity-limits.ts';
import { parseRegionName, parseText, parseWholeNumberIn } from '../../../../core/shared/parse.ts';
import type { AwsCommandOptions } from '../../aws-options.ts';
import { optionParser } from '../../options.ts';

/** What `--key-spec` takes: the specs byok imports into (core/import/key-families.ts). */
export const KEY_SPECS: readonly ImportableKeySpec[] = IMPORTABLE_KEY_SPECS;
export type CreatableKeySpec = ImportableKeySpec;

export interface KeyCreateOptions extends AwsCommandOptions {
  hsmKey: string;
  keySpec: CreatableKeySpec;
  keyUsage?: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC';
  description?: string;
  alias?: string;
  multiRegion?: boolean;
  replicaRegions?: string[];
  approvalsRequired?: number;
  validFor?: number;
  /** commander's --no-import: false when given. */
  import: boolean;
  bindingsTable?: string | undefined;
}

export const parseKeySpec = optionParser((text) =>
  (KEY_SPECS as readonly string[]).includes(text)
    ? { ok: true as const, value: text as CreatableKeySpec }
    : { ok: false as const, problem: `expected one of ${KEY_SPECS.join(', ')}` },
);

export const parseKeyUsage = optionParser((text) =>
  ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'].includes(text)
    ? { ok: true as const, value: text as NonNullable<KeyCreateOptions['keyUsage']> }
    : { ok: false as const, problem: 'expected ENCRYPT_DECRYPT, SIGN_VERIFY or GENERATE_VERIFY_MAC' },
);

/** `--alias alias/NAME` (the `alias/` prefix may be left out); never `alias/aws/…`. */
export const parseAlias = optionParser((text) => {
  const alias = text.startsWith('alias/') ? text : `alias/${text}`;
  if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias)) {
    return { ok: false as const, problem: 'expected alias/NAME with letters, digits, / _ -' };
  }
  if (alias.startsWith('alias/aws/'))
    return { ok: false as const, problem: 'alias/aws/ is reserved for AWS' };
  return { ok: true as const, value: alias };
});

export const parseDescription = optionParser((text) => parseText(text, 8192));

/** `--replica-regions eu-west-1,eu-central-1`: Regions, each once. */
export const parseReplicaRegions = optionParser((text) => {
  const regions = text.split(',').map((region) => region.trim());
  for (const region of regions) {
    const parsed = parseRegionName(region);
    if (!parsed.ok) return { ok: false as const, problem: `"${region}" ${parsed.problem}` };
  }
  if (new Set(regions).size !== regions.length) {
    return { ok: false as const, problem: 'names a Region twice' };
  }
  return { ok: true as const, value: regions };
});

/** `--approvals-required M`: 1..5 approvers for a rotation of the key. */
export const parseApprovalsRequired = optionParser((text) => parseWholeNumberIn(text, 1, 5));

/** `--valid-for 90d`: whole days within KMS's limits, recorded as the key's byok:valid-for-days. */
export function parseValidForDays(text: string): number {
  const parsed = parseWholeNumberIn(text.trim().replace(/d$/, ''), MIN_VALID_FOR_DAYS, MAX_VALID_FOR_DAYS);
  if (!parsed.ok) {
    throw new InvalidArgumentError(
      `expected whole days ${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}, e.g. 90d`,
    );
  }
  return parsed.value;
}
