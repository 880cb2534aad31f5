// What `byok local ...` does (see register.ts and options.ts for its options). Loaded only when a command runs: `up`
// pulls in the whole embedded stack.
import { join } from 'node:path';
import { startLocalStack } from '../../../../local/stack.ts';
import { LocalEndpointError } from '../../errors.ts';
import { defaultStateDir, LOOPBACK_HOSTS, type UpOptions } from './options.ts';
import { type StopFailure, stopEach, stopReport } from './stop.ts';

/** `--approval-team FILE`, read and validated before anything starts (ApprovalTeamInvalidError). */
async function readApprovalTeam(options: UpOptions) {
  if (!options.approvalTeam) return undefined;
  if (options.approvalsRequired !== undefined) {
    throw new LocalEndpointError(
      '--approvals-required applies without a team file only',
      'set approvalsRequired in the team file instead',
    );
  }
  const { readFile } = await import('node:fs/promises');
  const { parseLocalApprovalTeamFile } = await import('../../../../core/approvals/team.ts');
  let text: string;
  try {
    text = await readFile(options.approvalTeam, 'utf8');
  } catch (error) {
    throw new LocalEndpointError(
      `cannot read the approval team file ${options.approvalTeam}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      'give --approval-team a readable JSON file (docs/rotation.md)',
    );
  }
  return parseLocalApprovalTeamFile(text, options.approvalTeam);
}

export async function runUp(options: UpOptions): Promise<void> {
  if (!LOOPBACK_HOSTS.has(options.host) && !options.publicBind) {
    throw new LocalEndpointError(
      `refusing to serve on ${options.host}: the local stack has no authentication and holds key material`,
      'add --public-bind if you really mean to expose it beyond this machine',
    );
  }
  const stateDir = options.memory ? undefined : (options.stateDir ?? defaultStateDir());
  const approvalTeam = await readApprovalTeam(options);
  const stack = await startLocalStack({
    port: options.port,
    host: options.host,
    region: options.region,
    accountId: options.accountId,
    kmsPrewarmWrappingKeys: options.prewarm,
    ...(stateDir ? { stateDir } : {}),
    ...(options.quotas ? { quotas: options.quotas } : {}),
  });
  // The Step Functions API (`byok start --endpoint`): runs imports with the token of $BYOK_HOME.
  // Task tokens and activity tasks run on the stack's virtual clock (SendTask*, GetActivityTask).
  const { attachLocalStepFunctionsWithLocalToken } = await import('../../../simulation/step-functions.ts');
  const { createTaskTokenServiceOn } = await import('../../../runner/tasks/service.ts');
  const tasks = createTaskTokenServiceOn(stack.clock);
  // The approvals API (`byok rotate/approvals/approve/reject --endpoint`): its own loopback port,
  // found through GET /_byok/approvals; identities from the SigV4 access key id.
  const { startLocalApprovals } = await import('../../../simulation/approvals.ts');
  // With a state dir, approval requests, votes and import runs are kept in <state dir>/dynamodb.
  const approvals = await startLocalApprovals(stack, {
    dynamoDbPath: stateDir ? join(stateDir, 'dynamodb') : undefined,
    ...(approvalTeam ? { team: approvalTeam.team, principalFor: approvalTeam.principalFor } : {}),
    ...(options.approvalsRequired ? { approvalsRequired: options.approvalsRequired } : {}),
  });
  const stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, {
    tasks,
    hsmPlacement: options.hsmPlacement,
    approvals: approvals.store,
  });
  // byok's EventBridge rules (daily sweep, expiration rule) start their executions through it.
  const { createStepFunctionsApiTargetHandler } = await import('../../../runner/state-machine-targets.ts');
  stack.events.bus.addTargetHandler(createStepFunctionsApiTargetHandler(stepFunctions.service));
  process.stderr.write(
    `byok local stack: region ${stack.region}, account ${stack.accountId}, state ${stateDir ?? '(memory only)'}, HSM steps: ${options.hsmPlacement === 'activity' ? 'activity (byok worker)' : 'in this process'}, approvals API ${approvals.url} (${stateDir ? `kept in ${join(stateDir, 'dynamodb')}` : 'in memory'}; ${approvalTeam ? `team of ${approvalTeam.team.members.length} from ${options.approvalTeam}` : 'each access key id its own member'}, M=${approvals.team.approvalsRequired})\n`,
  );
  process.stdout.write(`${stack.url}\n`);
  // `--console`: the web console (byok console --endpoint) for this stack, in this process.
  const consoleServer = options.console
    ? await (await import('../../../console/server.ts')).startConsoleServer({ endpoint: stack.url })
    : undefined;
  if (consoleServer) {
    process.stdout.write(`${consoleServer.url}\n`);
    process.stderr.write(
      'byok local stack: web console at the second URL above (it carries the session secret)\n',
    );
  }
  const failures = await new Promise<StopFailure[]>((done) => {
    let stopping = false;
    // The first SIGINT/SIGTERM stops cleanly: running executions are kept to resume (waiting for a
    // task token) or end FAILED Local.StackStopped (with a state dir), tasks close, the
    // state is written. A second one while that runs ends the process at once.
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`byok local stack: ${signal} again, stopping now without waiting\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      // Said before it happens: "saving", not "saved"; the last line says whether it was.
      process.stderr.write(
        `byok local stack: ${signal}, stopping (${stateDir ? `saving the state in ${stateDir}` : 'memory only: nothing is kept'}); ${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to force\n`,
      );
      void stopEach([
        { name: 'the web console', stop: () => consoleServer?.close() },
        {
          name: 'the Step Functions API (running executions kept or failed)',
          stop: () => stepFunctions.close(),
        },
        { name: 'the task token service', stop: () => tasks.close() },
        { name: 'the approvals API', stop: () => approvals.stop() },
        { name: 'the stack (its endpoints, KMS, the state dir lock)', stop: () => stack.stop() },
      ]).then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  for (const line of stopReport(failures, stateDir)) process.stderr.write(`${line}\n`);
  // Exit 0 only when every part stopped (and, with a state dir, wrote its state).
  if (failures.length > 0) process.exitCode = 1;
  // Everything is closed and the state written. A rotation that was waiting for its vote leaves the
  // ASL interpreter's timers behind (its TimeoutSeconds, the task token's wait: aws-local-stepfunctions
  // clears them only when the state returns), which would keep this process alive after "stopped".
  process.exit(process.exitCode ?? 0);
}

interface ClockView {
  now: string;
  epochMs: number;
  offsetMs: number;
}

export async function callClock(endpoint: string, body?: Record<string, string>): Promise<ClockView> {
  let response: Response;
  const url = new URL('/_byok/clock', endpoint);
  try {
    response = await fetch(url, body ? { method: 'POST', body: JSON.stringify(body) } : {});
  } catch (error) {
    throw new LocalEndpointError(`no local stack answers at ${endpoint}`, 'start one with: byok local up', {
      cause: error,
    });
  }
  const payload = (await response.json().catch(() => ({}))) as Partial<ClockView> & {
    error?: string;
    message?: string;
  };
  if (!response.ok)
    throw new LocalEndpointError(payload.message ?? `the clock answered HTTP ${response.status}`);
  return payload as ClockView;
}

export function printClock(view: ClockView): void {
  const offset = view.offsetMs;
  process.stdout.write(`${view.now}\n`);
  process.stderr.write(
    `virtual clock is ${offset >= 0 ? '+' : ''}${(offset / 1000).toFixed(3)} s from real time\n`,
  );
}
