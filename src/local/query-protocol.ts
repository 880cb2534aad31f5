// The AWS Query protocol as the local stack speaks it (STS): `POST /` with a form-encoded body
// `Action=<Operation>&Version=...&<members>`, answered with `<OperationResponse><OperationResult>…`
// XML, errors as `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message>`.
// The service is chosen by the signing name of the request's credential scope.
import type { RequestContext } from './protocol.ts';

export const QUERY_CONTENT_TYPE = 'text/xml';

/** A Query-protocol service: answers one action with the XML inside `<ActionResult>`. */
export interface LocalQueryService {
  /** The SigV4 signing name (`sts`). */
  readonly signingName: string;
  /** The XML namespace of its responses. */
  readonly xmlns: string;
  handle(action: string, params: URLSearchParams, context: RequestContext): Promise<string>;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `<name>value</name>` for each defined entry, values escaped. */
export function xmlElements(entries: Record<string, string | undefined>): string {
  return Object.entries(entries)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(value as string)}</${name}>`)
    .join('');
}

export function queryResponse(action: string, xmlns: string, resultXml: string, requestId: string): string {
  return `<${action}Response xmlns="${xmlns}"><${action}Result>${resultXml}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(
  type: string,
  message: string | undefined,
  requestId: string,
  status: number,
): string {
  const fault = status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse><Error><Type>${fault}</Type><Code>${escapeXml(type)}</Code>${
    message === undefined ? '' : `<Message>${escapeXml(message)}</Message>`
  }</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
