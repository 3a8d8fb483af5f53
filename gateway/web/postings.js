// 见习岗位查询 (no login): the query lives in the hash, so 返回 and the browser's back
// button come back to the same results.
import { api, pick, queryString } from "./api.js";
import {
  EDUCATION, facts, field, formatTime, h, loading, options, pager, regionSelects, showError, statusTag, table,
  titledWithRegions,
} from "./ui.js";

const SORTS = [["newest", "最新发布"], ["deadline", "截止日期"], ["subsidy", "月补贴"]];
const QUERY = ["city", "county", "q", "education", "industry", "sort", "page"];

export async function postingsView(view, params) {
  const loaded = await titledWithRegions(view, "见习岗位查询");
  if (!loaded) return;
  const { slot, data } = loaded;
  const region = regionSelects(data, params.city, params.county, "全省", "全部区县");
  const filters = h("form", { class: "filters" },
    field("地市", region.city, "city"),
    field("区县", region.county, "county"),
    field("关键词", h("input", { name: "q", value: params.q || "", placeholder: "岗位、单位或描述" }), "q"),
    field("学历要求", h("select", { name: "education" },
      options([["", "全部"], ...[...EDUCATION, "不限"].map((e) => [e, e])], params.education)), "education"),
    field("行业", h("input", { name: "industry", value: params.industry || "", placeholder: "如：制造业" }), "industry"),
    field("排序", h("select", { name: "sort" }, options(SORTS, params.sort || "newest")), "sort"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/postings" + queryString({
      city: region.city.value, county: region.county.value, q: filters.q.value.trim(),
      education: filters.education.value, industry: filters.industry.value.trim(), sort: filters.sort.value,
    });
  });
  slot.before(filters);
  const query = pick(params, QUERY);
  try {
    const page = await api("GET", "/api/v1/postings", { query: { ...query, page: query.page || 1, page_size: 20 } });
    const back = queryString(query);
    slot.replaceWith(
      table(["岗位名称", "用人单位", "地区", "行业", "学历要求", "人数", "月补贴（元）", "截止日期"], page.items.map((p) => [
        h("a", { href: `#/postings/${encodeURIComponent(p.posting_id)}${back}` }, p.title),
        p.employer_name, `${p.city_name} ${p.county_name}`, p.industry, p.education_requirement,
        p.headcount, p.monthly_subsidy, p.deadline,
      ]), "没有符合条件的见习岗位"),
      pager(page.page, page.total, page.page_size, (p) => {
        location.hash = "#/postings" + queryString({ ...query, page: p });
      }));
  } catch (err) {
    showError(slot, err, filters);
  }
}

export async function postingView(view, params, id) {
  const back = "#/postings" + queryString(pick(params, QUERY));
  const slot = loading();
  view.append(h("p", {}, h("a", { href: back }, "← 返回查询结果")), slot);
  try {
    const p = await api("GET", `/api/v1/postings/${encodeURIComponent(id)}`);
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
    ]), h("h2", {}, "岗位描述"), h("p", { class: "description" }, p.description),
    h("div", { class: "actions" }, h("a", { class: "button", href: back }, "返回")));
  } catch (err) {
    showError(slot, err);
  }
}
