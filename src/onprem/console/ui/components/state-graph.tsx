// The state machine drawn from its statemachines/*.asl.json (laid out by dagre) with the path the
// run took: what to draw comes from graph-model.ts (failure plumbing drawn as failure, never green,
// and folded into one box when the run never went there; a Map that never ran folded too). Drawn at
// its natural size (13 px labels) inside a scrolling frame, never shrunk to fit. Each state is a
// focusable button that selects it, so the graph works from the keyboard.
import { Graph, layout } from '@dagrejs/dagre';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { AslDefinition, StateVisit } from '../../wire.ts';
import { graphModel, type ModelNode } from '../graph-model.ts';

// Two lines (13 px name, 11 px type) and little else: the import workflow's failure path then fits
// a 1280×900 window's frame whole, so the failed state and where the run ended are seen together.
const NODE_HEIGHT = 36;
/** Room around the layout for edges that dagre routes along its border. */
const GRAPH_MARGIN = 24;

function nodeWidth(node: ModelNode): number {
  const label = Math.max(node.name.length * 8, node.type.length * 6.5 + 40);
  return Math.max(120, Math.ceil(label) + 28);
}

const STATUS_WORDS: Record<ModelNode['status'], string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  running: 'running',
  'failure-path': 'went through on the failure path',
  'not-visited': 'not visited',
};

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
    const { nodes, edges } = graphModel(definition, visits);
    const graph = new Graph({ multigraph: true });
    graph.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 22, marginx: 8, marginy: 8 });
    graph.setDefaultEdgeLabel(() => ({}));
    for (const node of nodes) graph.setNode(node.id, { width: nodeWidth(node), height: NODE_HEIGHT });
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
  }, [definition, visits]);

  // The frame scrolls to the selected state (where the run failed, at first) so it is in sight.
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = frame.current;
    const node = selected && box ? box.querySelector(`g[data-state="${CSS.escape(selected)}"]`) : null;
    if (!box || !node) return;
    // Scrolls the frame only (never the page), centring the state in it.
    const at = node.getBoundingClientRect();
    const view = box.getBoundingClientRect();
    box.scrollLeft += at.left - view.left - (view.width - at.width) / 2;
    box.scrollTop += at.top - view.top - (view.height - at.height) / 2;
  }, [selected, laidOut]);

  return (
    <figure class="state-graph">
      <div class="graph-frame" ref={frame}>
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG cannot be a fieldset; it groups the state buttons */}
        <svg
          viewBox={`${-GRAPH_MARGIN} ${-GRAPH_MARGIN} ${laidOut.width + 2 * GRAPH_MARGIN} ${laidOut.height + 2 * GRAPH_MARGIN}`}
          width={laidOut.width + 2 * GRAPH_MARGIN}
          height={laidOut.height + 2 * GRAPH_MARGIN}
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
              class={`edge edge-${edge.kind}${edge.failure ? ' edge-failure' : ''}${edge.taken ? ' edge-taken' : ''}`}
              data-edge={`${edge.from}->${edge.to}`}
              points={edge.points.map((point) => `${point.x},${point.y}`).join(' ')}
              marker-end="url(#arrow)"
            />
          ))}
          {laidOut.nodes.map((node) => {
            const { x, y, width, height } = node.box as {
              x: number;
              y: number;
              width: number;
              height: number;
            };
            const selectable = node.role !== 'collapsed';
            const label = `${node.name} (${node.type}): ${STATUS_WORDS[node.status]}${
              node.failedBefore ? ', failed on an earlier visit' : ''
            }${node.role === 'collapsed' ? `; folded: ${node.members.join(', ')}` : ''}`;
            const className = `node node-${node.status} node-role-${node.role}${
              node.failedBefore ? ' node-failed-before' : ''
            }${selected === node.name ? ' node-selected' : ''}`;
            const body = (
              <>
                <title>{label}</title>
                <rect x={x - width / 2} y={y - height / 2} width={width} height={height} rx="8" />
                <text x={x} y={y - 2} text-anchor="middle">
                  {node.name}
                </text>
                <text x={x} y={y + 12} text-anchor="middle" class="node-type">
                  {node.role === 'collapsed' ? `${node.members.length} states, ${node.type}` : node.type}
                  {node.parent && node.role !== 'collapsed' ? ` in ${node.parent}` : ''}
                </text>
              </>
            );
            if (!selectable) {
              return (
                <g
                  key={node.id}
                  class={className}
                  data-state={node.id}
                  data-status={node.status}
                  data-role={node.role}
                  data-members={node.members.join(',')}
                >
                  {body}
                </g>
              );
            }
            return (
              // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it acts as one
              <g
                key={node.id}
                class={className}
                data-state={node.id}
                data-status={node.status}
                data-role={node.role}
                role="button"
                // lower case: SVG attributes are case-sensitive, and only `tabindex` makes a <g> focusable
                tabindex={0}
                aria-pressed={selected === node.name}
                aria-label={label}
                onClick={() => onSelect(node.name)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    onSelect(node.name);
                  }
                }}
              >
                {body}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption>
        <span class="swatch node-succeeded" aria-hidden="true" /> succeeded
        <span class="swatch node-failed" aria-hidden="true" /> failed
        <span class="swatch node-failure-path" aria-hidden="true" /> failure path taken
        <span class="swatch node-running" aria-hidden="true" /> running
        <span class="swatch node-not-visited" aria-hidden="true" /> not visited; dashed: Catch and Map
        iteration; “On failure”: the failure handling, folded while this run did not need it
      </figcaption>
    </figure>
  );
}
