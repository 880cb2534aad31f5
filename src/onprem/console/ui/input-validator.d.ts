// The import input's validator, compiled by ajv at build time (scripts/build-console.mjs) from the
// published JSON Schema and bundled under this name.
declare module 'byok-import-input-validator' {
  interface ValidationError {
    instancePath: string;
    keyword: string;
    message?: string;
    params: Record<string, unknown>;
  }
  interface ValidateFunction {
    (data: unknown): boolean;
    errors?: ValidationError[] | null;
  }
  const validate: ValidateFunction;
  export default validate;
}
