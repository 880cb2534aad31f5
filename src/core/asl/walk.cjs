// The one walk over an Amazon States Language definition: every state at any depth (the states of
// a Map's ItemProcessor or Iterator, a Distributed Map's included, and of each Parallel branch).
// The local runner, the console's run graph and packaging (deploy/state-machines.cjs) all walk
// definitions with it. CommonJS with its types beside it (walk.d.cts): deploy/*.cjs requires it
// when serverless.yml is resolved, where no TypeScript is compiled; ESM code imports it as is.
'use strict';

/** The definitions nested in one state: a Map's ItemProcessor (or legacy Iterator), Parallel branches. */
function nestedDefinitions(state) {
  const nested = [];
  if (state.ItemProcessor) nested.push(state.ItemProcessor);
  if (state.Iterator) nested.push(state.Iterator);
  if (Array.isArray(state.Branches)) nested.push(...state.Branches);
  return nested;
}

/**
 * Calls `visit(name, state, where)` for every state, parents before the states nested in them;
 * `where.definition` is the definition level holding the state and `where.parent` the name of the
 * Map or Parallel state around that level (undefined at the top).
 */
function forEachState(definition, visit, parent = undefined) {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state, { definition, parent });
    for (const nested of nestedDefinitions(state)) forEachState(nested, visit, name);
  }
}

/**
 * A copy of the definition with every state replaced by what `mapState(name, state)` returns, at
 * any depth. States are mapped innermost first: the state `mapState` receives is a copy whose
 * nested definitions (ItemProcessor, Iterator, Branches) are already mapped, so it may rewrite the
 * state as a whole. The definition given is never changed.
 */
function mapStates(definition, mapState) {
  const states = {};
  for (const [name, state] of Object.entries(definition.States)) {
    const copy = { ...state };
    if (state.ItemProcessor) copy.ItemProcessor = mapStates(state.ItemProcessor, mapState);
    if (state.Iterator) copy.Iterator = mapStates(state.Iterator, mapState);
    if (Array.isArray(state.Branches)) copy.Branches = state.Branches.map((b) => mapStates(b, mapState));
    states[name] = mapState(name, copy);
  }
  return { ...definition, States: states };
}

module.exports = { nestedDefinitions, forEachState, mapStates };
