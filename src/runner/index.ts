// The local runner's public surface.
export * from './errors.ts';
export {
  type Integration,
  type IntegrationContext,
  integrations,
  type PublishedEvent,
  registerIntegration,
} from './integrations.ts';
export { type CreateLocalDepsOptions, createLocalDeps, type LocalDeps } from './local-deps.ts';
export { createProgressReporter, type ProgressReporter } from './progress.ts';
export {
  type ExecutionEvent,
  type ExecutionResult,
  type ExecutionStatus,
  type RunExecutionOptions,
  type RunnerDeps,
  type RunOverrides,
  runExecution,
} from './run-execution.ts';
export * from './start-execution-sync.ts';
export { listStateMachines, loadStateMachine } from './state-machines.ts';
