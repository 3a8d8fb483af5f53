// 见习岗位录入及维护: an approved intern's open posts in their jurisdiction and up to
// three bookmarks. Persons who are not interns see the API's own message.
import { api, queryString, regions } from "./api.js";
import { field, h, loading, options, pager, place, showError, statusTag, table } from "./ui.js";

export async function favoritesView(view, params) {
  const errors = h("div");
  const slot = loading();
  view.append(h("h1", {}, "见习岗位录入及维护"), errors, slot);
  const query = { county: params.county, q: params.q, page: params.page || 1, page_size: 20 };
  let me, data, mine, page;
  try {
    [me, data, mine, page] = await Promise.all([
      api("GET", "/api/v1/me"),
      regions(),
      api("GET", "/api/v1/favorites"),
      api("GET", "/api/v1/favorites/postings", { query }),
    ]);
  } catch (err) {
    showError(slot, err);
    return;
  }
  const rerender = () => {
    view.replaceChildren();
    favoritesView(view, params);
  };
  // 收藏 / 取消收藏, then both lists again; a refusal (limit, closed post...) stays visible.
  const toggle = (posting, on) => async (event) => {
    event.target.disabled = true;
    const id = encodeURIComponent(posting.posting_id);
    try {
      if (on) await api("PUT", `/api/v1/favorites/${id}`);
      else await api("DELETE", `/api/v1/favorites/${id}`);
      rerender();
    } catch (err) {
      showError(errors, err);
      event.target.disabled = false;
    }
  };
  const link = (p) => h("a", { href: "#/postings/" + encodeURIComponent(p.posting_id) }, p.title);

  const jurisdiction = me.intern.jurisdiction;
  const city = data.cities.find((c) => c.code === jurisdiction.city_code);
  const filters = h("form", { class: "filters" },
    // A city-level (市本级) intern may narrow to one county of the city.
    jurisdiction.county_code ? null : field("区县", h("select", { name: "county" },
      options([["", "全部区县"], ...city.counties.map((k) => [k.code, k.name])], params.county)), "county"),
    field("关键词", h("input", { name: "q", value: params.q || "", placeholder: "岗位、单位或描述" }), "q"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/favorites" + queryString({
      county: filters.county ? filters.county.value : "", q: filters.q.value.trim() });
  });

  slot.replaceWith(
    h("p", {}, `业务办理属地：${place(jurisdiction)}`),
    h("h2", {}, `我的收藏（${mine.items.length}/${mine.limit}）`),
    table(["岗位名称", "用人单位", "地区", "截止日期", "状态", ""], mine.items.map((p) => [
      link(p), p.employer_name, `${p.city_name} ${p.county_name}`, p.deadline, statusTag(p.status, p.status_label),
      h("button", { type: "button", onclick: toggle(p, false) }, "取消收藏"),
    ]), "尚未收藏岗位"),
    h("h2", {}, "属地内招募中的岗位"),
    filters,
    table(["岗位名称", "用人单位", "地区", "行业", "月补贴（元）", "截止日期", ""], page.items.map((p) => [
      link(p), p.employer_name, `${p.city_name} ${p.county_name}`, p.industry, p.monthly_subsidy, p.deadline,
      p.favorited
        ? h("button", { type: "button", onclick: toggle(p, false) }, "取消收藏")
        : h("button", { type: "button", onclick: toggle(p, true) }, "收藏"),
    ]), "没有符合条件的岗位"),
    pager(page.page, page.total, page.page_size, (p) => {
      location.hash = "#/favorites" + queryString({ county: params.county, q: params.q, page: p });
    }));
}
