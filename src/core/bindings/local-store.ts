// The bindings store of a local stack, reached over HTTP at its `/_byok/bindings` admin path
// (src/local/bindings/attach.ts): what `byok import --endpoint`, `byok local up`'s workflows, the
// local sweep and `byok bindings --endpoint` read and change. Every answer is checked against the
// binding schema, as the deployed table's items are.
import { z } from 'zod';
import { requestTimeoutOf } from '../aws/clients.ts';
import { type Binding, BindingSchema } from './contracts.ts';
import { BindingsStoreCorruptError, BindingsStoreUnavailableError } from './errors.ts';
import type { AddResult, BindingsStore, RemoveResult } from './port.ts';

const ListAnswer = z.object({ bindings: z.array(BindingSchema) });
const GetAnswer = z.object({ binding: BindingSchema.nullable() });
const AddAnswer = z.union([
  z.object({ added: z.literal(true) }),
  z.object({ added: z.literal(false), existing: BindingSchema }),
]);
const RemoveAnswer = z.union([
  z.object({ removed: z.literal(true) }),
  z.object({ removed: z.literal(false), existing: BindingSchema.nullable() }),
]);

export class LocalBindingsStore implements BindingsStore {
  private readonly url: URL;

  constructor(readonly endpoint: string) {
    this.url = new URL('/_byok/bindings', endpoint);
  }

  private async call<T extends z.ZodType>(
    schema: T,
    init: { method: string; body?: unknown },
    query?: Record<string, string>,
  ): Promise<z.output<T>> {
    const url = new URL(this.url);
    for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, value);
    // A deadline as every AWS call has (clients.ts): a stack that accepts and never answers
    // would otherwise hold `byok bindings` and the imports that read a binding forever.
    const deadlineMs = requestTimeoutOf({});
    let response: Response;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(deadlineMs),
        method: init.method,
        ...(init.body === undefined
          ? {}
          : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      const late = error instanceof Error && error.name === 'TimeoutError';
      throw new BindingsStoreUnavailableError(
        late
          ? `the local stack at ${this.endpoint} did not answer within ${deadlineMs} ms`
          : `no local stack answers at ${this.endpoint}`,
        {
          cause: error,
          hint: 'start one with: byok local up',
        },
      );
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const message = (payload as { message?: unknown } | undefined)?.message;
      throw new BindingsStoreUnavailableError(
        `the local stack at ${this.endpoint} refused ${init.method} /_byok/bindings (HTTP ${response.status}${typeof message === 'string' ? `: ${message}` : ''})`,
        response.status === 404
          ? { hint: 'this local stack has no bindings store: restart it with this version of byok' }
          : undefined,
      );
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new BindingsStoreCorruptError(
        `the local stack at ${this.endpoint} answered ${init.method} /_byok/bindings with something that is not a binding`,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  async get(hsmKeyLabel: string): Promise<Binding | undefined> {
    const answer = await this.call(GetAnswer, { method: 'GET' }, { hsmKeyLabel });
    return answer.binding ?? undefined;
  }

  async list(): Promise<Binding[]> {
    return (await this.call(ListAnswer, { method: 'GET' })).bindings;
  }

  add(binding: Binding): Promise<AddResult> {
    return this.call(AddAnswer, { method: 'POST', body: BindingSchema.parse(binding) });
  }

  async remove(hsmKeyLabel: string, keyArn: string): Promise<RemoveResult> {
    const answer = await this.call(RemoveAnswer, { method: 'DELETE', body: { hsmKeyLabel, keyArn } });
    return answer.removed ? answer : { removed: false, existing: answer.existing ?? undefined };
  }
}
