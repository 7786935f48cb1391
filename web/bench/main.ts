// Cytoscape.js against sigma.js on the same 1,000-node network (bench/webapp.py --compare):
// time to the first frame and the frame times while the camera zooms and pans.
import cytoscape from "cytoscape";
import Graph from "graphology";
import Sigma from "sigma";

interface Net {
  nodes: { id: string; type: string; x: number; y: number }[];
  edges: { source: string; target: string; type: string }[];
}
const COLOURS: Record<string, string> = { Person: "#2f6fdb", Case: "#e8590c", Grid: "#2b8a3e", Department: "#495057" };
const FRAMES = 180;

async function frames(step: (i: number) => void): Promise<number[]> {
  const times: number[] = [];
  let last = performance.now();
  for (let i = 0; i < FRAMES; i++) {
    step(i);
    await new Promise(requestAnimationFrame);
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}

async function withCytoscape(net: Net, stage: HTMLElement): Promise<{ firstFrameMs: number; frames: number[] }> {
  const started = performance.now();
  const cy = cytoscape({
    container: stage,
    layout: { name: "preset" },
    textureOnViewport: true,
    pixelRatio: 1,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", label: "data(id)", "font-size": 10, "min-zoomed-font-size": 7, width: 22, height: 22 } },
      { selector: "edge", style: { width: 1.5, "line-color": "#adb5bd", "curve-style": "haystack" } },
    ],
    elements: [
      ...net.nodes.map((node) => ({ group: "nodes" as const, data: { id: node.id, colour: COLOURS[node.type] ?? "#888" }, position: { x: node.x, y: node.y } })),
      ...net.edges.map((edge, index) => ({ group: "edges" as const, data: { id: `e${index}`, source: edge.source, target: edge.target } })),
    ],
  });
  cy.fit(undefined, 30);
  await new Promise(requestAnimationFrame);
  const firstFrameMs = performance.now() - started;
  const times = await frames((i) => {
    cy.panBy({ x: Math.sin(i / 10) * 6, y: Math.cos(i / 10) * 6 });
    cy.zoom({ level: cy.zoom() * (i % 60 < 30 ? 1.01 : 0.99), renderedPosition: { x: 400, y: 300 } });
  });
  return { firstFrameMs, frames: times };
}

async function withSigma(net: Net, stage: HTMLElement): Promise<{ firstFrameMs: number; frames: number[] }> {
  const started = performance.now();
  const graph = new Graph({ multi: true });
  for (const node of net.nodes) graph.addNode(node.id, { x: node.x, y: -node.y, size: 5, color: COLOURS[node.type] ?? "#888", label: node.id });
  for (const edge of net.edges) graph.addEdge(edge.source, edge.target, { size: 1, color: "#adb5bd" });
  const renderer = new Sigma(graph, stage, { settings: { renderLabels: true, labelRenderedSizeThreshold: 7 } });
  await new Promise(requestAnimationFrame);
  const firstFrameMs = performance.now() - started;
  const camera = renderer.getCamera();
  const times = await frames((i) => {
    const state = camera.getState();
    camera.setState({ x: state.x + Math.sin(i / 10) * 0.003, y: state.y + Math.cos(i / 10) * 0.003, ratio: state.ratio * (i % 60 < 30 ? 0.99 : 1.01) });
  });
  renderer.kill();
  return { firstFrameMs, frames: times };
}

declare global {
  interface Window {
    runBench: (lib: string, net: Net) => Promise<{ firstFrameMs: number; frames: number[] }>;
  }
}

window.runBench = async (lib, net) => {
  const stage = document.getElementById("stage") as HTMLElement;
  stage.replaceChildren();
  return lib === "sigma" ? withSigma(net, stage) : withCytoscape(net, stage);
};
