// Environment read once at cold start; a missing variable is a deployment mistake with a clear name.
import { ByokError } from '../../src/core/shared/errors.ts';
export class MissingEnvironmentVariableError extends ByokError {
  readonly variable: string;
  constructor(variable: string, options?: ErrorOptions) {
    super(`environment variable ${variable} is not set`, options);
    this.name = 'MissingEnvironmentVariableError';
    this.variable = variable;
  }
}

export class InvalidEnvironmentVariableError extends ByokError {
  readonly variable: string;
  constructor(variable: string, problem: string, options?: ErrorOptions) {
    super(`environment variable ${variable} ${problem}`, options);
    this.name = 'InvalidEnvironmentVariableError';
    this.variable = variable;
  }
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingEnvironmentVariableError(name);
  return value;
}
