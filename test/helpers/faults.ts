// The local stack's fault injection (POST /_byok/faults sets them, DELETE clears them): exceptions,
// latency, throttling and `afterCommit` (the operation takes effect, then fails) per operation.
export async function setStackFaults(
  stackUrl: string,
  faults: Array<Record<string, unknown>>,
): Promise<void> {
  const response = await fetch(`${stackUrl}/_byok/faults`, {
    method: faults.length > 0 ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    ...(faults.length > 0 ? { body: JSON.stringify({ faults }) } : {}),
  });
  if (!response.ok) throw new Error(`faults: HTTP ${response.status} ${await response.text()}`);
}
