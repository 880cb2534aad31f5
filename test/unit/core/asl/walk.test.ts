import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { DefinitionOf, Nesting } from '../../../../src/core/asl/walk.cjs';
import { forEachState, mapStates, nestedDefinitions } from '../../../../src/core/asl/walk.cjs';

interface State extends Nesting<State> {
  Type: string;
  Resource?: unknown;
  [field: string]: unknown;
}

const task = (resource: string): State => ({ Type: 'Task', Resource: resource, End: true });

/** Every kind of nesting: Parallel in Parallel, an inline Map (ItemProcessor), a legacy Iterator, a Distributed Map. */
function sample(): DefinitionOf<State> {
  return {
    StartAt: 'Top',
    States: {
      Top: task('top'),
      Fan: {
        Type: 'Parallel',
        Next: 'Inline',
        Branches: [
          { StartAt: 'B1', States: { B1: task('b1') } },
          {
            StartAt: 'Inner',
            States: {
              Inner: {
                Type: 'Parallel',
                End: true,
                Branches: [{ StartAt: 'Deep', States: { Deep: task('deep') } }],
              },
            },
          },
        ],
      },
      Inline: {
        Type: 'Map',
        Next: 'Legacy',
        ItemProcessor: { StartAt: 'PerItem', States: { PerItem: task('per-item') } },
      },
      Legacy: {
        Type: 'Map',
        Next: 'Distributed',
        Iterator: { StartAt: 'Old', States: { Old: task('old') } },
      },
      Distributed: {
        Type: 'Map',
        End: true,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Child',
          States: {
            Child: {
              Type: 'Map',
              End: true,
              ItemProcessor: { StartAt: 'Grandchild', States: { Grandchild: task('grandchild') } },
            },
          },
        } as DefinitionOf<State>,
      },
    },
  };
}

describe('forEachState', () => {
  it('visits every state at any depth, parents first, with the level and the state around it', () => {
    // Prepare
    const definition = sample();
    const seen: Array<[string, string | undefined]> = [];

    // Act
    forEachState(definition, (name, _state, where) => {
      expect(where.definition.States[name]).toBeDefined();
      seen.push([name, where.parent]);
    });

    // Assess
    expect(seen).toEqual([
      ['Top', undefined],
      ['Fan', undefined],
      ['B1', 'Fan'],
      ['Inner', 'Fan'],
      ['Deep', 'Inner'],
      ['Inline', undefined],
      ['PerItem', 'Inline'],
      ['Legacy', undefined],
      ['Old', 'Legacy'],
      ['Distributed', undefined],
      ['Child', 'Distributed'],
      ['Grandchild', 'Child'],
    ]);
  });
});

describe('mapStates', () => {
  it('maps every Task at any depth and leaves the given definition unchanged', () => {
    // Prepare
    const definition = sample();
    const before = structuredClone(definition);

    // Act
    const mapped = mapStates<State, DefinitionOf<State>>(definition, (_name, state) =>
      state.Type === 'Task' ? { ...state, Resource: `arn:${String(state.Resource)}` } : state,
    );

    // Assess
    const resources: string[] = [];
    forEachState(mapped, (_name, state) => {
      if (state.Type === 'Task') resources.push(String(state.Resource));
    });
    expect(resources).toEqual(['arn:top', 'arn:b1', 'arn:deep', 'arn:per-item', 'arn:old', 'arn:grandchild']);
    expect(definition).toEqual(before);
    // The Distributed Map's processor keeps its own fields (ProcessorConfig).
    expect(mapped.States.Distributed?.ItemProcessor).toMatchObject({
      ProcessorConfig: { Mode: 'DISTRIBUTED' },
    });
  });

  it('hands a state whose nested definitions are already mapped (innermost first)', () => {
    // Prepare
    const definition = sample();
    const order: string[] = [];

    // Act
    mapStates<State, DefinitionOf<State>>(definition, (name, state) => {
      order.push(name);
      if (name === 'Fan') {
        const deep = state.Branches?.[1]?.States.Inner?.Branches?.[0]?.States.Deep;
        expect(deep?.Marked).toBe(true);
      }
      return state.Type === 'Task' ? { ...state, Marked: true } : state;
    });

    // Assess
    expect(order.indexOf('Deep')).toBeLessThan(order.indexOf('Inner'));
    expect(order.indexOf('Inner')).toBeLessThan(order.indexOf('Fan'));
    expect(order.indexOf('Grandchild')).toBeLessThan(order.indexOf('Distributed'));
  });
});

describe('nestedDefinitions', () => {
  it('lists a Map processor, a legacy Iterator and each Parallel branch; none for a Task', () => {
    // Prepare
    const { States } = sample();

    // Act / Assess
    expect(nestedDefinitions(States.Fan as State).map((d) => d.StartAt)).toEqual(['B1', 'Inner']);
    expect(nestedDefinitions(States.Inline as State).map((d) => d.StartAt)).toEqual(['PerItem']);
    expect(nestedDefinitions(States.Legacy as State).map((d) => d.StartAt)).toEqual(['Old']);
    expect(nestedDefinitions(States.Top as State)).toEqual([]);
  });

  it('is the module deploy/*.cjs requires (CommonJS)', () => {
    // Prepare
    const require = createRequire(import.meta.url);

    const upper = (_name: string, state: State) => ({ ...state, Type: state.Type.toUpperCase() });

    // Act
    const walk = require('../../../../src/core/asl/walk.cjs') as { mapStates: typeof mapStates };

    // Assess
    expect(walk.mapStates(sample(), upper)).toEqual(mapStates(sample(), upper));
  });
});
