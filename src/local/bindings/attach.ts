// Serves the local bindings store at `/_byok/bindings` on the local stack's port, so `byok
// bindings`, the local GetParametersForImport and the local sweep read and change it over HTTP,
// from this process or another:
//   GET    /_byok/bindings                    {"bindings":[...]}
//   GET    /_byok/bindings?hsmKeyLabel=LABEL  {"binding":{...}|null}
//   POST   /_byok/bindings  {binding}         {"added":true} | {"added":false,"existing":{...}}
//   DELETE /_byok/bindings  {"hsmKeyLabel","keyArn"}  {"removed":true} | {"removed":false,"existing":...}
// The local stack has no authentication (loopback only): locally, whoever runs the stack is its
// administrator. Deployed, the table's resource policy is what keeps bindings to administrators.
import type { z } from 'zod';
import { AdminError } from '../errors.ts';
import { type BindingsStateStore, LocalBindingSchema, LocalBindings } from './store.ts';

const BINDINGS_ADMIN_ROUTE = 'bindings';

const RemoveSchema = LocalBindingSchema.pick({ hsmKeyLabel: true, keyArn: true }).strict();

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AdminError(
    `invalid binding: ${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
  );
}

export interface BindingsAttachableStack {
  server: {
    addAdminRoute(
      name: string,
      handler: (request: {
        method: string;
        body: Record<string, unknown>;
        query: URLSearchParams;
      }) => unknown,
    ): void;
  };
}

export function attachLocalBindings(
  stack: BindingsAttachableStack,
  store: BindingsStateStore | undefined,
): LocalBindings {
  const bindings = LocalBindings.open(store);
  stack.server.addAdminRoute(BINDINGS_ADMIN_ROUTE, ({ method, body, query }) => {
    if (method === 'GET') {
      const label = query.get('hsmKeyLabel');
      if (label !== null) return { binding: bindings.get(label) ?? null };
      return { bindings: bindings.list() };
    }
    if (method === 'POST') return bindings.add(parseBody(LocalBindingSchema, body));
    if (method === 'DELETE') {
      const { hsmKeyLabel, keyArn } = parseBody(RemoveSchema, body);
      const result = bindings.remove(hsmKeyLabel, keyArn);
      return result.removed ? result : { removed: false, existing: result.existing ?? null };
    }
    throw new AdminError(`${method} is not allowed on /_byok/${BINDINGS_ADMIN_ROUTE}`, 405);
  });
  return bindings;
}
