// 见习岗位查询 (no login): the query lives in the hash, so 返回 and the browser's back
// button come back to the same results. A post opened from 见习岗位录入及维护 offers
// 收藏 / 取消收藏 and 返回 leads back to that list.
import { api, pick, queryString, session } from "./api.js";
import {
  EDUCATION, INDUSTRIES, facts, field, formatTime, h, loading, notice, options, pageCount, pager, regionSelects,
  showError, statusTag, table, titledWithRegions,
} from "./ui.js";
import { FAVORITES_QUERY, toggleFavorite } from "./favorites.js";

const SORTS = [["newest", "最新发布"], ["deadline", "截止日期"], ["subsidy", "月补贴"]];
const QUERY = ["city", "county", "q", "education", "industry", "sort", "page"];

// Filters shared by the public search and the bookmark view: keyword, 学历, 行业.
export function postingFilters(params) {
  return [
    field("关键词", h("input", { name: "q", value: params.q || "", placeholder: "岗位、单位或描述", maxlength: 50 }), "q"),
    field("学历要求", h("select", { name: "education" },
      options([["", "全部"], ...[...EDUCATION, "不限"].map((e) => [e, e])], params.education)), "education"),
    field("行业", h("select", { name: "industry" },
      options([["", "全部行业"], ...INDUSTRIES.map((i) => [i, i])], params.industry)), "industry"),
  ];
}

export async function postingsView(view, params) {
  const loaded = await titledWithRegions(view, "见习岗位查询");
  if (!loaded) return;
  const { slot, data } = loaded;
  const region = regionSelects(data, params.city, params.county, "全省", "全部区县");
  const filters = h("form", { class: "filters", role: "search" },
    field("地市", region.city, "city"),
    field("区县", region.county, "county"),
    ...postingFilters(params),
    field("排序", h("select", { name: "sort" }, options(SORTS, params.sort || "newest")), "sort"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/postings" + queryString({
      city: region.city.value, county: region.county.value, q: filters.q.value.trim(),
      education: filters.education.value, industry: filters.industry.value, sort: filters.sort.value,
    });
  });
  slot.before(filters);
  const query = pick(params, QUERY);
  try {
    const page = await api("GET", "/api/v1/postings", { query: { ...query, page: query.page || 1, page_size: 20 } });
    if (page.total && (+query.page || 1) > pageCount(page.total, page.page_size)) {
      location.replace("#/postings" + queryString({ ...query, page: pageCount(page.total, page.page_size) }));
      return;
    }
    const back = queryString(query);
    slot.replaceWith(
      table(["岗位名称", "用人单位", "地区", "行业", "学历要求", "人数", "月补贴（元）", "截止日期"], page.items.map((p) => [
        h("a", { href: `#/postings/${encodeURIComponent(p.posting_id)}${back}` }, p.title),
        p.employer_name, `${p.city_name} ${p.county_name}`, p.industry, p.education_requirement,
        p.headcount, p.monthly_subsidy, p.deadline,
      ]), "没有符合条件的见习岗位", "见习岗位查询结果"),
      pager(page.page, page.total, page.page_size, (p) => {
        location.hash = "#/postings" + queryString({ ...query, page: p });
      }));
  } catch (err) {
    showError(slot, err, filters);
  }
}

export async function postingView(view, params, id) {
  const fromFavorites = params.from === "favorites";
  const back = fromFavorites
    ? "#/favorites" + queryString(pick(params, FAVORITES_QUERY))
    : "#/postings" + queryString(pick(params, QUERY));
  const backLabel = fromFavorites ? "返回见习岗位录入及维护" : "返回查询结果";
  const slot = loading();
  view.append(h("p", {}, h("a", { href: back }, "← " + backLabel)), slot);
  try {
    const p = await api("GET", `/api/v1/postings/${encodeURIComponent(id)}`);
    const actions = h("div", { class: "actions" });
    const errors = h("div", { "aria-live": "assertive" });
    slot.replaceWith(h("h1", {}, p.title), facts([
      ["状态", statusTag(p.status, p.status_label)],
      ["用人单位", p.employer_name],
      ["统一社会信用代码", p.employer_credit_code],
      ["地区", `${p.city_name} ${p.county_name}`],
      ["行业", p.industry],
      ["招募人数", p.headcount],
      ["学历要求", p.education_requirement],
      ["专业要求", p.major_requirement],
      ["见习期限", `${p.duration_months} 个月`],
      ["月补贴", `${p.monthly_subsidy} 元`],
      ["工作地址", p.address],
      ["联系人", p.contact_name],
      ["联系电话", p.contact_phone],
      ["报名截止", p.deadline],
      ["发布时间", formatTime(p.published_at)],
    ]), h("h2", {}, "岗位描述"), h("p", { class: "description" }, p.description), errors, actions);
    const backButton = h("a", { class: "button secondary", href: back }, "返回");
    if (fromFavorites && session.has("applicant")) {
      // Whether it is bookmarked: a person who is not an intern has no bookmarks.
      let favorited = false;
      try {
        const mine = await api("GET", "/api/v1/favorites");
        favorited = mine.items.some((item) => item.posting_id === p.posting_id);
      } catch (err) {
        if (err.code !== "NOT_AN_INTERN") throw err;
      }
      const button = h("button", { type: "button" }, favorited ? "取消收藏" : "收藏");
      button.addEventListener("click", async () => {
        errors.replaceChildren();
        if (await toggleFavorite(p, !favorited, button, errors)) {
          favorited = !favorited;
          button.textContent = favorited ? "取消收藏" : "收藏";
          errors.replaceChildren(notice(favorited ? "已收藏" : "已取消收藏"));
        }
      });
      actions.append(button);
    }
    actions.append(backButton);
  } catch (err) {
    showError(slot, err);
  }
}
