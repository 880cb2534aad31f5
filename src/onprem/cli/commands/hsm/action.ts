// What the `byok hsm ...` commands do (see register.ts and options.ts for their options). Loaded only when one runs:
// it pulls in pkcs11js and the HSM adapter. Output shows labels, types, attributes and check
// values; never key material.
import { createHash } from 'node:crypto';
import { defaultByokHome, hsmDir, loadHsmConfig } from '../../../../core/hsm/config.ts';
import { HsmError, HsmKeyFileExposedError, HsmKeyFileRefusedError } from '../../../../core/hsm/errors.ts';
import { initLocalToken } from '../../../../core/hsm/local-token.ts';
import { finalizeIdleModules, openHsm, type Pkcs11Hsm } from '../../../../core/hsm/pkcs11-adapter.ts';
import type { Evidence, HsmKeyInfo } from '../../../../core/hsm/port.ts';
import {
  classifyRotationKey,
  type RotationKeyFacts,
  type RotationKeyReport,
  rotationRequestOf,
} from '../../../../core/rotation/orphans.ts';
import { openRegularFile } from '../../../../core/shared/files.ts';
import { cell, terminalJson } from '../../terminal.ts';
import type { HsmCreateKeyOptions, HsmImportKeyOptions, HsmInitOptions, HsmListOptions } from './options.ts';

export async function runHsmInit(options: HsmInitOptions): Promise<void> {
  const byokHome = defaultByokHome();
  const result = await initLocalToken({ byokHome, kind: options.token });
  const { config } = result;
  if (result.created) {
    process.stdout.write(
      `Created ${config.profile} token "${config.tokenLabel}" in ${hsmDir(byokHome)}\n` +
        `  configuration: ${result.configFile}\n` +
        `  PIN file:      ${config.pinFile ?? '(none)'} (mode 0600)\n`,
    );
  } else {
    process.stdout.write(
      `A ${config.profile} token "${config.tokenLabel}" already exists in ${hsmDir(byokHome)}; nothing changed.\n`,
    );
    if (config.profile !== options.token) {
      process.stdout.write(
        `  (it is ${config.profile}, not ${options.token}; remove ${hsmDir(byokHome)} to start over)\n`,
      );
    }
  }
}

export async function runHsmCreateKey(options: HsmCreateKeyOptions): Promise<void> {
  await withHsm(async (token) => {
    const info = await token.createKey({ label: options.label, type: options.type });
    process.stdout.write(`Created ${describeKey(info)}\n${evidenceLine(await token.evidence(info.label))}\n`);
  });
}

export async function runHsmImportKey(options: HsmImportKeyOptions): Promise<void> {
  const material = await readKeyFile(options.file);
  try {
    await withHsm(async (token) => {
      const info = await token.importKey({ label: options.label, type: options.type, material });
      process.stdout.write(
        `Imported ${describeKey(info)}\n${evidenceLine(await token.evidence(info.label))}\n`,
      );
      process.stdout.write(`The token now holds the key; delete ${options.file} securely.\n`);
    });
  } finally {
    material.fill(0);
  }
}

/**
 * The facts that say whether a rotation key's request was abandoned: its request through the
 * approvals API (--endpoint), its execution through Step Functions (the same local stack, or AWS).
 */
async function rotationFactsFor(options: HsmListOptions): Promise<RotationKeyFacts | undefined> {
  if (!options.endpoint) return undefined;
  const { approvalsClientFor, localApprovalsUrl } = await import('../../approvals-client.ts');
  const { ApprovalsApiError } = await import('../../../../core/approvals/client.ts');
  const { resolveAwsTarget } = await import('../../aws-target.ts');
  const { createSfnClient } = await import('../../../../core/aws/clients.ts');
  const { executionStatusOf } = await import('../../../../core/rotation/orphan-facts.ts');
  const approvals = await approvalsClientFor(options);
  const local = await localApprovalsUrl(options.endpoint);
  const target = await resolveAwsTarget({
    region: options.region,
    profile: options.profile,
    ...(local ? { endpoint: options.endpoint } : {}),
  });
  const sfn = createSfnClient(target);
  return {
    async request(requestId) {
      try {
        const { request } = await approvals.getRequest(requestId);
        return { keyArn: request.keyArn, status: request.status, executionArn: request.executionArn };
      } catch (error) {
        if (error instanceof ApprovalsApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    executionStatus: executionStatusOf(sfn),
  };
}

export async function runHsmList(options: HsmListOptions): Promise<void> {
  const facts = await rotationFactsFor(options);
  await withHsm(async (token) => {
    const keys = await token.listKeys();
    const rows = [];
    for (const key of keys) {
      const check = publicCheck(await token.evidence(key.label));
      const wrapping = options.capabilities ? await token.wrappingAlgorithms(key.type) : undefined;
      const requestId = rotationRequestOf(key);
      const rotation = requestId
        ? facts
          ? await classifyRotationKey(key.label, requestId, facts)
          : { requestId }
        : undefined;
      rows.push({
        ...key,
        check,
        ...(wrapping ? { wrappingAlgorithms: wrapping } : {}),
        ...(rotation ? { rotation } : {}),
      });
    }
    const findings = options.capabilities ? (await token.tokenCapabilities()).findings : undefined;
    if (options.output === 'json') {
      const report = { token: token.tokenLabel, profile: token.config.profile, keys: rows, findings };
      process.stdout.write(`${terminalJson(report, 2)}\n`);
      return;
    }
    process.stdout.write(
      `Token "${cell(token.tokenLabel)}" (${token.config.profile}): ${keys.length} key(s)\n`,
    );
    for (const row of rows) {
      process.stdout.write(`  ${describeKey(row)}  ${row.check.summary}\n`);
      if (row.rotation) process.stdout.write(`    ${rotationLine(row.rotation)}\n`);
      if (row.wrappingAlgorithms) {
        const list = row.wrappingAlgorithms.length > 0 ? row.wrappingAlgorithms.join(', ') : 'none';
        process.stdout.write(`    can be wrapped with: ${list}\n`);
      }
    }
    if (findings) process.stdout.write(`Self-test:\n${findings.map((line) => `  ${line}\n`).join('')}`);
  });
}

/**
 * The key file's bytes, refused at once, by name, if it is a symbolic link, a FIFO, a device or a
 * directory (a FIFO would block the read forever), or if group or others can access it: that copy
 * of the material is exposed already. Same rule as the PIN file (src/core/hsm/config.ts).
 */
async function readKeyFile(file: string): Promise<Buffer> {
  const opened = await openRegularFile(file);
  if (!opened.ok) {
    if (opened.refusal === 'symbolic link') {
      throw new HsmKeyFileRefusedError(`key file ${file} is a symbolic link; nothing was imported`, {
        hint: 'Give the path of the file itself.',
      });
    }
    if (opened.refusal === 'not a regular file') {
      throw new HsmKeyFileRefusedError(
        `key file ${file} is ${opened.kind}, not a regular file; nothing was imported`,
        { hint: 'Write the key material to a regular file (mode 0600) and give its path.' },
      );
    }
    throw new HsmError(`cannot read key file ${file}`, {
      cause: 'cause' in opened ? opened.cause : undefined,
    });
  }
  const { handle } = opened;
  try {
    const stats = await handle.stat();
    if ((stats.mode & 0o077) !== 0) {
      throw new HsmKeyFileExposedError(
        `key file ${file} is accessible by group or others (mode ${(stats.mode & 0o777).toString(8)}); nothing was imported`,
        {
          hint: `Run: chmod 600 ${file} and import again; consider the material exposed if others could read it, and delete the file securely afterwards.`,
        },
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function withHsm(work: (hsm: Pkcs11Hsm) => Promise<void>): Promise<void> {
  const config = await loadHsmConfig(defaultByokHome());
  const hsm = await openHsm(config);
  try {
    await work(hsm);
  } finally {
    await hsm.close();
    finalizeIdleModules();
  }
}

export function describeKey(info: HsmKeyInfo): string {
  const flags = [
    info.sensitive ? 'sensitive' : 'NOT sensitive',
    info.extractable ? 'extractable' : 'not extractable',
    info.alwaysSensitive ? 'always-sensitive' : undefined,
  ].filter(Boolean);
  const length = info.valueLength !== undefined ? `, ${info.valueLength} bytes` : '';
  // A label may be of another tool's or user's making (only byok's own are checked, G6).
  return `"${cell(info.label)}" ${info.type} (${info.objectClass}${length}; ${flags.join(', ')})`;
}

/** What `list` shows: a check value that identifies the key without revealing it. */
function publicCheck(evidence: Evidence): { summary: string; [field: string]: string | number } {
  if (evidence.kind === 'aes-kcv') {
    return {
      summary: `KCV ${evidence.kcv} (AES-ECB of a zero block)`,
      kcv: evidence.kcv,
      method: evidence.method,
    };
  }
  if (evidence.kind === 'hmac') {
    // A MAC of a random challenge identifies nothing later; the key length is what can be checked.
    return {
      summary: `${evidence.macAlgorithm}, key ${evidence.keyLength} bytes`,
      keyLength: evidence.keyLength,
    };
  }
  const fingerprint = createHash('sha256').update(evidence.spki).digest('hex');
  return {
    summary: `public key SHA-256 ${fingerprint.slice(0, 16)}…`,
    publicKeySha256: fingerprint,
    publicKey: Buffer.from(evidence.spki).toString('base64'),
  };
}

function rotationLine(rotation: { requestId: string } | RotationKeyReport): string {
  if (!('state' in rotation)) {
    return `rotation material of request ${cell(rotation.requestId)} (pass --endpoint to see whether the request was abandoned)`;
  }
  if (rotation.state === 'orphan') {
    return `ORPHAN: rotation material of abandoned request ${cell(rotation.requestId)} (${cell(rotation.reason)}); the next rotation run destroys it once KMS proves no material came from it`;
  }
  return `rotation material of request ${cell(rotation.requestId)} (${cell(rotation.reason)})`;
}

function evidenceLine(evidence: Evidence): string {
  return `  ${publicCheck(evidence).summary}`;
}
