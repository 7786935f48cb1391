// The side panel: an entity's fields (as the API masks them for the caller's role), a
// person's cases, a case's timeline, escalation path, parties, handlers and related cases.
import { CaseDetailDocument, PersonDetailDocument } from "../generated/graphql";
import { gql } from "./api";
import { clear, formatTime, h } from "./dom";
import { t, type MessageKey } from "./i18n";

/** "Type:key" of a global ID. */
export function decodeId(id: string): { type: string; key: string } {
  try {
    const text = atob(id);
    const at = text.indexOf(":");
    return { type: text.slice(0, at), key: text.slice(at + 1) };
  } catch {
    return { type: "", key: id };
  }
}

export function caseId(code: string): string {
  return btoa(`Case:${code}`);
}

function fields(rows: [MessageKey, unknown][]): HTMLElement {
  return h(
    "dl",
    { class: "fields" },
    rows.flatMap(([key, value]) => [
      h("dt", {}, t(key)),
      h(
        "dd",
        { "data-field": key },
        value === null || value === undefined || value === "" ? "—" : Array.isArray(value) ? value.join(", ") || "—" : String(value),
      ),
    ]),
  );
}

export interface PanelActions {
  openCase(code: string): void; // show a case (panel) and, in the explorer, select it
}

function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error" }, `${t("error")}: ${error instanceof Error ? error.message : String(error)}`);
}

export async function showPerson(target: HTMLElement, id: string, actions: PanelActions): Promise<void> {
  clear(target, h("p", { class: "muted" }, t("loading")));
  try {
    const { node } = await gql(PersonDetailDocument, { id });
    if (!node || node.__typename !== "Person") {
      clear(target, h("p", {}, t("noResults")));
      return;
    }
    clear(
      target,
      h("h3", {}, node.name),
      fields([
        ["gender", node.gender],
        ["birthDate", node.birthDate],
        ["birthYear", node.birthYear],
        ["idCardNumber", node.idCardNumber],
        ["phone", node.phone],
        ["address", node.address],
        ["colourLabel", node.colourLabel],
        ["tags", node.tags],
        ["roles", node.roles],
        ["grid", node.grid ? `${node.grid.name} (${node.grid.code})` : null],
      ]),
      h("h4", {}, `${t("personCases")} (${node.cases.totalCount ?? node.cases.edges.length})`),
      h(
        "ul",
        { class: "list" },
        node.cases.edges.map((edge) =>
          h(
            "li",
            {},
            h("button", { class: "link", "data-case": edge.node.code, onclick: () => actions.openCase(edge.node.code) }, edge.node.code),
            ` ${edge.node.title} · ${edge.role} · ${edge.node.status} · ${formatTime(edge.node.reportedAt)}`,
          ),
        ),
      ),
    );
  } catch (error) {
    clear(target, errorBox(error));
  }
}

export async function showCase(target: HTMLElement, code: string, actions: PanelActions): Promise<void> {
  clear(target, h("p", { class: "muted" }, t("loading")));
  try {
    const data = await gql(CaseDetailDocument, { code });
    const item = data.case;
    clear(
      target,
      h("h3", {}, `${item.code} ${item.title}`),
      fields([
        ["kind", item.kind],
        ["category", item.category],
        ["severity", item.severity],
        ["status", item.status],
        ["channel", item.channel],
        ["reportedAt", formatTime(item.reportedAt)],
        ["closedAt", formatTime(item.closedAt)],
        ["resolvedAtLevel", item.resolvedAtLevel],
        ["satisfaction", item.satisfaction],
        ["grid", item.grid ? `${item.grid.name} (${item.grid.code})` : null],
        ["description", item.description],
      ]),
      h("h4", {}, t("parties")),
      h("ul", { class: "list" }, item.parties.map((party) => h("li", {}, `${party.person.name} · ${party.role}`))),
      h("h4", {}, t("timeline")),
      h(
        "ol",
        { class: "timeline", "data-testid": "timeline" },
        item.timeline.map((event) =>
          h(
            "li",
            {},
            h("time", {}, formatTime(event.at)),
            h("strong", {}, ` ${event.action}`),
            ` → ${event.status}${event.level ? ` @ ${event.level}` : ""}`,
            event.note ? h("div", { class: "muted" }, event.note) : null,
          ),
        ),
      ),
      h("h4", {}, t("escalation")),
      h(
        "ol",
        { class: "list" },
        data.escalationPath.levels.map((level) =>
          h(
            "li",
            { class: level.current ? "current" : "" },
            `${level.level} ${level.placeName ?? ""} · ${formatTime(level.enteredAt)} · ${(level.seconds / 3600).toFixed(1)} h`,
          ),
        ),
      ),
      h("h4", {}, t("handlers")),
      h("ul", { class: "list" }, item.handlers.map((handler) => h("li", {}, `${handler.name} · ${handler.role}`))),
      h("h4", {}, t("relatedCases")),
      h(
        "ul",
        { class: "list" },
        data.relatedCasesOf.map((related) =>
          h(
            "li",
            {},
            h("button", { class: "link", onclick: () => actions.openCase(related.case.code) }, related.case.code),
            ` ${related.case.title} · ${related.reasons.join(", ")}`,
          ),
        ),
      ),
    );
  } catch (error) {
    clear(target, errorBox(error));
  }
}

/** What the drawing already holds about another kind of node. */
export function showProperties(target: HTMLElement, label: string, properties: Record<string, unknown>): void {
  clear(
    target,
    h("h3", {}, label),
    h(
      "dl",
      { class: "fields" },
      Object.entries(properties).flatMap(([key, value]) => [
        h("dt", {}, key),
        h("dd", {}, value === null || value === undefined ? "—" : typeof value === "object" ? JSON.stringify(value) : String(value)),
      ]),
    ),
  );
}
