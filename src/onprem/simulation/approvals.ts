// The approvals API served by a local stack: the same handlers as the deployed function URL
// (src/core/approvals/http.ts), the store on a real DynamoDB-compatible endpoint (dynalite, its own
// loopback port), identities from the SigV4 access key id (`arn:aws:iam::<account>:user/<access
// key id>`, the documented local convention), rotations started and task results sent through the
// stack's own Step Functions API. The API listens on its own loopback port; `GET /_byok/approvals`
// on the stack tells clients (the CLI's --endpoint) where.
import { randomBytes } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { kmsKeyDirectory, sfnRotationStarter, sfnTaskResults } from '../../core/approvals/adapters.ts';
import { createApprovalsApi, localHttpListener } from '../../core/approvals/http.ts';
import { type ApprovalKeys, localApprovalKeys } from '../../core/approvals/seals.ts';
import { ApprovalsStore } from '../../core/approvals/store.ts';
import { createApprovalsTable } from '../../core/approvals/table.ts';
import { type ApprovalTeam, principalsAsMembers } from '../../core/approvals/team.ts';
import { createDynamoDbDocumentClient, createKmsClient, createSfnClient } from '../../core/aws/clients.ts';
import { createBindingsStore } from '../../core/bindings/factory.ts';
import type { Clock } from '../../core/clock.ts';
import { startLocalDynamoDb } from '../../local/dynamodb/server.ts';
import { LocalStateCorruptError, LocalStateInsecureError } from '../../local/errors.ts';
import { guardLoopbackServer } from '../../local/loopback-guard.ts';
import { ensureImportRunsTable, LOCAL_IMPORT_RUNS_TABLE } from '../import-runs/table.ts';

const LOCAL_APPROVALS_TABLE = 'byok-approvals';
const ROTATION_STATE_MACHINE = 'rotate-key-material';
const APPROVALS_ADMIN_ROUTE = 'approvals';
const IMPORT_RUNS_ADMIN_ROUTE = 'import-runs';

/** The parts of a local stack the approvals API needs (structural). */
export interface ApprovalsHostStack {
  url: string;
  region: string;
  accountId: string;
  clock: Clock;
  server: {
    addAdminRoute(name: string, handler: () => unknown): void;
  };
}

export interface LocalApprovals {
  /** The approvals API's base URL (http://127.0.0.1:<port>). */
  url: string;
  /** The store the rotation workflow reads (pass it to the runner's deps as `approvals`). */
  store: ApprovalsStore;
  tableName: string;
  /** The local DynamoDB's URL (tests read the table directly). */
  dynamoDbUrl: string;
  /** The team in force (members and M). */
  team: ApprovalTeam;
  /** Unlocks a stored task token with this stack's key (tests playing a thief who has it). */
  unlockTaskToken(stored: string, requestId: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartLocalApprovalsOptions {
  /**
   * Where the tables live on disk (`<state dir>/dynamodb`): approval requests, their votes and the
   * import-runs record survive a restart. In memory without it.
   */
  dynamoDbPath?: string | undefined;
  /** Secrets per access key id: those callers' signatures are verified in full (tests). */
  secretFor?: ((accessKeyId: string) => string | undefined) | undefined;
  /** How long a request stays open (default 72 h). */
  approvalWindowMs?: number | undefined;
  /**
   * The approval team (`byok local up --approval-team FILE`); default each principal (each access
   * key id) its own member, with M = `approvalsRequired`.
   */
  team?: ApprovalTeam | undefined;
  /** M without a team file (`byok local up --approvals-required N`; default 1). */
  approvalsRequired?: number | undefined;
  /** The principal an access key id stands for (the team file's localAccessKeys). */
  principalFor?: ((accessKeyId: string) => string | undefined) | undefined;
  /** The seal and token-lock secret (32 bytes; default a fresh one for this process). */
  secret?: Uint8Array | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * The seal and token-lock secret of a stack whose approvals are kept (`<state dir>/approvals.key`,
 * 32 random bytes, 0600): a restarted stack still verifies its seals and unlocks its tokens.
 */
async function approvalsSecretBeside(dynamoDbPath: string): Promise<Uint8Array> {
  const path = join(dirname(dynamoDbPath), 'approvals.key');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(path, 'wx', 0o600);
    const secret = randomBytes(32);
    await handle.writeFile(secret);
    await handle.close();
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0 || (typeof process.getuid === 'function' && info.uid !== process.getuid())) {
    throw new LocalStateInsecureError(
      path,
      'the approvals key must belong to this user and be readable by nobody else',
    );
  }
  const handle = await open(path, 'r');
  try {
    const secret = await handle.readFile();
    if (secret.length !== 32) throw new LocalStateCorruptError(path, 'the approvals key must hold 32 bytes');
    return secret;
  } finally {
    await handle.close();
  }
}

export async function startLocalApprovals(
  stack: ApprovalsHostStack,
  options: StartLocalApprovalsOptions = {},
): Promise<LocalApprovals> {
  const dynamo = await startLocalDynamoDb({ path: options.dynamoDbPath });
  const control = new DynamoDBClient({
    endpoint: dynamo.url,
    region: stack.region,
    credentials: { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' },
    maxAttempts: 1,
  });
  const documents = createDynamoDbDocumentClient({ endpoint: dynamo.url, region: stack.region });
  const kms = createKmsClient({ endpoint: stack.url, region: stack.region });
  const sfn = createSfnClient({ endpoint: stack.url, region: stack.region });
  let server: Server | undefined;
  try {
    // A restarted stack finds its tables (and their items) where it left them.
    await createApprovalsTable(control, LOCAL_APPROVALS_TABLE).catch((error: unknown) => {
      if (!(error instanceof ResourceInUseException)) throw error;
    });
    await ensureImportRunsTable(control, LOCAL_IMPORT_RUNS_TABLE);
    const keys: ApprovalKeys = localApprovalKeys(
      options.secret ??
        (options.dynamoDbPath ? await approvalsSecretBeside(options.dynamoDbPath) : undefined),
    );
    const team = options.team ?? principalsAsMembers(options.approvalsRequired ?? 1);
    const store = new ApprovalsStore({
      client: documents,
      tableName: LOCAL_APPROVALS_TABLE,
      clock: stack.clock,
      keys,
    });
    const api = createApprovalsApi(
      {
        store,
        clock: stack.clock,
        team,
        keys: kmsKeyDirectory(kms),
        rotations: sfnRotationStarter(
          sfn,
          `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:${ROTATION_STATE_MACHINE}`,
        ),
        taskResults: sfnTaskResults(sfn),
        // The stack's bindings, as its runner reads them for GetParametersForImport and ValidateRotation.
        bindings: createBindingsStore({ endpoint: stack.url }),
        ...(options.approvalWindowMs ? { approvalWindowMs: options.approvalWindowMs } : {}),
      },
      { onError: options.onError },
    );
    const listening = createServer(
      localHttpListener(api, {
        accountId: stack.accountId,
        secretFor: options.secretFor,
        principalFor: options.principalFor,
      }),
    );
    // No web page may call it: a rebinding page would vote as any access key id it likes.
    guardLoopbackServer(listening, 'local approvals API');
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    stack.server.addAdminRoute(APPROVALS_ADMIN_ROUTE, () => ({ url, tableName: LOCAL_APPROVALS_TABLE }));
    // Where `byok import --endpoint` records its runs and `byok status`/the console list them.
    stack.server.addAdminRoute(IMPORT_RUNS_ADMIN_ROUTE, () => ({
      dynamoDbUrl: dynamo.url,
      tableName: LOCAL_IMPORT_RUNS_TABLE,
    }));
    return {
      url,
      store,
      tableName: LOCAL_APPROVALS_TABLE,
      dynamoDbUrl: dynamo.url,
      team,
      unlockTaskToken: (stored, requestId) => keys.vault.unlock(stored, requestId),
      async stop() {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          listening.closeAllConnections();
        });
        kms.destroy();
        sfn.destroy();
        documents.destroy();
        control.destroy();
        await dynamo.stop();
      },
    };
  } catch (error) {
    server?.close();
    kms.destroy();
    sfn.destroy();
    documents.destroy();
    control.destroy();
    await dynamo.stop();
    throw error;
  }
}
