/* 重大项目建设驾驶舱: reads the JSON API (/v1/report, /v1/rank/{figure}, /v1/desk/lights,
 * /v1/desk/lagging) and draws with ECharts and plain tables.
 *
 * No figure is computed here: every number is a field of a /v1/report or /v1/rank answer. Money
 * and rates arrive as decimal strings and are formatted exactly (BigInt), never through floats:
 * amounts in 万元, shown in 亿元 from 1亿 up; rates as percentages with 2 places, half-up.
 * The pickers live in the URL (?region=140522&period=2024-06&as_of=2024-07-10&level=county).
 */
(function () {
  "use strict";

  const FIGURE_LABELS = {
    new_start_rate: "新建项目开工率",
    resume_rate: "续建项目复工率",
    start_or_resume_rate: "开复工率",
    investment_completion_rate: "年度投资完成率",
    signed_same_year_start_rate: "签约项目当年开工率",
    reserve_conversion_rate: "储备项目开工转化率",
    procedure_completion_rate: "前期手续办结率",
    stats_entry_rate: "入库纳统率",
    investment_growth: "投资增速",
    reserve_multiple: "储备规模倍数",
    problem_on_time_rate: "问题按期办结率",
    investment_share: "投资占比",
    landing_rate: "签约项目落地率",
    due_start_rate: "按计划开复工率",
    conceived_multiple: "谋划项目总投资倍数",
    conceived_count_multiple: "谋划项目数量倍数",
    reserve_to_conceived: "储备占谋划比",
  };
  const MULTIPLES = new Set(["reserve_multiple", "conceived_multiple", "conceived_count_multiple"]);
  const LEVELS = { province: "省级重点", city: "市级重点", county: "县级重点" };
  const COLORS = { started: "#1565c0", notStarted: "#90caf9", resumed: "#2e7d32", notResumed: "#a5d6a7",
                   bar: "#1565c0", pace: "#e65100", rank: "#1976d2", behind: "#c62828" };

  // ---- exact decimal formatting ---------------------------------------------------------------
  /** "327220.19" → {int: 32722019n, scale: 2}. */
  function parseDecimal(text) {
    const s = String(text).trim();
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
    if (!m) throw new Error("not a decimal: " + s);
    const frac = m[3] || "";
    const int = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
    return { int, scale: frac.length };
  }
  /** The decimal `text` × 10^shift, rounded half-up (away from zero) to `places`, as a string. */
  function scaled(text, shift, places) {
    const { int, scale } = parseDecimal(text);
    const exp = shift + places - scale;           // result units: 10^-places
    let n;
    if (exp >= 0) {
      n = int * 10n ** BigInt(exp);
    } else {
      const d = 10n ** BigInt(-exp);
      const neg = int < 0n, a = neg ? -int : int;
      n = (a / d) + ((a % d) * 2n >= d ? 1n : 0n);
      if (neg) n = -n;
    }
    const neg = n < 0n, digits = (neg ? -n : n).toString().padStart(places + 1, "0");
    const whole = places ? digits.slice(0, -places) : digits;
    return (neg ? "-" : "") + whole + (places ? "." + digits.slice(-places) : "");
  }
  /** 万元 decimal string → [number text, unit]: 亿元 (2 places) from 1亿 up, else 万元 (2 places). */
  function money(wan) {
    if (wan === null || wan === undefined) return ["—", ""];
    const big = parseDecimal(wan);
    const abs = big.int < 0n ? -big.int : big.int;
    if (abs >= 10000n * 10n ** BigInt(big.scale)) return [scaled(wan, -4, 2), "亿元"];
    return [scaled(wan, 0, 2), "万元"];
  }
  function percent(rate) { return rate === null || rate === undefined ? "—" : scaled(rate, 2, 2); }
  function rateText(figure, value) {
    if (value === null || value === undefined) return "—";
    return MULTIPLES.has(figure) ? scaled(value, 0, 2) + "倍" : percent(value) + "%";
  }
  function num(text) { return text === null || text === undefined ? null : Number(text); }

  // ---- state: pickers ⇄ URL -----------------------------------------------------------------
  const form = document.getElementById("pickers");
  const $ = (id) => document.getElementById(id);
  const now = new Date();

  function periodToMonth(period) {
    const m = /^(\d{4})(?:-(\d{2})|Q([1-4])|H([12]))?$/.exec(period || "");
    if (!m) return null;
    const month = m[2] ? Number(m[2]) : m[3] ? Number(m[3]) * 3 : m[4] ? Number(m[4]) * 6 : 12;
    return month >= 1 && month <= 12 ? { year: Number(m[1]), month } : null;
  }

  function initPickers() {
    const params = new URLSearchParams(location.search);
    const fallback = { year: now.getFullYear(), month: now.getMonth() + 1 };
    const chosen = periodToMonth(params.get("period")) || fallback;
    const years = new Set([chosen.year]);
    for (let y = now.getFullYear(); y >= now.getFullYear() - 6; y--) years.add(y);
    form.year.innerHTML = [...years].sort((a, b) => b - a)
      .map((y) => `<option value="${y}">${y}年</option>`).join("");
    form.month.innerHTML = Array.from({ length: 12 }, (_, i) => i + 1)
      .map((m) => `<option value="${m}">${m === 1 ? "1月" : "1–" + m + "月"}</option>`).join("");
    form.region.value = params.get("region") || document.body.dataset.territory || "14";
    form.year.value = String(chosen.year);
    form.month.value = String(chosen.month);
    form.level.value = params.get("level") || "";
    const asOf = params.get("as_of") || "";
    // the picker takes a date (its end); a full timestamp in the URL is kept as given until changed
    if (/^\d{4}-\d{2}-\d{2}$/.test(asOf)) form.as_of.value = asOf; else exactAsOf = asOf || null;
    $("rank-by").value = params.get("by") || (form.region.value.length === 6 ? "township" : "county");
    if (params.get("rank")) rankFigure = params.get("rank");
  }

  function picked() {
    const month = String(form.month.value).padStart(2, "0");
    return {
      region: form.region.value.trim(), period: `${form.year.value}-${month}`,
      year: Number(form.year.value), month: Number(form.month.value),
      level: form.level.value || null, as_of: form.as_of.value || exactAsOf,
    };
  }

  function apiUrl(path, q, extra) {
    const params = new URLSearchParams({ region: q.region, period: q.period });
    if (q.as_of) params.set("as_of", q.as_of);
    if (q.level) params.set("level", q.level);
    for (const [k, v] of Object.entries(extra || {})) params.set(k, v);
    return `${path}?${params}`;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) {  // the login session ended (expired, logged out, token revoked)
      location.href = `login?next=${encodeURIComponent(location.pathname + location.search)}`;
      throw new Error("401 请重新登录");
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const reason = body && (body.reason || (body.detail && JSON.stringify(body.detail))) || response.statusText;
      throw new Error(`${response.status} ${reason}`);
    }
    return body;
  }

  // ---- charts -------------------------------------------------------------------------------
  const charts = {};
  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: "svg" });
    return charts[id];
  }
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  const TEXT = { fontFamily: "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif" };

  function drawStarts(report) {
    const f = report.figures;
    const ns = f.new_start_rate, rs = f.resume_rate;
    const parts = [
      ["新建已开工", ns.numerator, COLORS.started], ["新建未开工", ns.denominator - ns.numerator, COLORS.notStarted],
      ["续建已复工", rs.numerator, COLORS.resumed], ["续建未复工", rs.denominator - rs.numerator, COLORS.notResumed],
    ];
    const all = f.start_or_resume_rate;
    $("starts-rate").textContent = `开复工率 ${rateText("start_or_resume_rate", all.value)}` +
      `(新建开工率 ${rateText("new_start_rate", ns.value)},续建复工率 ${rateText("resume_rate", rs.value)})`;
    $("starts-legend").innerHTML = parts.map(([name, count, color]) =>
      `<li data-part="${name}"><i style="background:${color}"></i>${name}<b>${count}</b> 个</li>`).join("");
    chart("chart-starts").setOption({
      textStyle: TEXT, animation: false,
      tooltip: { trigger: "item", formatter: (p) => `${p.name}:${p.value} 个(${p.percent}%)` },
      title: { text: String(all.numerator), subtext: `已开复工 / ${all.denominator} 个`, left: "center", top: "38%",
               textStyle: { fontSize: 26, fontWeight: 700, color: "#1f2d3d" }, subtextStyle: { fontSize: 12 } },
      series: [{ type: "pie", radius: ["52%", "78%"], center: ["50%", "50%"], avoidLabelOverlap: true,
                 label: { show: false }, itemStyle: { borderColor: "#fff", borderWidth: 2 },
                 data: parts.map(([name, value, color]) => ({ name, value, itemStyle: { color } })) }],
    }, true);
  }

  function drawMonthly(q, reports) {
    const months = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
    const bars = months.map((_, i) => {
      const r = reports[i];
      if (!r) return null;
      const f = r.figures.investment_completion_rate;
      return { value: f.value === null ? null : num(percent(f.value)), completed: f.numerator, planned: f.denominator };
    });
    const pace = months.map((_, i) => Number(((i + 1) * 100 / 12).toFixed(2)));
    chart("chart-monthly").setOption({
      textStyle: TEXT, animation: false,
      legend: { data: ["累计完成率", "序时进度"], top: 0 },
      grid: { left: 48, right: 20, top: 34, bottom: 28 },
      tooltip: { trigger: "axis", formatter: (items) => {
        const i = items[0].dataIndex, b = bars[i];
        const lines = [`${q.year}年1–${i + 1}月`];
        if (b) {
          const [c, cu] = money(b.completed), [p, pu] = money(b.planned);
          lines.push(`累计完成投资 ${c}${cu}`, `年度计划投资 ${p}${pu}`, `累计完成率 ${b.value === null ? "—" : b.value + "%"}`);
        }
        lines.push(`序时进度 ${pace[i]}%`);
        return lines.join("<br>");
      } },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", min: 0, max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10),
               axisLabel: { formatter: "{value}%" } },
      series: [
        { name: "累计完成率", type: "bar", barMaxWidth: 28, itemStyle: { color: COLORS.bar },
          label: { show: true, position: "top", formatter: (p) => (p.value === null ? "" : p.value + "%"), fontSize: 11 },
          data: bars.map((b) => (b ? b.value : null)) },
        { name: "序时进度", type: "line", symbol: "circle", symbolSize: 5, lineStyle: { type: "dashed", width: 2 },
          itemStyle: { color: COLORS.pace }, data: pace },
      ],
    }, true);
  }

  function rowName(row) {
    if (row.township) return row.township;
    return row.region_name || row.county || row.region || "未登记乡镇";
  }

  function drawRank(figure, rows) {
    const shown = rows.slice(0, 15);
    const names = shown.map(rowName).reverse();
    const values = shown.map((r) => (r.value === null ? null : num(MULTIPLES.has(figure) ? r.value : percent(r.value))))
      .reverse();
    const behind = shown.map((r) => r.behind === true).reverse();
    const labels = shown.map((r) => (r.value === null ? "无数据" : rateText(figure, r.value))).reverse();
    const unit = MULTIPLES.has(figure) ? "倍" : "%";
    chart("chart-rank").setOption({
      textStyle: TEXT, animation: false,
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: (items) => {
        const row = shown[shown.length - 1 - items[0].dataIndex];
        return `第${row.rank}名 ${rowName(row)}<br>${FIGURE_LABELS[figure] || figure} ${rateText(figure, row.value)}` +
          `<br>${row.numerator} / ${row.denominator}`;
      } },
      xAxis: { type: "value", axisLabel: { formatter: `{value}${unit}` } },
      yAxis: { type: "category", data: names, axisTick: { show: false } },
      series: [{ type: "bar", barMaxWidth: 18,
                 data: values.map((v, i) => ({ value: v, itemStyle: { color: behind[i] ? COLORS.behind : COLORS.rank } })),
                 label: { show: true, position: "right", formatter: (p) => labels[p.dataIndex] } }],
    }, true);
    if (!rows.length) chart("chart-rank").setOption({ title: { text: "暂无数据", left: "center", top: "middle",
      textStyle: { color: "#6b7a8c", fontSize: 14, fontWeight: 400 } } });
  }

  // ---- 红黄绿灯 and 滞后项目 (the desk's endpoints) --------------------------------------------
  const LIGHT_NAMES = { red: "红灯", yellow: "黄灯", green: "绿灯", none: "无灯" };
  const LAGGING_SHOWN = 30;
  function esc(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function dot(light) { return `<i class="light ${light || "none"}" title="${LIGHT_NAMES[light || "none"]}"></i>`; }

  function drawLights(view) {
    const kinds = Object.keys(view.kinds);
    const any = kinds.some((k) => ["red", "yellow", "green"].some((l) => view.totals[k][l] > 0));
    const place = (r) => (view.by === "township" ? (r.township || "未登记乡镇") : (r.region_name || r.region));
    $("lights-scope").textContent = `按${view.by === "township" ? "乡镇" : "县(市、区)"},截至 ${view.on}` +
      (form.level.value ? ",全部项目(不分重点工程级别)" : "");
    if (!any) {
      $("lights-body").innerHTML = '<div class="empty">暂无数据</div>';
      $("lights-note").textContent = "";
      return;
    }
    const head = `<tr><th rowspan="2">${view.by === "township" ? "乡镇" : "县(市、区)"}</th>` +
      kinds.map((k) => `<th colspan="3">${esc(view.kinds[k])}</th>`).join("") + "</tr><tr>" +
      kinds.map(() => ["red", "yellow", "green"].map((l) => `<th>${dot(l)}${LIGHT_NAMES[l].slice(0, 1)}</th>`).join(""))
        .join("") + "</tr>";
    const cells = (counts, key) => kinds.map((k) => ["red", "yellow", "green"].map((l) =>
      `<td class="n" data-kind="${k}" data-light="${l}">${counts[k][l]}</td>`).join("")).join("");
    const body = view.rows.map((r) => `<tr data-row="${esc(place(r))}">` +
      `<td>${esc(place(r))}</td>${cells(r)}</tr>`).join("");
    const total = `<tr class="total" data-row="合计"><td>合计</td>${cells(view.totals)}</tr>`;
    $("lights-body").innerHTML = `<div class="table-scroll"><table class="desk" id="lights-table">` +
      `<thead>${head}</thead><tbody>${body}${total}</tbody></table></div>`;
    const none = kinds.map((k) => view.totals[k].none).reduce((a, b) => a + b, 0);
    $("lights-note").textContent = none ? `另有 ${none} 项未定计划时间或未列入清单,不亮灯。` : "";
  }

  function drawLagging(view) {
    $("lagging-scope").textContent = `共 ${view.count} 个,含包联领导、包联部门,截至 ${view.on}` +
      (form.level.value ? ",全部项目(不分重点工程级别)" : "");
    if (!view.projects.length) {
      $("lagging-body").innerHTML = '<div class="empty">暂无数据</div>';
      $("lagging-note").textContent = "";
      return;
    }
    const shown = view.projects.slice(0, LAGGING_SHOWN);
    const rows = shown.map((p) => `<tr data-project="${esc(p.project_id)}" data-light="${p.light}">` +
      `<td>${dot(p.light)}${esc(LIGHT_NAMES[p.light] || "")}</td><td>${esc(p.name)}</td><td>${esc(p.township)}</td>` +
      `<td title="${esc(p.reasons.map((x) => x.label + ":" + x.detail).join(";"))}">` +
      `${esc(p.reasons.map((x) => x.label).join("、"))}</td>` +
      `<td>${esc(p.leaders.join("、")) || "—"}</td><td>${esc(p.lead_units.join("、")) || "—"}</td></tr>`).join("");
    $("lagging-body").innerHTML = `<div class="table-scroll"><table class="desk" id="lagging-table"><thead><tr>` +
      "<th>预警</th><th>项目名称</th><th>乡镇</th><th>滞后原因</th><th>包联领导</th><th>包联部门</th></tr></thead>" +
      `<tbody>${rows}</tbody></table></div>`;
    $("lagging-note").textContent = view.count > LAGGING_SHOWN
      ? `显示前 ${LAGGING_SHOWN} 个(红灯在前);全部见 滞后项目清单 CSV(projfacts lagging --format csv)。` : "";
  }

  async function loadDesk(q, mine) {
    const params = (extra) => {
      const u = new URLSearchParams({ region: q.region, period: q.period, ...(extra || {}) });
      if (q.as_of) u.set("as_of", q.as_of);
      return u;
    };
    const [lights, lagging] = await Promise.all([
      getJson(`v1/desk/lights?${params()}`), getJson(`v1/desk/lagging?${params()}`)]);
    if (mine !== generation) return;
    drawLights(lights);
    drawLagging(lagging);
  }

  // ---- KPI cards ----------------------------------------------------------------------------
  function setKpi(key, value, unit, sub, title) {
    const card = document.querySelector(`.kpi[data-kpi="${key}"]`);
    card.querySelector(".num").textContent = value;
    if (unit !== undefined) card.querySelector(".unit").textContent = unit;
    card.querySelector(".sub").innerHTML = sub || "";
    card.title = title || "";
  }

  function drawKpis(q, report) {
    const f = report.figures, inv = f.investment_completion_rate, all = f.start_or_resume_rate;
    const ns = f.new_start_rate, rs = f.resume_rate;
    const month = Number(report.through.slice(5, 7));
    document.querySelector('.kpi[data-kpi="completed"] .name').textContent =
      month === 1 ? "1月完成投资" : `1–${month}月完成投资`;
    setKpi("projects", String(all.denominator), "个", `新建 ${ns.denominator} 个 · 续建 ${rs.denominator} 个`);
    const [planned, plannedUnit] = money(inv.denominator);
    setKpi("planned", planned, plannedUnit, "", `${inv.denominator} 万元`);
    const [done, doneUnit] = money(inv.numerator);
    setKpi("completed", done, doneUnit, "", `${inv.numerator} 万元`);
    const target = inv.target ? `目标 ${percent(inv.target)}%` : "";
    setKpi("completion", percent(inv.value), "%", target);
    let gap = "";
    if (inv.value !== null) {
      const diff = scaled(String(parseDecimal(inv.value).int - parseDecimal(report.pace).int), -2, 2);
      const ahead = !diff.startsWith("-");
      gap = `<span class="${ahead ? "ahead" : "behind"}" data-gap="${diff}">${ahead ? "超" : "欠"}序时 ` +
        `${diff.replace("-", "")} 个百分点</span>`;
    }
    setKpi("pace", percent(report.pace), "%", gap);
  }

  // ---- loading ------------------------------------------------------------------------------
  let rankFigure = "start_or_resume_rate";
  let exactAsOf = null;
  let generation = 0;
  const monthCache = new Map();

  function setStatus(text, error) {
    $("status").textContent = text;
    $("status").className = error ? "error" : "";
  }

  function fillRankFigures(report) {
    const select = $("rank-figure");
    // rate figures only (§6 gives each figure a kind; a report without kinds has only rates)
    const ids = Object.keys(report.figures).filter((id) => (report.figures[id].kind || "rate") === "rate");
    if (!ids.includes(rankFigure)) rankFigure = ids.includes("start_or_resume_rate") ? "start_or_resume_rate" : ids[0];
    const html = ids.map((id) => `<option value="${id}">${FIGURE_LABELS[id] || id}</option>`).join("");
    if (select.innerHTML !== html) select.innerHTML = html;
    select.value = rankFigure;
  }

  async function monthlyReports(q) {
    const wanted = Array.from({ length: q.month }, (_, i) => ({ ...q, period: `${q.year}-${String(i + 1).padStart(2, "0")}` }));
    return Promise.all(wanted.map((mq) => {
      const url = apiUrl("v1/report", mq);
      // as-of fixed (a date) → the answer never changes; "now" is refetched on every load
      if (mq.as_of && monthCache.has(url)) return monthCache.get(url);
      const promise = getJson(url);
      if (mq.as_of) monthCache.set(url, promise.catch((e) => { monthCache.delete(url); throw e; }));
      return promise;
    }));
  }

  async function loadRank(q, mine) {
    const by = $("rank-by").value;
    $("rank-scope").textContent = `${FIGURE_LABELS[rankFigure] || rankFigure},按${by === "township" ? "乡镇" : "县(市、区)"},由高到低`;
    const body = await getJson(apiUrl(`v1/rank/${encodeURIComponent(rankFigure)}`, q, { by }));
    if (mine !== generation) return;
    drawRank(rankFigure, Array.isArray(body) ? body : body.rows || []);
  }

  async function loadRegions(q) {
    // the counties under the province that have projects, from the ranking by county (names when the API gives them)
    // a token sees its territory and below only: start the list there (an admin's: the province)
    const province = document.body.dataset.territory || q.region.slice(0, 2);
    if (document.body.dataset.township) return;  // a township's token: its county's ranking is not its to see
    try {
      const body = await getJson(apiUrl("v1/rank/start_or_resume_rate", { ...q, region: province, level: null }, { by: "county" }));
      const rows = Array.isArray(body) ? body : body.rows || [];
      const options = new Map([[province, null]]);
      for (const row of rows) {
        const code = row.county || row.region;
        if (!code) continue;
        if (code.slice(0, 4).startsWith(province)) options.set(code.slice(0, 4), options.get(code.slice(0, 4)) || null);
        options.set(code, row.region_name || null);
      }
      $("regions").innerHTML = [...options].sort()
        .map(([code, name]) => `<option value="${code}">${name ? name + " " : ""}${code}</option>`).join("");
    } catch (e) { /* the datalist is a convenience; typing a code still works */ }
  }

  async function load() {
    const mine = ++generation;
    const q = picked();
    if (!form.region.checkValidity()) {
      setStatus("地区请填写2位、4位或6位行政区划代码", true);
      return;
    }
    const params = new URLSearchParams({ region: q.region, period: q.period });
    if (q.as_of) params.set("as_of", q.as_of);
    if (q.level) params.set("level", q.level);
    history.replaceState(null, "", `?${params}`);
    document.body.dataset.state = "loading";
    setStatus("正在加载…");
    try {
      const report = await getJson(apiUrl("v1/report", q));
      if (mine !== generation) return;
      const place = report.region_name || report.region;
      const level = q.level ? ` · ${LEVELS[q.level]}` : "";
      $("scope").textContent = `${place} · ${q.year}年${q.month === 1 ? "1月" : "1–" + q.month + "月"}${level}` +
        ` · 数据截至 ${report.as_of.slice(0, 19).replace("T", " ")}`;
      document.title = `${place} 重大项目建设驾驶舱`;
      drawKpis(q, report);
      drawStarts(report);
      fillRankFigures(report);
      const [monthly] = await Promise.all([monthlyReports(q), loadRank(q, mine), loadRegions(q), loadDesk(q, mine)]);
      if (mine !== generation) return;
      drawMonthly(q, monthly);
      document.body.dataset.region = report.region;
      document.body.dataset.period = report.period;
      document.body.dataset.asOf = report.as_of;
      document.body.dataset.state = "ready";
      setStatus("");
    } catch (error) {
      if (mine !== generation) return;
      document.body.dataset.state = "error";
      setStatus(`加载失败:${error.message}`, true);
    }
  }

  const ROLE_NAMES = { reader: "查阅", statistician: "统计", admin: "管理员" };
  const who = document.body.dataset;
  if (who.role) {
    $("who").textContent = `${ROLE_NAMES[who.role] || who.role} · ${who.territory || "全部地区"}` +
      `${who.township ? " " + who.township : ""}`;
  }
  initPickers();
  form.as_of.addEventListener("change", () => { exactAsOf = null; });
  form.addEventListener("change", load);
  $("rank-figure").addEventListener("change", (e) => {
    rankFigure = e.target.value;
    document.body.dataset.state = "loading";
    const mine = generation;
    loadRank(picked(), mine).then(() => { if (mine === generation) document.body.dataset.state = "ready"; })
      .catch((error) => { document.body.dataset.state = "error"; setStatus(`加载失败:${error.message}`, true); });
  });
  $("rank-by").addEventListener("change", () => $("rank-figure").dispatchEvent(new Event("change")));
  load();
})();
