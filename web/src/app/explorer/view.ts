// The investigators' explorer: find, draw, expand, hide, pin, undo, path, inspect, export.
import {
  AnalysisDocument,
  ConflictsDocument,
  NetworkDocument,
  PathDocument,
  PersonByIdCardDocument,
  RepeatDisputantsDocument,
  SearchDocument,
  type SearchQuery,
  type SearchType,
} from "../../generated/graphql";
import { gql } from "../api";
import { clear, download, h } from "../dom";
import { t } from "../i18n";
import { decodeId, showCase, showPerson, showProperties } from "../panel";
import { CLUSTER_COLOURS, NetworkCanvas } from "./canvas";

type Hit = SearchQuery["search"][number]["node"];

export interface Explorer {
  element: HTMLElement;
  canvas: NetworkCanvas;
  draw(center: string): Promise<void>;
}

export function explorerView(): Explorer {
  const status = h("span", { class: "status", "data-testid": "status" });
  const results = h("ul", { class: "results", "data-testid": "results" });
  const details = h("div", { class: "details", "data-testid": "details" });
  const actions = h("div", { class: "actions" });
  const pathInfo = h("div", { class: "path-info", "data-testid": "path-info" });
  const stage = h("div", { class: "stage", "data-testid": "graph" });
  const empty = h("p", { class: "empty muted" }, t("emptyGraph"));

  const text = h("input", { type: "search", name: "text", placeholder: t("searchPlaceholder"), "data-testid": "search-text" });
  const types = h(
    "select",
    { name: "types" },
    h("option", { value: "" }, t("all")),
    h("option", { value: "PERSON" }, t("persons")),
    h("option", { value: "CASE" }, t("cases")),
  );
  const idCard = h("input", { type: "text", name: "idCard", placeholder: t("idCardPlaceholder"), maxlength: 18, "data-testid": "id-card" });
  const hops = h("select", { name: "hops", "data-testid": "hops" }, [1, 2, 3, 4].map((n) => h("option", { value: n, selected: n === 2 }, String(n))));
  const maxNodes = h(
    "select",
    { name: "maxNodes", "data-testid": "max-nodes" },
    [50, 200, 500, 1000].map((n) => h("option", { value: n, selected: n === 200 }, String(n))),
  );

  const canvasHost = h("div", { class: "canvas" });
  stage.append(canvasHost, empty);
  const canvas = new NetworkCanvas(canvasHost);
  let center: string | null = null;
  let selected: string | null = null;
  let pathFrom: string | null = null;
  let pathTo: string | null = null;

  const say = (message: string, error = false): void => {
    status.textContent = message;
    status.classList.toggle("error", error);
  };
  const counts = (truncated = false): void =>
    say(`${canvas.nodeCount} ${t("nodes")} · ${canvas.edgeCount} ${t("edges")}${truncated ? ` · ${t("truncated")}` : ""}`);
  const failed = (error: unknown): void => say(`${t("error")}: ${error instanceof Error ? error.message : String(error)}`, true);

  function hitLabel(hit: Hit): string {
    switch (hit.__typename) {
      case "Person":
        return `${hit.name} · ${hit.birthYear ?? ""} · ${hit.grid?.name ?? ""}`;
      case "Case":
        return `${hit.code} ${hit.title} · ${hit.status}`;
      case "Street":
      case "Community":
      case "Grid":
      case "District":
        return `${hit.name} (${hit.code})`;
      default:
        return hit.id;
    }
  }

  function listHits(hits: Hit[]): void {
    clear(
      results,
      hits.length
        ? hits.map((hit) =>
            h(
              "li",
              {},
              h("span", { class: `badge type-${hit.__typename}` }, hit.__typename),
              h("button", { class: "link", "data-id": hit.id, onclick: () => void draw(hit.id) }, hitLabel(hit)),
            ),
          )
        : h("li", { class: "muted" }, t("noResults")),
    );
  }

  async function search(event: Event): Promise<void> {
    event.preventDefault();
    if (!text.value.trim()) return;
    say(t("loading"));
    try {
      const chosen = types.value ? [types.value as SearchType] : null;
      const data = await gql(SearchDocument, { text: text.value.trim(), types: chosen, first: 20 });
      listHits(data.search.map((hit) => hit.node));
      say("");
    } catch (error) {
      failed(error);
    }
  }

  async function lookUp(event: Event): Promise<void> {
    event.preventDefault();
    if (!idCard.value.trim()) return;
    say(t("loading"));
    try {
      const { personByIdCard: person } = await gql(PersonByIdCardDocument, { idCard: idCard.value.trim() });
      clear(results);
      if (!person) {
        clear(results, h("li", { class: "muted" }, t("noResults")));
      } else {
        clear(
          results,
          h(
            "li",
            {},
            h("span", { class: "badge type-Person" }, "Person"),
            h("button", { class: "link", "data-id": person.id, onclick: () => void draw(person.id) }, `${person.name} · ${person.birthYear ?? ""} · ${person.grid?.name ?? ""}`),
          ),
        );
      }
      say("");
    } catch (error) {
      failed(error);
    }
  }

  async function draw(id: string): Promise<void> {
    say(t("loading"));
    try {
      const started = performance.now();
      const { disputeNetwork } = await gql(NetworkDocument, { center: id, hops: Number(hops.value), maxNodes: Number(maxNodes.value) });
      const fetched = performance.now();
      center = id;
      pathFrom = pathTo = null;
      empty.remove();
      const parts = canvas.replace(disputeNetwork, id);
      await new Promise(requestAnimationFrame);
      const drawn = performance.now();
      window.__gridgraph.lastDraw = { fetchMs: fetched - started, renderMs: drawn - fetched, ...parts, nodes: canvas.nodeCount };
      counts(disputeNetwork.truncated);
      select(id);
    } catch (error) {
      failed(error);
    }
  }

  async function expand(id: string): Promise<void> {
    say(t("loading"));
    try {
      const { disputeNetwork } = await gql(NetworkDocument, { center: id, hops: 1, maxNodes: Number(maxNodes.value) });
      canvas.add(disputeNetwork, id);
      counts(disputeNetwork.truncated);
    } catch (error) {
      failed(error);
    }
  }

  async function findPath(): Promise<void> {
    if (!pathFrom || !pathTo) return;
    say(t("loading"));
    try {
      const { connections } = await gql(PathDocument, { from: pathFrom, to: pathTo, maxHops: 6 });
      const path = connections.shortest;
      if (!path) {
        canvas.clearMarks();
        clear(pathInfo, h("p", { class: "error" }, t("noPath")));
        say("");
        return;
      }
      canvas.add(path, pathFrom);
      canvas.showPath(
        path.nodes.map((node) => node.id),
        path.edges.map((edge) => edge.id),
      );
      clear(
        pathInfo,
        h("p", {}, `${t("pathFound")}: ${path.length}`),
        h("ol", { class: "list", "data-testid": "path-nodes" }, path.nodes.map((node) => h("li", {}, `${node.type}: ${node.label}`))),
      );
      counts();
    } catch (error) {
      failed(error);
    }
  }

  async function highlight(): Promise<void> {
    if (!center) return;
    say(t("loading"));
    try {
      const [{ repeatDisputants }, { conflictsOfInterest }] = await Promise.all([
        gql(RepeatDisputantsDocument, { minCases: 3 }),
        gql(ConflictsDocument, {}),
      ]);
      const repeat = new Set(repeatDisputants.map((person) => person.personId));
      const conflicted = new Set(conflictsOfInterest.flatMap((found) => [`Person:${found.person.personId}`, `Case:${found.case.code}`, `Case:${found.via.code}`]));
      canvas.cy.nodes().forEach((node) => {
        const { type, key } = decodeId(node.id());
        node.toggleClass("repeat", type === "Person" && repeat.has(key));
        node.toggleClass("conflict", conflicted.has(`${type}:${key}`));
      });
      counts();
    } catch (error) {
      failed(error);
    }
  }

  async function colourCommunities(): Promise<void> {
    if (!center) return;
    say(t("loading"));
    try {
      const { networkAnalysis } = await gql(AnalysisDocument, { center, hops: Number(hops.value), maxNodes: Math.min(Number(maxNodes.value), 300) });
      const clusters = new Map(networkAnalysis.persons.map((person) => [person.personId, person]));
      const top = Math.max(...networkAnalysis.persons.map((person) => person.betweenness), 0.0001);
      canvas.cy.nodes().forEach((node) => {
        const { type, key } = decodeId(node.id());
        const ranked = type === "Person" ? clusters.get(key) : undefined;
        if (!ranked) return;
        const size = 20 + 30 * (ranked.betweenness / top);
        node.style({ "background-color": CLUSTER_COLOURS[ranked.cluster % CLUSTER_COLOURS.length], width: size, height: size });
      });
      counts();
    } catch (error) {
      failed(error);
    }
  }

  function renderActions(id: string): void {
    const node = canvas.node(id);
    const pinned = canvas.cy.getElementById(id).locked();
    clear(
      actions,
      h("button", { "data-action": "expand", onclick: () => void expand(id) }, t("expand")),
      h("button", { "data-action": "hide", onclick: () => { canvas.hide(id); counts(); } }, t("hide")),
      h("button", { "data-action": "pin", onclick: () => { canvas.togglePin(id); renderActions(id); } }, pinned ? t("unpin") : t("pin")),
      h("button", { "data-action": "path-from", onclick: () => { pathFrom = id; markEnds(); } }, t("pathFrom")),
      h("button", { "data-action": "path-to", onclick: () => { pathTo = id; markEnds(); } }, t("pathTo")),
      node ? h("span", { class: "muted" }, ` ${node.type}`) : null,
    );
  }

  function markEnds(): void {
    canvas.cy.nodes().removeClass("path-end");
    for (const end of [pathFrom, pathTo]) if (end) canvas.cy.getElementById(end).addClass("path-end");
    const label = (end: string | null): string => (end ? canvas.node(end)?.label ?? end : "—");
    clear(
      pathInfo,
      h("p", {}, `${t("pathFromLabel")}: ${label(pathFrom)} → ${t("pathToLabel")}: ${label(pathTo)}`),
      h("button", { "data-action": "find-path", disabled: !(pathFrom && pathTo), onclick: () => void findPath() }, t("findPath")),
    );
  }

  const panelActions = {
    openCase: (code: string): void => {
      void showCase(details, code, panelActions);
    },
  };

  function select(id: string): void {
    selected = id;
    const node = canvas.node(id);
    canvas.cy.nodes().unselect();
    canvas.cy.getElementById(id).select();
    renderActions(id);
    const { type, key } = decodeId(id);
    if (type === "Person") void showPerson(details, id, panelActions);
    else if (type === "Case") void showCase(details, key, panelActions);
    else if (node) showProperties(details, node.label, node.properties);
  }

  canvas.cy.on("tap", "node", (event) => select(event.target.id()));
  canvas.cy.on("dbltap", "node", (event) => void expand(event.target.id()));

  const toolbar = h(
    "div",
    { class: "toolbar" },
    h("button", { "data-action": "undo", onclick: () => { canvas.undo(); counts(); } }, t("undo")),
    h("button", { "data-action": "fit", onclick: () => canvas.cy.fit(undefined, 30) }, t("fit")),
    h("button", { "data-action": "highlight", onclick: () => void highlight() }, t("highlight")),
    h("button", { "data-action": "communities", onclick: () => void colourCommunities() }, t("communities")),
    h("button", { "data-action": "export-png", onclick: () => download(canvas.png(), `gridgraph-${Date.now()}.png`) }, t("exportPng")),
    h(
      "button",
      {
        "data-action": "export-json",
        onclick: () => {
          const data = { center, exportedAt: new Date().toISOString(), ...canvas.visibleData() };
          download(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), `gridgraph-${Date.now()}.json`);
        },
      },
      t("exportJson"),
    ),
    status,
  );

  const element = h(
    "div",
    { class: "explorer" },
    h(
      "aside",
      { class: "finder" },
      h("form", { onsubmit: (event: Event) => void search(event), "data-testid": "search-form" }, h("label", {}, t("search")), text, types, h("button", { type: "submit" }, t("search"))),
      h("form", { onsubmit: (event: Event) => void lookUp(event), "data-testid": "id-card-form" }, h("label", {}, t("idCard")), idCard, h("button", { type: "submit" }, t("lookUp"))),
      h("div", { class: "controls" }, h("label", {}, t("hops"), hops), h("label", {}, t("maxNodes"), maxNodes)),
      results,
    ),
    h("section", { class: "main" }, toolbar, stage),
    h("aside", { class: "panel" }, actions, pathInfo, details),
  );
  void selected;
  return { element, canvas, draw };
}
