// The offices' dashboards: a place's scorecard (ten-no, resolved-in-grid rate vs the 60%
// target, satisfaction, on-time closure), hotspots, cases over time, grid-worker ranking
// with the bottom 5%, overdue cases; drill-down district → street → community → grid → case.
import * as echarts from "echarts/core";
import { BarChart, GaugeChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import {
  CommunityOverviewDocument,
  DistrictOverviewDocument,
  GridOverviewDocument,
  HotspotsDocument,
  OverdueDocument,
  RankingDocument,
  StreetOverviewDocument,
  type PlaceLevelEnum,
  type ScorecardFieldsFragment,
} from "../../generated/graphql";
import { gql } from "../api";
import { clear, formatTime, h, percent } from "../dom";
import { t } from "../i18n";
import { showCase } from "../panel";

echarts.use([BarChart, GaugeChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export const DISTRICT = "370811";

type Level = "district" | "street" | "community" | "grid";
interface Crumb {
  level: Level;
  code: string;
  name: string;
}
interface Child {
  code: string;
  name: string;
}

const CHILD_LEVEL: Record<Level, PlaceLevelEnum | null> = { district: "STREET", street: "COMMUNITY", community: "GRID", grid: null };
const NEXT: Record<Level, Level | null> = { district: "street", street: "community", community: "grid", grid: null };

function quarterOf(period: string): string {
  if (/^\d{4}Q[1-4]$/.test(period)) return period;
  if (/^\d{4}$/.test(period)) return `${period}Q4`;
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  return month ? `${month[1]}Q${Math.ceil(Number(month[2]) / 3)}` : period;
}

function quartersOf(period: string): string[] {
  const year = period.slice(0, 4);
  return [1, 2, 3, 4].map((q) => `${year}Q${q}`);
}

export function dashboardView(openInExplorer: (caseCode: string) => void): HTMLElement {
  const charts: echarts.ECharts[] = [];
  const crumbs: Crumb[] = [{ level: "district", code: DISTRICT, name: t("district") }];
  const period = h("input", { type: "text", name: "period", value: "2024", size: 8, "data-testid": "period" });
  // A category code of graph/policy.toml (neighbour, land, ...); blank: every category.
  const category = h("input", { type: "text", name: "category", size: 14, placeholder: t("allCategories"), "data-testid": "category" });
  const trail = h("nav", { class: "crumbs", "data-testid": "crumbs" });
  const cards = h("div", { class: "cards", "data-testid": "scorecard" });
  const children = h("div", { class: "children", "data-testid": "children" });
  const hotspotChart = h("div", { class: "chart" });
  const trendChart = h("div", { class: "chart" });
  const ranking = h("div", { class: "ranking", "data-testid": "ranking" });
  const rankingChart = h("div", { class: "chart tall" });
  const overdue = h("div", { class: "overdue", "data-testid": "overdue" });
  const caseDetail = h("div", { class: "details", "data-testid": "case-detail" });
  const status = h("p", { class: "status", "data-testid": "dashboard-status" });

  function chart(host: HTMLElement, option: echarts.EChartsCoreOption): void {
    const existing = echarts.getInstanceByDom(host);
    const instance = existing ?? echarts.init(host, undefined, { renderer: "canvas" });
    if (!existing) charts.push(instance);
    instance.setOption(option, true);
  }

  function card(label: string, value: string, extra?: string, good?: boolean | null): HTMLElement {
    return h(
      "div",
      { class: `card ${good === true ? "good" : good === false ? "bad" : ""}` },
      h("div", { class: "card-label" }, label),
      h("div", { class: "card-value" }, value),
      extra ? h("div", { class: "card-extra" }, extra) : null,
    );
  }

  function renderScorecard(score: ScorecardFieldsFragment): void {
    const gauge = h("div", { class: "chart gauge" });
    clear(
      cards,
      card(t("caseCount"), String(score.caseCount), `${score.gridCount} ${t("grid")}`),
      card(
        t("resolvedInGrid"),
        percent(score.resolvedInGridRate),
        `${t("target")} ${percent(score.resolvedInGridTarget)} · ${score.resolvedInGridCount}/${score.resolvedCount}`,
        score.meetsResolvedInGridTarget,
      ),
      card(t("onTimeClosure"), percent(score.onTimeClosureRate), `${score.closedOnTimeCount}/${score.closedCount} · ≤ ${score.onTimeDays} d`),
      card(t("meanSatisfaction"), score.meanSatisfaction === null || score.meanSatisfaction === undefined ? "—" : score.meanSatisfaction.toFixed(2), `n = ${score.ratedCount}`),
      card(t("fengqiao"), score.fengqiao ? t(score.fengqiao) : "—", undefined, score.allTenPassed),
      gauge,
      h(
        "div",
        { class: "tenno", "data-testid": "ten-no" },
        h("div", { class: "card-label" }, t("tenNo")),
        score.tenNo.map((item) =>
          h("span", { class: `tenno-item ${item.passed ? "good" : "bad"}`, title: item.breakingCases.join(", ") || t("passed") }, `${item.name}${item.passed ? " ✓" : ` ✗${item.breakingCases.length}`}`),
        ),
      ),
    );
    chart(gauge, {
      series: [
        {
          type: "gauge",
          min: 0,
          max: 100,
          progress: { show: true },
          axisLabel: { show: false },
          splitLine: { show: false },
          axisTick: { show: false },
          title: { offsetCenter: [0, "85%"], fontSize: 12 },
          detail: { formatter: "{value}%", fontSize: 18, offsetCenter: [0, "30%"] },
          axisLine: { lineStyle: { width: 10, color: [[score.resolvedInGridTarget, "#fa5252"], [1, "#40c057"]] } },
          data: [{ value: Math.round((score.resolvedInGridRate ?? 0) * 1000) / 10, name: t("resolvedInGrid") }],
        },
      ],
    });
  }

  function renderChildren(level: Level, list: Child[]): void {
    const next = NEXT[level];
    clear(
      children,
      h("h3", {}, t("children")),
      next
        ? h(
            "ul",
            { class: "child-list" },
            list.map((child) => h("li", {}, h("button", { class: "link", "data-code": child.code, onclick: () => { crumbs.push({ level: next, code: child.code, name: child.name }); void load(); } }, `${child.name} (${child.code})`))),
          )
        : null,
    );
  }

  async function renderHotspots(level: Level, code: string, list: Child[]): Promise<void> {
    const childLevel = CHILD_LEVEL[level];
    if (!childLevel) {
      hotspotChart.hidden = true;
      return;
    }
    hotspotChart.hidden = false;
    const chosen = category.value.trim() || null;
    const { hotspots } = await gql(HotspotsDocument, { level: childLevel, period: period.value, category: chosen });
    const counts = new Map(hotspots.places.filter((place) => place.code.startsWith(code)).map((place) => [place.code, place]));
    const rows = list.map((child) => ({ name: child.name, count: counts.get(child.code)?.count ?? 0, previous: counts.get(child.code)?.previousCount ?? 0 }));
    rows.sort((a, b) => b.count - a.count);
    chart(hotspotChart, {
      title: { text: chosen ? `${t("hotspots")} · ${chosen}` : t("hotspots"), textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      legend: { data: [period.value, hotspots.previousPeriod], right: 10 },
      grid: { left: 110, right: 20, top: 40, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map((row) => row.name), inverse: true },
      series: [
        { name: period.value, type: "bar", data: rows.map((row) => row.count), itemStyle: { color: "#e8590c" } },
        { name: hotspots.previousPeriod, type: "bar", data: rows.map((row) => row.previous), itemStyle: { color: "#adb5bd" } },
      ],
    });
  }

  async function renderTrend(level: Level, code: string): Promise<void> {
    const quarters = quartersOf(period.value);
    const values = await Promise.all(quarters.map(async (quarter) => (await scorecard(level, code, quarter)).caseCount));
    chart(trendChart, {
      title: { text: t("trend"), textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: quarters },
      yAxis: { type: "value", name: t("caseCount") },
      series: [{ type: "line", data: values, smooth: true, areaStyle: {} }],
    });
  }

  async function renderRanking(code: string): Promise<void> {
    const { gridWorkerRanking: result } = await gql(RankingDocument, { quarter: quarterOf(period.value), place: code });
    const entries = result.entries;
    clear(
      ranking,
      h("h3", {}, `${t("ranking")} ${result.quarter} · ${t("bottom5")}: ${result.flaggedInPlaceCount}/${result.inPlaceCount}`),
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, h("th", {}, t("rank")), h("th", {}, t("worker")), h("th", {}, t("grid")), h("th", {}, t("score")))),
        h(
          "tbody",
          {},
          entries.slice(0, 10).concat(entries.slice(10).filter((entry) => entry.bottom5)).map((entry) =>
            h("tr", { class: entry.bottom5 ? "bad" : "" }, h("td", {}, String(entry.rank)), h("td", {}, entry.worker?.name ?? "—"), h("td", {}, entry.grid?.name ?? "—"), h("td", {}, entry.score.toFixed(1))),
          ),
        ),
      ),
      rankingChart,
    );
    chart(rankingChart, {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, top: 10, bottom: 30 },
      xAxis: { type: "category", data: entries.map((entry) => String(entry.rank)), name: t("rank") },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "bar", data: entries.map((entry) => ({ value: entry.score, itemStyle: { color: entry.bottom5 ? "#fa5252" : "#4dabf7" } })) }],
    });
  }

  async function renderOverdue(code: string): Promise<void> {
    const { overdueCases } = await gql(OverdueDocument, { place: code });
    clear(
      overdue,
      h("h3", {}, `${t("overdue")} (${overdueCases.totalCount ?? overdueCases.edges.length})`),
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, h("th", {}, t("code")), h("th", {}, t("title")), h("th", {}, t("grid")), h("th", {}, t("dueFor")), h("th", {}, t("dueAt")))),
        h(
          "tbody",
          {},
          overdueCases.edges.map((edge) =>
            h(
              "tr",
              {},
              h("td", {}, h("button", { class: "link", "data-case": edge.node.code, onclick: () => void showCase(caseDetail, edge.node.code, caseActions) }, edge.node.code)),
              h("td", {}, edge.node.title),
              h("td", {}, edge.node.grid?.name ?? "—"),
              h("td", {}, edge.dueFor),
              h("td", {}, formatTime(edge.dueAt)),
            ),
          ),
        ),
      ),
    );
  }

  async function scorecard(level: Level, code: string, forPeriod: string): Promise<ScorecardFieldsFragment> {
    switch (level) {
      case "district":
        return (await gql(DistrictOverviewDocument, { district: code, period: forPeriod })).districtScorecard;
      case "street":
        return (await gql(StreetOverviewDocument, { street: code, period: forPeriod })).streetScorecard;
      case "community":
        return (await gql(CommunityOverviewDocument, { community: code, period: forPeriod })).communityScorecard;
      case "grid":
        return (await gql(GridOverviewDocument, { grid: code, period: forPeriod })).gridScorecard;
    }
  }

  const caseActions = {
    openCase: (code: string): void => {
      void showCase(caseDetail, code, caseActions);
    },
  };

  async function load(): Promise<void> {
    const here = crumbs[crumbs.length - 1];
    status.textContent = t("loading");
    status.classList.remove("error");
    clear(caseDetail);
    try {
      let list: Child[] = [];
      let score: ScorecardFieldsFragment;
      if (here.level === "district") {
        const data = await gql(DistrictOverviewDocument, { district: here.code, period: period.value });
        here.name = data.district.name;
        list = data.district.streets;
        score = data.districtScorecard;
      } else if (here.level === "street") {
        const data = await gql(StreetOverviewDocument, { street: here.code, period: period.value });
        list = data.street.communities;
        score = data.streetScorecard;
      } else if (here.level === "community") {
        const data = await gql(CommunityOverviewDocument, { community: here.code, period: period.value });
        list = data.community.grids;
        score = data.communityScorecard;
      } else {
        const data = await gql(GridOverviewDocument, { grid: here.code, period: period.value });
        score = data.gridScorecard;
        clear(
          children,
          h("h3", {}, `${t("gridCases")} (${data.grid.cases.totalCount ?? data.grid.cases.edges.length}) · ${t("gridWorker")}: ${data.grid.gridWorker?.name ?? "—"}`),
          h(
            "ul",
            { class: "child-list" },
            data.grid.cases.edges.map((edge) =>
              h(
                "li",
                {},
                h("button", { class: "link", "data-case": edge.node.code, onclick: () => void showCase(caseDetail, edge.node.code, caseActions) }, edge.node.code),
                ` ${edge.node.title} · ${edge.node.status} · ${formatTime(edge.node.reportedAt)} `,
                h("button", { class: "small", onclick: () => openInExplorer(edge.node.code) }, t("explorer")),
              ),
            ),
          ),
        );
      }
      renderTrail();
      renderScorecard(score);
      if (here.level !== "grid") renderChildren(here.level, list);
      await Promise.all([renderHotspots(here.level, here.code, list), renderTrend(here.level, here.code), renderRanking(here.code), renderOverdue(here.code)]);
      status.textContent = "";
      for (const instance of charts) instance.resize();
    } catch (error) {
      status.textContent = `${t("error")}: ${error instanceof Error ? error.message : String(error)}`;
      status.classList.add("error");
    }
  }

  function renderTrail(): void {
    clear(
      trail,
      crumbs.map((crumb, index) =>
        index === crumbs.length - 1
          ? h("span", { class: "crumb current", "data-level": crumb.level }, crumb.name)
          : h("button", { class: "link crumb", "data-level": crumb.level, onclick: () => { crumbs.length = index + 1; void load(); } }, crumb.name),
      ),
    );
  }

  const element = h(
    "div",
    { class: "dashboard" },
    h("div", { class: "dash-head" }, trail, h("label", {}, `${t("period")} `, period, ` ${t("category")} `, category, h("button", { onclick: () => void load() }, "↻")), status),
    cards,
    h("div", { class: "dash-grid" }, h("div", {}, children, hotspotChart, trendChart), h("div", {}, ranking, overdue), h("div", {}, caseDetail)),
  );
  window.addEventListener("resize", () => charts.forEach((instance) => instance.resize()));
  void load();
  return element;
}
