// The state machine drawn from its statemachines/*.asl.json (laid out by dagre), with the path the
// run took: visited states and the transitions between them marked, the failed state in red.
// Each state is a focusable button that selects it, so the graph works from the keyboard.
import { Graph, layout } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import type { AslDefinition, StateVisit } from '../types.ts';

interface GraphNode {
  id: string;
  name: string;
  type: string;
  parent?: string;
}

interface GraphEdge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'catch' | 'iterate';
}

/** Nodes and edges of a definition; a Map's inner states hang below it. */
export function graphOf(
  definition: AslDefinition,
  parent?: string,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    nodes.push({ id: name, name, type: state.Type, ...(parent ? { parent } : {}) });
    if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next' });
    for (const choice of state.Choices ?? []) edges.push({ from: name, to: choice.Next, kind: 'choice' });
    if (state.Default) edges.push({ from: name, to: state.Default, kind: 'choice' });
    for (const handler of state.Catch ?? []) edges.push({ from: name, to: handler.Next, kind: 'catch' });
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) {
      const nested = graphOf(inner, name);
      nodes.push(...nested.nodes);
      edges.push(...nested.edges, { from: name, to: inner.StartAt, kind: 'iterate' });
    }
  }
  return { nodes, edges };
}

const NODE_HEIGHT = 40;
/** Room around the layout for edges that dagre routes along its border. */
const GRAPH_MARGIN = 24;

function nodeWidth(name: string): number {
  return Math.max(120, name.length * 8 + 28);
}

export function StateGraph({
  definition,
  visits,
  selected,
  onSelect,
}: {
  definition: AslDefinition;
  visits: StateVisit[];
  selected: string | undefined;
  onSelect: (name: string) => void;
}) {
  const laidOut = useMemo(() => {
    const { nodes, edges } = graphOf(definition);
    const graph = new Graph({ multigraph: true });
    graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36, marginx: 8, marginy: 8 });
    graph.setDefaultEdgeLabel(() => ({}));
    for (const node of nodes) graph.setNode(node.id, { width: nodeWidth(node.name), height: NODE_HEIGHT });
    edges.forEach((edge, index) => {
      graph.setEdge(edge.from, edge.to, { weight: edge.kind === 'next' ? 2 : 1 }, String(index));
    });
    layout(graph);
    const size = graph.graph();
    return {
      width: Math.ceil(size.width ?? 400),
      height: Math.ceil(size.height ?? 400),
      nodes: nodes.map((node) => ({ ...node, box: graph.node(node.id) })),
      edges: edges.map((edge, index) => ({
        ...edge,
        points: (graph.edge({ v: edge.from, w: edge.to, name: String(index) })?.points ?? []) as {
          x: number;
          y: number;
        }[],
      })),
    };
  }, [definition]);

  const lastVisit = new Map<string, StateVisit>();
  for (const visit of visits) lastVisit.set(visit.name, visit);
  const taken = new Set<string>();
  for (let i = 1; i < visits.length; i += 1) {
    taken.add(`${visits[i - 1]?.name}->${visits[i]?.name}`);
  }
  // A Map's (or Parallel's) own Next follows its last iteration, not the Map state itself.
  const types = new Map(laidOut.nodes.map((node) => [node.name, node.type]));
  for (const edge of laidOut.edges) {
    const container = types.get(edge.from) === 'Map' || types.get(edge.from) === 'Parallel';
    if (container && edge.kind === 'next' && lastVisit.has(edge.from) && lastVisit.has(edge.to)) {
      taken.add(`${edge.from}->${edge.to}`);
    }
  }

  return (
    <figure class="state-graph">
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a fieldset; it groups the state buttons */}
      <svg
        viewBox={`${-GRAPH_MARGIN} ${-GRAPH_MARGIN} ${laidOut.width + 2 * GRAPH_MARGIN} ${laidOut.height + 2 * GRAPH_MARGIN}`}
        width={laidOut.width + 2 * GRAPH_MARGIN}
        role="group"
        aria-label="State machine with the path this run took"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="9"
            markerHeight="9"
            markerUnits="userSpaceOnUse"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        {laidOut.edges.map((edge) => (
          <polyline
            key={`${edge.from}-${edge.to}-${edge.kind}`}
            class={`edge edge-${edge.kind}${taken.has(`${edge.from}->${edge.to}`) ? ' edge-taken' : ''}`}
            points={edge.points.map((point) => `${point.x},${point.y}`).join(' ')}
            marker-end="url(#arrow)"
          />
        ))}
        {laidOut.nodes.map((node) => {
          const visit = lastVisit.get(node.name);
          const status = visit ? visit.status : 'not-visited';
          // A state entered several times (Map items, a renewed import token) that failed before.
          const failedBefore =
            status !== 'failed' && visits.some((v) => v.name === node.name && v.status === 'failed');
          const { x, y, width, height } = node.box as { x: number; y: number; width: number; height: number };
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it acts as one
            <g
              key={node.id}
              class={`node node-${status}${failedBefore ? ' node-failed-before' : ''}${
                selected === node.name ? ' node-selected' : ''
              }`}
              data-state={node.name}
              data-status={status}
              role="button"
              // lower case: SVG attributes are case-sensitive, and only `tabindex` makes a <g> focusable
              tabindex={0}
              aria-pressed={selected === node.name}
              aria-label={`${node.name} (${node.type}): ${status.replace('-', ' ')}${
                failedBefore ? ', failed on an earlier visit' : ''
              }`}
              onClick={() => onSelect(node.name)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  onSelect(node.name);
                }
              }}
            >
              <rect x={x - width / 2} y={y - height / 2} width={width} height={height} rx="8" />
              <text x={x} y={y - 3} text-anchor="middle">
                {node.name}
              </text>
              <text x={x} y={y + 12} text-anchor="middle" class="node-type">
                {node.type}
                {node.parent ? ` in ${node.parent}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="swatch node-succeeded" aria-hidden="true" /> succeeded
        <span class="swatch node-failed" aria-hidden="true" /> failed
        <span class="swatch node-running" aria-hidden="true" /> running
        <span class="swatch node-not-visited" aria-hidden="true" /> not visited; dashed: Catch and Map
        iteration
      </figcaption>
    </figure>
  );
}
