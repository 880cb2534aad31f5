// What the run graph draws, before any layout: the workflow's states and transitions, each state's
// outcome in this run, and which states are failure plumbing (reached only through a Catch: finding
// the failed key id, publishing the failure, abandoning a rotation). Failure plumbing is never
// painted as success: a visited failure state is drawn as the failure path, and when the run never
// went there, the whole of it collapses into one "On failure" box. A Map's inner states collapse
// the same way when the Map never ran. Pure, so it is unit-tested; the component lays it out.
import { forEachState, nestedDefinitions } from '../../../core/asl/walk.cjs';
import type { AslDefinition, StateVisit } from '../wire.ts';

export type EdgeKind = 'next' | 'choice' | 'catch' | 'iterate';

export type NodeStatus = 'succeeded' | 'failed' | 'running' | 'failure-path' | 'not-visited';

export interface ModelNode {
  id: string;
  /** The state's name, or a collapsed group's label. */
  name: string;
  type: string;
  parent?: string;
  /** main: the way to success; failure: reached only through a Catch; collapsed: a folded group. */
  role: 'main' | 'failure' | 'collapsed';
  status: NodeStatus;
  /** A state entered several times that failed on an earlier visit (a renewed import token). */
  failedBefore: boolean;
  /** The states a collapsed node stands for. */
  members: string[];
}

export interface ModelEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** This run went along it. */
  taken: boolean;
  /** It leads into the failure plumbing. */
  failure: boolean;
}

export interface GraphModel {
  nodes: ModelNode[];
  edges: ModelEdge[];
}

export const FAILURE_GROUP = '(on failure)';

interface RawState {
  name: string;
  type: string;
  parent: string | undefined;
  /** Its own definition's states (for reachability within one level). */
  scope: AslDefinition;
}

interface RawEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

function collect(definition: AslDefinition, states: RawState[], edges: RawEdge[]): void {
  forEachState(definition, (name, state, where) => {
    states.push({ name, type: state.Type, parent: where.parent, scope: where.definition });
    if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next' });
    for (const choice of state.Choices ?? []) edges.push({ from: name, to: choice.Next, kind: 'choice' });
    if (state.Default) edges.push({ from: name, to: state.Default, kind: 'choice' });
    for (const handler of state.Catch ?? []) edges.push({ from: name, to: handler.Next, kind: 'catch' });
    for (const inner of nestedDefinitions(state))
      edges.push({ from: name, to: inner.StartAt, kind: 'iterate' });
  });
}

/**
 * States of one definition level on the way to success: reachable from StartAt without taking a
 * Catch, and able to end the run without failing (a Succeed, or End on anything but a Fail). A
 * Choice's default into an abandon path (the rotation refusing its input) is then plumbing too.
 */
function mainPath(definition: AslDefinition): Set<string> {
  const successors = (name: string): string[] => {
    const state = definition.States[name];
    if (!state) return [];
    return [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next)].filter(
      (next): next is string => typeof next === 'string',
    );
  };
  const reached = new Set<string>();
  const queue = [definition.StartAt];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    for (const next of successors(name)) if (!reached.has(next)) queue.push(next);
  }
  const succeeds = new Set<string>();
  for (const name of reached) {
    const state = definition.States[name];
    if (state && (state.Type === 'Succeed' || (state.End === true && state.Type !== 'Fail')))
      succeeds.add(name);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of reached) {
      if (succeeds.has(name) || !successors(name).some((next) => succeeds.has(next))) continue;
      succeeds.add(name);
      grew = true;
    }
  }
  return succeeds;
}

function mainStates(definition: AslDefinition, into: Set<string>): void {
  for (const name of mainPath(definition)) into.add(name);
  forEachState(definition, (_name, state) => {
    for (const inner of nestedDefinitions(state)) for (const name of mainPath(inner)) into.add(name);
  });
}

export function graphModel(definition: AslDefinition, visits: StateVisit[]): GraphModel {
  const states: RawState[] = [];
  const rawEdges: RawEdge[] = [];
  collect(definition, states, rawEdges);
  const main = new Set<string>();
  mainStates(definition, main);
  const lastVisit = new Map<string, StateVisit>();
  for (const visit of visits) lastVisit.set(visit.name, visit);
  const visited = (name: string) => lastVisit.has(name);

  // Fold: failure plumbing the run never entered, and the inner states of a Map that never ran.
  const failureStates = states.filter((state) => !main.has(state.name));
  const foldFailure = failureStates.length > 0 && !failureStates.some((state) => visited(state.name));
  const foldedInto = new Map<string, string>();
  if (foldFailure) for (const state of failureStates) foldedInto.set(state.name, FAILURE_GROUP);
  const containers = states.filter((state) => states.some((inner) => inner.parent === state.name));
  for (const container of containers) {
    if (visited(container.name)) continue;
    const group = `${container.name} (not run)`;
    for (const state of states) if (state.parent === container.name) foldedInto.set(state.name, group);
  }
  const shown = (name: string) => foldedInto.get(name) ?? name;

  const nodes: ModelNode[] = [];
  const groups = new Map<string, ModelNode>();
  for (const state of states) {
    const group = foldedInto.get(state.name);
    if (group) {
      const node =
        groups.get(group) ??
        ({
          id: group,
          name: group === FAILURE_GROUP ? 'On failure' : `${state.parent ?? ''} steps`,
          type: group === FAILURE_GROUP ? 'failure handling' : 'not run',
          role: 'collapsed',
          status: 'not-visited',
          failedBefore: false,
          members: [],
          ...(group !== FAILURE_GROUP && state.parent ? { parent: state.parent } : {}),
        } satisfies ModelNode);
      node.members.push(state.name);
      if (!groups.has(group)) {
        groups.set(group, node);
        nodes.push(node);
      }
      continue;
    }
    const visit = lastVisit.get(state.name);
    const failure = !main.has(state.name);
    let status: NodeStatus = visit ? visit.status : 'not-visited';
    // Entering failure plumbing is the run failing: never green.
    if (failure && status === 'succeeded') status = 'failure-path';
    nodes.push({
      id: state.name,
      name: state.name,
      type: state.type,
      ...(state.parent ? { parent: state.parent } : {}),
      role: failure ? 'failure' : 'main',
      status,
      failedBefore:
        status !== 'failed' && visits.some((other) => other.name === state.name && other.status === 'failed'),
      members: [state.name],
    });
  }

  const taken = new Set<string>();
  for (let index = 1; index < visits.length; index += 1) {
    taken.add(`${visits[index - 1]?.name}->${visits[index]?.name}`);
  }
  const types = new Map(states.map((state) => [state.name, state.type]));
  const edges: ModelEdge[] = [];
  const seen = new Set<string>();
  for (const edge of rawEdges) {
    const from = shown(edge.from);
    const to = shown(edge.to);
    if (from === to) continue;
    const key = `${from}->${to}:${edge.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A Map's (or Parallel's) own Next follows its last iteration, not the Map state itself.
    const container = types.get(edge.from) === 'Map' || types.get(edge.from) === 'Parallel';
    const wentAlong =
      taken.has(`${edge.from}->${edge.to}`) ||
      (container && edge.kind === 'next' && visited(edge.from) && visited(edge.to)) ||
      (edge.kind === 'iterate' && visited(edge.from) && visited(edge.to));
    edges.push({
      from,
      to,
      kind: edge.kind,
      taken: wentAlong,
      failure: !main.has(edge.to) || to === FAILURE_GROUP,
    });
  }
  return { nodes, edges };
}

/**
 * Where the run went wrong: the first state that failed with an error and is not a Fail state (a
 * Fail state only ends the failure path), else the last failed state.
 */
export function failedVisitOf(visits: StateVisit[]): StateVisit | undefined {
  const failed = visits.filter((visit) => visit.status === 'failed' && visit.error);
  return failed.find((visit) => visit.type !== 'Fail') ?? failed[failed.length - 1];
}

/** The state to show first: where the run failed, else the last one entered. */
export function initialSelection(visits: StateVisit[]): string | undefined {
  return failedVisitOf(visits)?.name ?? visits[visits.length - 1]?.name;
}
