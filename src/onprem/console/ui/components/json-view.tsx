// A state's input or output as indented JSON (already redacted by the server).
export function JsonView({ value, label }: { value: unknown; label: string }) {
  if (value === undefined) return <p class="muted">{label}: none</p>;
  return (
    <div class="json">
      <h4>{label}</h4>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}
