// byok's deployed (or local) state machines, found by name: a workflow `<name>` is deployed as
// `<name>` locally and as `<service>-<stage>-<name>` by the Serverless Framework.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { listStateMachines } from './paginate-sfn.ts';

/** The ARNs of the state machines named `<name>` or `*-<name>`, for each name, in one listing. */
export async function findStateMachineArns<Name extends string>(
  sfn: SFNClient,
  names: readonly Name[],
): Promise<Map<Name, string[]>> {
  const found = new Map<Name, string[]>(names.map((name) => [name, []]));
  for (const machine of await listStateMachines(sfn)) {
    const machineName = machine.name ?? '';
    const name = names.find((n) => machineName === n || machineName.endsWith(`-${n}`));
    if (name && machine.stateMachineArn) found.get(name)?.push(machine.stateMachineArn);
  }
  return found;
}
