// The network drawing: Cytoscape.js on a <canvas> (docs/webapp.md says why), nodes styled
// by type and role, edges by relationship; add / hide / pin / undo; PNG and JSON export.
import cytoscape from "cytoscape";
import type { Core, ElementDefinition } from "cytoscape";
import type { DrawnEdgeFragment, DrawnNodeFragment } from "../../generated/graphql";

export type GraphNode = DrawnNodeFragment;
export type GraphEdge = DrawnEdgeFragment;
export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const TYPE_COLOURS: Record<string, string> = {
  Person: "#2f6fdb",
  Case: "#e8590c",
  Grid: "#2b8a3e",
  Community: "#5c940d",
  Street: "#66a80f",
  District: "#82c91e",
  Department: "#495057",
  MediationCommittee: "#7048e8",
  MediationStudio: "#9775fa",
  PartyOrganization: "#c92a2a",
  VolunteerTeam: "#1098ad",
  Building: "#868e96",
};
const TYPE_SHAPES: Record<string, string> = {
  Person: "ellipse",
  Case: "round-rectangle",
  Grid: "hexagon",
  Community: "hexagon",
  Street: "hexagon",
  Department: "rectangle",
  MediationCommittee: "diamond",
  MediationStudio: "diamond",
  PartyOrganization: "star",
};
const ROLE_BORDERS: Record<string, string> = {
  GridWorker: "#2b8a3e",
  Mediator: "#7048e8",
  ProfessionalMember: "#495057",
  PartyMember: "#c92a2a",
  Volunteer: "#1098ad",
};
const EDGE_COLOURS: Record<string, string> = {
  PARTY_TO: "#e03131",
  FAMILY: "#e64980",
  RESIDES_IN: "#adb5bd",
  OCCURRED_IN: "#2b8a3e",
  HANDLED_BY: "#7048e8",
  RELATED_TO: "#f08c00",
  REPORTED_BY: "#1c7ed6",
  WORKS_GRID: "#0ca678",
  MEMBER_OF: "#868e96",
  SUPPORTS: "#868e96",
};
export const CLUSTER_COLOURS = [
  "#e03131", "#1971c2", "#2f9e44", "#f08c00", "#9c36b5", "#0c8599", "#c2255c", "#5c940d",
  "#364fc7", "#d9480f",
];

function roleBorder(node: GraphNode): string {
  const roles = (node.properties.roles as string[] | undefined) ?? [];
  for (const role of roles) if (ROLE_BORDERS[role]) return ROLE_BORDERS[role];
  return "#ffffff";
}

function nodeElement(node: GraphNode): ElementDefinition {
  return {
    group: "nodes",
    data: {
      id: node.id,
      label: node.label.length > 18 ? `${node.label.slice(0, 17)}…` : node.label,
      type: node.type,
      colour: TYPE_COLOURS[node.type] ?? "#868e96",
      shape: TYPE_SHAPES[node.type] ?? "ellipse",
      border: roleBorder(node),
    },
  };
}

function edgeElement(edge: GraphEdge): ElementDefinition {
  return {
    group: "edges",
    data: {
      id: `e:${edge.id}`,
      source: edge.source,
      target: edge.target,
      type: edge.type,
      colour: EDGE_COLOURS[edge.type] ?? "#adb5bd",
    },
  };
}

type Step = { kind: "add"; ids: string[] } | { kind: "hide"; ids: string[] };

export class NetworkCanvas {
  readonly cy: Core;
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();
  private readonly history: Step[] = [];
  private hidden = new Set<string>();

  constructor(container: HTMLElement) {
    this.cy = cytoscape({
      container,
      layout: { name: "preset" }, // the container may not be in the page yet
      minZoom: 0.05,
      maxZoom: 4,
      textureOnViewport: true, // pan and zoom a cached bitmap: smooth at 1,000 nodes
      hideEdgesOnViewport: false,
      pixelRatio: 1,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(colour)",
            shape: "data(shape)" as never,
            label: "data(label)",
            "font-size": 10,
            "text-valign": "bottom",
            "text-margin-y": 3,
            color: "#212529",
            "min-zoomed-font-size": 7,
            width: 22,
            height: 22,
            "border-width": 3,
            "border-color": "data(border)",
          },
        },
        { selector: "node[type = 'Case']", style: { width: 26, height: 18 } },
        { selector: "node:selected", style: { "overlay-opacity": 0.25, "overlay-color": "#fab005" } },
        { selector: "node.pinned", style: { "border-style": "double", "border-width": 5 } },
        { selector: "node.center", style: { width: 34, height: 34 } },
        { selector: "node.repeat", style: { "border-color": "#c92a2a", "border-width": 6 } },
        { selector: "node.conflict", style: { "underlay-color": "#f08c00", "underlay-opacity": 0.5, "underlay-padding": 6 } as never },
        { selector: "node.path-end", style: { "overlay-color": "#1c7ed6", "overlay-opacity": 0.3 } },
        {
          selector: "edge",
          style: {
            width: 1.5,
            "line-color": "data(colour)",
            "curve-style": "haystack",
            opacity: 0.8,
          },
        },
        { selector: "edge[type = 'FAMILY'], edge[type = 'RELATED_TO']", style: { "line-style": "dashed", "curve-style": "straight" } },
        { selector: ".on-path", style: { "line-color": "#1c7ed6", width: 5, "z-index": 10, opacity: 1 } },
        { selector: "node.on-path", style: { "border-color": "#1c7ed6", "border-width": 6 } },
        { selector: ".faded", style: { opacity: 0.15 } },
      ],
    });
    new ResizeObserver(() => this.cy.resize()).observe(container);
  }

  get nodeCount(): number {
    return this.cy.nodes().length;
  }

  get edgeCount(): number {
    return this.cy.edges().length;
  }

  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  /** Replace the picture with `data`, laid out around `center`. */
  replace(data: GraphData, center: string): { addMs: number; layoutMs: number } {
    const started = performance.now();
    this.cy.elements().remove();
    this.nodes.clear();
    this.edges.clear();
    this.history.length = 0;
    this.hidden = new Set();
    this.cy.startBatch();
    this.add(data, center, false);
    this.cy.getElementById(center).addClass("center");
    this.cy.endBatch();
    const added = performance.now();
    this.layout(center);
    return { addMs: added - started, layoutMs: performance.now() - added };
  }

  /** Add what is new in `data` (expand, path), placed around `around`; undoable. */
  add(data: GraphData, around: string | null, record = true): string[] {
    const added: ElementDefinition[] = [];
    for (const node of data.nodes) {
      if (this.nodes.has(node.id)) continue;
      this.nodes.set(node.id, node);
      added.push(nodeElement(node));
    }
    const origin = around ? this.cy.getElementById(around) : null;
    const centre = origin && origin.nonempty() ? origin.position() : { x: 0, y: 0 };
    const count = added.length;
    added.forEach((element, index) => {
      const angle = (2 * Math.PI * index) / Math.max(count, 1);
      const radius = 80 + 6 * Math.sqrt(count);
      element.position = {
        x: centre.x + radius * Math.cos(angle),
        y: centre.y + radius * Math.sin(angle),
      };
    });
    for (const edge of data.edges) {
      if (this.edges.has(edge.id)) continue;
      if (!this.nodes.has(edge.source) || !this.nodes.has(edge.target)) continue;
      this.edges.set(edge.id, edge);
      added.push(edgeElement(edge));
    }
    this.cy.add(added);
    for (const id of this.hidden) this.cy.getElementById(id).style("display", "none");
    const ids = added.map((element) => String(element.data.id));
    if (record && ids.length) this.history.push({ kind: "add", ids });
    return ids;
  }

  /** A force-directed layout for small pictures, concentric by hops for large ones. */
  layout(center: string): void {
    if (this.cy.nodes().length > 250) {
      this.rings(center);
      return;
    }
    const options = { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, numIter: 600 };
    this.cy.layout(options as never).run();
    this.cy.fit(undefined, 30);
  }

  /** Large pictures: rings by hops from the centre, computed here in one pass (O(n + e)). */
  private rings(center: string): void {
    const neighbours = new Map<string, string[]>();
    const link = (from: string, to: string): void => {
      const list = neighbours.get(from);
      if (list) list.push(to);
      else neighbours.set(from, [to]);
    };
    for (const edge of this.edges.values()) {
      link(edge.source, edge.target);
      link(edge.target, edge.source);
    }
    const ring = new Map<string, number>([[center, 0]]);
    const queue = [center];
    for (let index = 0; index < queue.length; index++) {
      const id = queue[index];
      for (const next of neighbours.get(id) ?? []) {
        if (ring.has(next)) continue;
        ring.set(next, (ring.get(id) ?? 0) + 1);
        queue.push(next);
      }
    }
    const levels: string[][] = [];
    const unreached = Math.max(...ring.values()) + 1;
    for (const id of this.nodes.keys()) {
      const level = ring.get(id) ?? unreached;
      (levels[level] ??= []).push(id);
    }
    const positions = new Map<string, { x: number; y: number }>();
    let radius = 0;
    for (const members of levels.filter(Boolean)) {
      radius = members.length === 1 && radius === 0 ? 0 : Math.max(radius + 90, (members.length * 16) / (2 * Math.PI));
      members.forEach((id, index) => {
        const angle = (2 * Math.PI * index) / members.length;
        positions.set(id, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
      });
    }
    this.cy.startBatch();
    this.cy.nodes().forEach((node) => {
      if (!node.locked()) node.position(positions.get(node.id()) ?? { x: 0, y: 0 });
    });
    this.cy.endBatch();
    // Fit the rings without measuring 1,000 labels (cy.fit would): the outer radius is known.
    const width = this.cy.width() || 800;
    const height = this.cy.height() || 600;
    const zoom = Math.min(width, height) / (2 * radius + 80);
    this.cy.viewport({ zoom, pan: { x: width / 2, y: height / 2 } });
  }

  hide(id: string): void {
    const element = this.cy.getElementById(id);
    if (element.empty()) return;
    const ids = [id, ...element.connectedEdges().map((edge) => edge.id())];
    for (const hiddenId of ids) {
      this.hidden.add(hiddenId);
      this.cy.getElementById(hiddenId).style("display", "none");
    }
    this.history.push({ kind: "hide", ids });
  }

  togglePin(id: string): boolean {
    const node = this.cy.getElementById(id);
    if (node.locked()) {
      node.unlock();
      node.removeClass("pinned");
      return false;
    }
    node.lock();
    node.addClass("pinned");
    return true;
  }

  canUndo(): boolean {
    return this.history.length > 0;
  }

  undo(): void {
    const step = this.history.pop();
    if (!step) return;
    if (step.kind === "add") {
      for (const id of step.ids) {
        this.cy.getElementById(id).remove();
        this.nodes.delete(id);
        this.edges.delete(id.replace(/^e:/, ""));
      }
    } else {
      for (const id of step.ids) {
        this.hidden.delete(id);
        this.cy.getElementById(id).style("display", "element");
      }
    }
  }

  /** Mark a path (its node and edge ids) and fade the rest. */
  showPath(nodeIds: string[], edgeIds: string[]): void {
    this.cy.elements().removeClass("on-path").addClass("faded");
    for (const id of nodeIds) this.cy.getElementById(id).removeClass("faded").addClass("on-path");
    for (const id of edgeIds) this.cy.getElementById(`e:${id}`).removeClass("faded").addClass("on-path");
  }

  clearMarks(): void {
    this.cy.elements().removeClass("on-path faded");
  }

  /** Visible nodes and edges as the API gave them (for the JSON export). */
  visibleData(): GraphData {
    const nodes = [...this.nodes.values()].filter((node) => !this.hidden.has(node.id));
    const edges = [...this.edges.values()].filter(
      (edge) => !this.hidden.has(`e:${edge.id}`) && !this.hidden.has(edge.source) && !this.hidden.has(edge.target),
    );
    return { nodes, edges };
  }

  png(): Blob {
    return this.cy.png({ full: true, bg: "#ffffff", output: "blob", scale: 2 }) as unknown as Blob;
  }
}
