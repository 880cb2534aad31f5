// "Start an import": the form's request, checked again here with the zod contract the handlers use
// (the page checked it against the published JSON Schema already), started as an execution of the
// deployed (or local) import state machine. The page then follows the run on the Runs API.
import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ImportExecutionInputSchema } from '../../core/import/contracts.ts';
import { describeIssues } from '../../core/step-kernel/issues.ts';
import type { ConsoleBackend } from './backend.ts';
import { ConsoleInvalidRequestError } from './errors.ts';
import type { StartedImport } from './wire.ts';

/** `console-<key id tail>-<random>`: a click is a new run; the name says where it came from. */
function consoleExecutionName(keyId: string): string {
  const keyTail = (keyId.split('/').pop() ?? keyId).replace(/[^A-Za-z0-9-]/g, '').slice(0, 40);
  return `console-${keyTail}-${randomUUID().slice(0, 8)}`;
}

export async function startImport(backend: ConsoleBackend, body: unknown): Promise<StartedImport> {
  const parsed = ImportExecutionInputSchema.safeParse(body);
  if (!parsed.success) throw new ConsoleInvalidRequestError(describeIssues(parsed.error));
  const stateMachineArn = await backend.stateMachineArn('import-key-material');
  const started = await backend.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: consoleExecutionName(parsed.data.keyId),
      input: JSON.stringify(parsed.data),
    }),
  );
  return {
    executionArn: started.executionArn ?? '',
    startDate: (started.startDate ?? new Date()).toISOString(),
  };
}
