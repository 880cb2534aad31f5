// What `byok demo` does (see register.ts for the command): the whole job on the embedded stack, from a
// fresh clone. Starts the local stack in
// this process, creates the local token under $BYOK_HOME if missing, makes one HSM key and one
// EXTERNAL KMS key (tagged for byok) per family, runs the import workflow for each with only the
// key id (the rest comes from the tags), prints each proof and a summary table. Exits 1 if any failed.
import { CreateKeyCommand, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import { addBinding } from '../../../../core/bindings/admin.ts';
import { defaultByokHome, hsmDir } from '../../../../core/hsm/config.ts';
import { HsmKeyNotFoundError } from '../../../../core/hsm/errors.ts';
import { initLocalToken } from '../../../../core/hsm/local-token.ts';
import { finalizeIdleModules, openHsm, type Pkcs11Hsm } from '../../../../core/hsm/pkcs11-adapter.ts';
import type { HsmKeyType } from '../../../../core/hsm/port.ts';
import type { ImportResult } from '../../../../core/import/contracts.ts';
import { UnexpectedKmsResponseError } from '../../../../core/import/errors.ts';
import { formatProof, formatSummaryTable, type SummaryRow } from '../../../../core/import/report.ts';
import {
  TAG_HSM_KEY_LABEL,
  TAG_MANAGED,
  TAG_MANAGED_VALUE,
  TAG_VALID_FOR_DAYS,
} from '../../../../core/import/tags.ts';
import { startLocalStack } from '../../../../local/stack.ts';
import { createLocalDeps, type LocalDeps } from '../../../runner/local-deps.ts';
import { createProgressReporter } from '../../../runner/progress.ts';
import { type ExecutionResult, runExecution } from '../../../runner/run-execution.ts';

export interface DemoKey {
  family: string;
  hsmKeyLabel: string;
  hsmKeyType: HsmKeyType;
  keySpec: KeySpec;
  keyUsage: KeyUsageType;
}

const DEMO_KEYS: DemoKey[] = [
  {
    family: 'symmetric',
    hsmKeyLabel: 'byok-demo-aes',
    hsmKeyType: 'AES_256',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
  },
  {
    family: 'HMAC',
    hsmKeyLabel: 'byok-demo-hmac',
    hsmKeyType: 'HMAC_256',
    keySpec: 'HMAC_256',
    keyUsage: 'GENERATE_VERIFY_MAC',
  },
  {
    family: 'RSA',
    hsmKeyLabel: 'byok-demo-rsa',
    hsmKeyType: 'RSA_3072',
    keySpec: 'RSA_3072',
    keyUsage: 'SIGN_VERIFY',
  },
  {
    family: 'ECC',
    hsmKeyLabel: 'byok-demo-ecc',
    hsmKeyType: 'ECC_NIST_P256',
    keySpec: 'ECC_NIST_P256',
    keyUsage: 'SIGN_VERIFY',
  },
];

const DEMO_VALID_FOR_DAYS = '90';

/** The demo's HSM key for a family: reused when an earlier demo made it, created otherwise. */
async function ensureHsmKey(hsm: Pkcs11Hsm, key: DemoKey): Promise<'created' | 'reused'> {
  try {
    const info = await hsm.describeKey(key.hsmKeyLabel);
    if (info.type === key.hsmKeyType) return 'reused';
  } catch (error) {
    if (!(error instanceof HsmKeyNotFoundError)) throw error;
  }
  await hsm.createKey({ label: key.hsmKeyLabel, type: key.hsmKeyType });
  return 'created';
}

/**
 * The EXTERNAL key for a demo HSM key, tagged for byok and bound to the HSM key: the binding is the
 * administrator's decision (`byok bindings add`) that lets byok import this HSM key into this key.
 */
async function createExternalKey(deps: LocalDeps, key: DemoKey): Promise<string> {
  const created = await deps.kms.send(
    new CreateKeyCommand({
      Origin: 'EXTERNAL',
      KeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      Description: `byok demo: ${key.family} key, material from HSM key ${key.hsmKeyLabel}`,
      Tags: [
        { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
        { TagKey: TAG_HSM_KEY_LABEL, TagValue: key.hsmKeyLabel },
        { TagKey: TAG_VALID_FOR_DAYS, TagValue: DEMO_VALID_FOR_DAYS },
      ],
    }),
  );
  const keyId = created.KeyMetadata?.KeyId;
  const keyArn = created.KeyMetadata?.Arn;
  if (!keyId || !keyArn) throw new UnexpectedKmsResponseError('CreateKey', 'KeyMetadata.KeyId');
  await addBinding(
    { store: deps.bindings, kms: deps.kms, clock: deps.clock },
    { hsmKeyLabel: key.hsmKeyLabel, keyId: keyArn, createdBy: 'byok demo' },
  );
  return keyId;
}

export interface DemoOutcome {
  key: DemoKey;
  result: ExecutionResult;
  seconds: number;
}

async function runDemo(options: {
  byokHome: string;
  out: NodeJS.WritableStream;
  progress: NodeJS.WritableStream & { isTTY?: boolean };
}): Promise<DemoOutcome[]> {
  const { out } = options;
  const token = await initLocalToken({ byokHome: options.byokHome });
  out.write(
    token.created
      ? `Created a local ${token.config.profile} token in ${hsmDir(options.byokHome)}\n`
      : `Using the local ${token.config.profile} token in ${hsmDir(options.byokHome)}\n`,
  );
  const stack = await startLocalStack({ port: 0 });
  out.write(
    `Started the local stack at ${stack.url} (KMS-compatible endpoint, virtual clock), in memory for this run\n\n`,
  );
  const hsm = await openHsm(token.config);
  const deps = await createLocalDeps({
    endpoint: stack.url,
    region: stack.region,
    accountId: stack.accountId,
    clock: stack.clock,
    hsm,
  });
  const outcomes: DemoOutcome[] = [];
  try {
    for (const key of DEMO_KEYS) {
      const hsmKey = await ensureHsmKey(hsm, key);
      const keyId = await createExternalKey(deps, key);
      out.write(
        `== ${key.family}: HSM key ${key.hsmKeyLabel} (${key.hsmKeyType}, ${hsmKey}) -> KMS key ${keyId} (${key.keySpec}, origin EXTERNAL, bound to the HSM key)\n`,
      );
      const started = performance.now();
      const result = await runExecution({
        stateMachine: 'import-key-material',
        // Only the key id: the HSM key label and the validity come from the key's byok tags.
        input: { keyId, reason: 'byok demo' },
        deps,
        onProgress: createProgressReporter({ stream: options.progress, label: `  ${key.family}` }).onProgress,
      });
      const seconds = (performance.now() - started) / 1000;
      outcomes.push({ key, result, seconds });
      if (result.status === 'SUCCEEDED') out.write(indent(formatProof(result.output as ImportResult)));
      else out.write(`  FAILED: ${result.error}: ${result.cause}\n`);
      out.write('\n');
    }
  } finally {
    await deps.close();
    await hsm.close();
    finalizeIdleModules();
    await stack.stop();
  }
  out.write(formatSummaryTable(outcomes.map(summaryRow)));
  return outcomes;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}

function summaryRow({ key, result, seconds }: DemoOutcome): SummaryRow {
  const output = result.status === 'SUCCEEDED' ? (result.output as ImportResult) : undefined;
  return {
    family: key.family,
    keySpec: key.keySpec,
    hsmKeyLabel: key.hsmKeyLabel,
    wrappingAlgorithm: output?.wrappingAlgorithm ?? '-',
    validTo: output?.validTo ?? (output ? 'no expiry' : '-'),
    proof: output ? output.evidence.method : '-',
    seconds: `${seconds.toFixed(2)} s`,
    result: output ? 'verified' : `FAILED (${result.error})`,
  };
}

/** `byok demo` as the command runs it: stdout gets the story, stderr the progress. */
export async function runDemoCommand(): Promise<void> {
  const byokHome = defaultByokHome();
  const outcomes = await runDemo({
    byokHome,
    out: process.stdout,
    progress: process.stderr,
  });
  const failed = outcomes.filter((outcome) => outcome.result.status !== 'SUCCEEDED');
  if (failed.length > 0) {
    process.stdout.write(`\n${failed.length} of ${outcomes.length} imports failed.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`\nAll ${outcomes.length} imports verified: KMS holds the HSM's keys.\n`);
  }
  process.stdout.write(afterword(hsmDir(byokHome)));
}

/** What a newcomer needs after the table: what was shown, where things are, where to go next. */
export function afterword(tokenDir: string): string {
  return [
    '',
    'What happened: each HSM key was wrapped inside the token (C_WrapKey) under a one-time KMS wrapping',
    'key, imported into its EXTERNAL KMS key, then proven by making KMS use it (the checks above).',
    'Plaintext key material never left the token.',
    '',
    `The token and its PIN file stay in ${tokenDir}: the next run reuses them`,
    '(BYOK_HOME picks another place; remove the directory to start over). The local stack and its',
    'KMS keys lived in this process only and are gone.',
    '',
    'Next:',
    '  node bin/byok.js hsm list               # the keys in the token: labels and check values, never values',
    '  node bin/byok.js simulate --days 400    # a year of scheduled reimports on the virtual clock',
    '  node bin/byok.js --help                 # every command; README.md "Using the CLI" walks through them',
    '',
  ].join('\n');
}
