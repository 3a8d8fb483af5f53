// 见习岗位录入及维护: an intern's open posts in their jurisdiction, filtered like the public
// search, and up to three bookmarks. A person who is not (yet) an intern browses the
// province's open posts and learns 「该人员不是就业见习人员」 when bookmarking, as in the manual.
import { api, pick, queryString, regions } from "./api.js";
import {
  field, h, loading, notice, options, pageCount, pager, place, regionSelects, showError, statusTag, table,
} from "./ui.js";
import { postingFilters } from "./postings.js";

export const FAVORITES_QUERY = ["city", "county", "q", "education", "industry", "page"];

// 收藏 (on) or 取消收藏; true when done, else the refusal is shown in `errors`.
export async function toggleFavorite(posting, on, button, errors) {
  button.disabled = true;
  const id = encodeURIComponent(posting.posting_id);
  try {
    if (on) await api("PUT", `/api/v1/favorites/${id}`);
    else await api("DELETE", `/api/v1/favorites/${id}`);
    return true;
  } catch (err) {
    showError(errors, err);
    return false;
  } finally {
    button.disabled = false;
  }
}

export async function favoritesView(view, params) {
  const errors = h("div", { "aria-live": "assertive" });
  const slot = loading();
  view.append(h("h1", {}, "见习岗位录入及维护"), errors, slot);
  let me, data, mine;
  try {
    [me, data, mine] = await Promise.all([
      api("GET", "/api/v1/me"),
      regions(),
      api("GET", "/api/v1/favorites").catch((err) => {
        if (err.code === "NOT_AN_INTERN") return null;
        throw err;
      }),
    ]);
  } catch (err) {
    showError(slot, err);
    return;
  }
  const intern = me.intern && me.intern.eligible ? me.intern.jurisdiction : null;
  const query = pick(params, FAVORITES_QUERY);
  // An intern sees their jurisdiction; a city-level (市本级) one may narrow it to a county.
  const scope = intern
    ? { city: intern.city_code, county: intern.county_code || query.county }
    : { city: query.city, county: query.county };
  const go = (changes, replace) => {
    const to = "#/favorites" + queryString({ ...query, ...changes });
    if (replace) location.replace(to);
    else location.hash = to;
  };

  let regionFields;
  let readRegion;
  if (intern && intern.county_code) {
    regionFields = [];
    readRegion = () => ({});
  } else if (intern) {
    const city = data.cities.find((c) => c.code === intern.city_code);
    const county = h("select", { name: "county" },
      options([["", "全部区县"], ...city.counties.map((k) => [k.code, k.name])], query.county));
    regionFields = [field("区县", county, "county")];
    readRegion = () => ({ county: county.value });
  } else {
    const region = regionSelects(data, query.city, query.county, "全省", "全部区县");
    regionFields = [field("地市", region.city, "city"), field("区县", region.county, "county")];
    readRegion = () => ({ city: region.city.value, county: region.county.value });
  }
  const filters = h("form", { class: "filters", role: "search" }, ...regionFields, ...postingFilters(query),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ ...readRegion(), q: filters.q.value.trim(), education: filters.education.value,
      industry: filters.industry.value, page: "" });
  });

  let page;
  try {
    page = await api("GET", "/api/v1/postings", { query: {
      ...scope, q: query.q, education: query.education, industry: query.industry, status: "open",
      page: query.page || 1, page_size: 20 } });
  } catch (err) {
    slot.before(filters);
    showError(slot, err, filters);
    return;
  }
  if (page.total && (+query.page || 1) > pageCount(page.total, page.page_size)) {
    go({ page: pageCount(page.total, page.page_size) }, true);
    return;
  }

  const favorited = new Set(mine ? mine.items.map((p) => p.posting_id) : []);
  const rerender = (message) => {
    view.replaceChildren();
    favoritesView(view, params).then(() => {
      if (message) view.querySelector("[aria-live]").replaceChildren(notice(message));
    });
  };
  const back = queryString({ from: "favorites", ...query });
  const link = (p) => h("a", { href: `#/postings/${encodeURIComponent(p.posting_id)}${back}` }, p.title);
  const button = (p) => {
    const on = !favorited.has(p.posting_id);
    const b = h("button", { type: "button", class: on ? "small" : "small secondary" }, on ? "收藏" : "取消收藏",
      h("span", { class: "visually-hidden" }, p.title));
    b.addEventListener("click", async () => {
      errors.replaceChildren();
      if (await toggleFavorite(p, on, b, errors)) rerender(on ? `已收藏：${p.title}` : `已取消收藏：${p.title}`);
    });
    return b;
  };

  slot.replaceWith(
    intern
      ? h("p", {}, `业务办理属地：${place(intern)}`)
      : h("p", { class: "info" }, "您还不是就业见习人员：可以浏览全省招募中的岗位，就业见习人员申请审核通过后可收藏属地内的岗位。"),
    mine ? h("h2", {}, `我的收藏（${mine.items.length}/${mine.limit}）`) : "",
    mine ? table(["岗位名称", "用人单位", "地区", "截止日期", "状态", "操作"], mine.items.map((p) => [
      link(p), p.employer_name, `${p.city_name} ${p.county_name}`, p.deadline, statusTag(p.status, p.status_label),
      button(p),
    ]), "尚未收藏岗位", "我的收藏") : "",
    h("h2", {}, intern ? "属地内招募中的岗位" : "招募中的岗位"),
    filters,
    table(["岗位名称", "用人单位", "地区", "行业", "学历要求", "月补贴（元）", "截止日期", "操作"], page.items.map((p) => [
      link(p), p.employer_name, `${p.city_name} ${p.county_name}`, p.industry, p.education_requirement,
      p.monthly_subsidy, p.deadline, button(p),
    ]), "没有符合条件的岗位", "招募中的岗位"),
    pager(page.page, page.total, page.page_size, (p) => go({ page: p })));
}
