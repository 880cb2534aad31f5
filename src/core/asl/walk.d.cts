// Types of walk.cjs (the one ASL walk; see there). Generic over the caller's own state type, so
// the runner's and the console's views of a definition both walk without casts.

/** An ASL definition: a whole state machine, a Map's processor or a Parallel branch. */
export interface DefinitionOf<S> {
  StartAt: string;
  States: Record<string, S>;
}

/** The fields of a state that hold nested definitions. */
export interface Nesting<S> {
  ItemProcessor?: DefinitionOf<S> | undefined;
  Iterator?: DefinitionOf<S> | undefined;
  Branches?: DefinitionOf<S>[] | undefined;
}

export interface StatePlace<S> {
  /** The definition level holding the state. */
  definition: DefinitionOf<S>;
  /** The Map or Parallel state around that level; undefined at the top. */
  parent: string | undefined;
}

export function nestedDefinitions<S extends Nesting<S>>(state: S): DefinitionOf<S>[];

export function forEachState<S extends Nesting<S>>(
  definition: DefinitionOf<S>,
  visit: (name: string, state: S, where: StatePlace<S>) => void,
): void;

export function mapStates<S extends Nesting<S>, D extends DefinitionOf<S>>(
  definition: D,
  mapState: (name: string, state: S) => S,
): D;
