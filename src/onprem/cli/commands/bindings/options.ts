// `byok bindings`'s options as commander parses them, and their parsers. Cheap to load.
import { parseLabel } from '../../../../core/shared/parse.ts';
import type { AwsCommandOptions, OutputOptions } from '../../aws-options.ts';
import { optionParser } from '../../options.ts';

/** Options every bindings subcommand takes: where the store is. */
export interface BindingsStoreOptions extends AwsCommandOptions {
  bindingsTable?: string | undefined;
}

export interface BindingsAddOptions extends BindingsStoreOptions, OutputOptions {
  hsmKey: string;
  keyId: string;
}

export type BindingsRemoveOptions = BindingsAddOptions;

export type BindingsListOptions = BindingsStoreOptions & OutputOptions;

/** A DynamoDB table name: 3..255 of `[A-Za-z0-9_.-]`. */
export const parseTableName = optionParser((text) =>
  /^[A-Za-z0-9_.-]{3,255}$/.test(text)
    ? { ok: true as const, value: text }
    : { ok: false as const, problem: 'expected a DynamoDB table name (3..255 of A-Z a-z 0-9 _ . -)' },
);

/** `--hsm-key`: an HSM key label, taken exactly as given. */
export const parseHsmKeyOption = optionParser((text) => parseLabel(text));

/** `--key-id`: a KMS key id, key ARN or alias (resolved to the key's ARN with DescribeKey). */
export const parseKeyIdOption = optionParser((text) =>
  /^[A-Za-z0-9:/_+=,.@-]{1,2048}$/.test(text)
    ? { ok: true as const, value: text }
    : { ok: false as const, problem: 'expected a KMS key id, key ARN or alias' },
);
