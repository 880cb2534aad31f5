// Task tokens and activities for the runner: the public surface (see docs/workflow.md, "Task
// tokens and activities").
export * from './activities.ts';
export * from './errors.ts';
export { prepareTokenStates } from './integration.ts';
export { localFunctionName } from './lambda-invoke.ts';
export * from './registry.ts';
export * from './service.ts';
export * from './timers.ts';
export { isWellFormedTaskToken, newTaskToken } from './tokens.ts';
