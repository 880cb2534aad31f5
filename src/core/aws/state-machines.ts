// byok's deployed (or local) state machines, found by name: a workflow `<name>` is deployed as
// `<name>` locally and as `<service>-<stage>-<name>` by the Serverless Framework.
import { ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** The ARNs of the state machines named `<name>` or `*-<name>`, for each name, in one listing. */
export async function findStateMachineArns<Name extends string>(
  sfn: SFNClient,
  names: readonly Name[],
): Promise<Map<Name, string[]>> {
  const found = new Map<Name, string[]>(names.map((name) => [name, []]));
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const machine of page.stateMachines ?? []) {
      const machineName = machine.name ?? '';
      const name = names.find((n) => machineName === n || machineName.endsWith(`-${n}`));
      if (name && machine.stateMachineArn) found.get(name)?.push(machine.stateMachineArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}
