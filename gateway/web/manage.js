// 见习岗位管理 (reviewers): every post with its status, 发布 a new one, 修改, 关闭.
import { api, pick, queryString, regions } from "./api.js";
import {
  EDUCATION, INDUSTRIES, checks, clearErrors, confirmDialog, datePicker, field, h, loading, notice, options,
  pageCount, pager, regionSelects, showError, statusTag, table, titledWithRegions, today, validateForm,
} from "./ui.js";

const QUERY = ["city", "county", "q", "status", "page"];
const DONE = { created: "岗位已发布", updated: "岗位已修改", closed: "岗位已关闭" };

export async function managePostingsView(view, params) {
  const loaded = await titledWithRegions(view, "见习岗位管理");
  if (!loaded) return;
  const { slot, data } = loaded;
  const query = pick(params, QUERY);
  const region = regionSelects(data, params.city, params.county, "全省", "全部区县");
  const filters = h("form", { class: "filters", role: "search" },
    field("地市", region.city, "city"),
    field("区县", region.county, "county"),
    field("关键词", h("input", { name: "q", value: params.q || "", placeholder: "岗位、单位或描述", maxlength: 50 }), "q"),
    field("状态", h("select", { name: "status" },
      options([["all", "全部"], ["open", "招募中"], ["closed", "已结束"]], params.status || "all")), "status"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/manage" + queryString({
      city: region.city.value, county: region.county.value, q: filters.q.value.trim(), status: filters.status.value });
  });
  const errors = h("div", { "aria-live": "assertive" });
  slot.before(DONE[params.done] ? notice(DONE[params.done]) : "",
    h("div", { class: "actions" }, h("a", { class: "button", href: "#/manage/new" }, "发布新岗位")), filters, errors);
  try {
    const page = await api("GET", "/api/v1/postings", {
      query: { ...query, status: query.status || "all", page: query.page || 1, page_size: 20 } });
    if (page.total && (+query.page || 1) > pageCount(page.total, page.page_size)) {
      location.replace("#/manage" + queryString({ ...query, page: pageCount(page.total, page.page_size) }));
      return;
    }
    const back = queryString(query);
    slot.replaceWith(
      table(["岗位名称", "用人单位", "地区", "截止日期", "状态", "操作"], page.items.map((p) => [
        h("a", { href: `#/postings/${encodeURIComponent(p.posting_id)}` }, p.title),
        p.employer_name, `${p.city_name} ${p.county_name}`, p.deadline, statusTag(p.status, p.status_label),
        h("span", { class: "row-actions" },
          h("a", { href: `#/manage/${encodeURIComponent(p.posting_id)}${back}` }, "修改",
            h("span", { class: "visually-hidden" }, p.title)),
          p.status === "open" ? h("button", { type: "button", class: "danger small", onclick: async (event) => {
            if (!await confirmDialog("关闭岗位", `确定关闭岗位「${p.title}」吗？关闭后不再接受收藏。`, "确定关闭",
              { danger: true })) return;
            event.target.disabled = true;
            try {
              await api("POST", `/api/v1/postings/${encodeURIComponent(p.posting_id)}/close`);
              view.replaceChildren();
              managePostingsView(view, { ...params, done: "closed" });
            } catch (err) {
              showError(errors, err);
              event.target.disabled = false;
            }
          } }, "关闭", h("span", { class: "visually-hidden" }, p.title)) : null),
      ]), "没有符合条件的岗位", "见习岗位"),
      pager(page.page, page.total, page.page_size, (p) => {
        location.hash = "#/manage" + queryString({ ...query, page: p });
      }));
  } catch (err) {
    showError(slot, err, filters);
  }
}

// 发布 (no id) or 修改 a post; every field checked as the server does when it is left.
export async function postingFormView(view, params, id) {
  const editing = Boolean(id);
  const back = "#/manage" + queryString(pick(params, QUERY));
  const slot = loading();
  view.append(h("p", {}, h("a", { href: back }, "← 返回见习岗位管理")), h("h1", {}, editing ? "修改见习岗位" : "发布见习岗位"), slot);
  let data;
  let p = {};
  try {
    [data, p] = await Promise.all([regions(), editing ? api("GET", `/api/v1/postings/${encodeURIComponent(id)}`) : {}]);
  } catch (err) {
    showError(slot, err);
    return;
  }
  const errors = h("div", { "aria-live": "assertive" });
  const input = (name, props) => h("input", { name, value: p[name] ?? "", ...props });
  const region = regionSelects(data, p.city_code || "", p.county_code || "", "请选择地市", "请选择区县",
    ["city_code", "county_code"]);
  const year = +today().slice(0, 4);
  const deadline = datePicker("deadline", p.deadline, Math.min(year, +(p.deadline || String(year)).slice(0, 4)), year + 3);
  const industries = INDUSTRIES.includes(p.industry) || !p.industry ? INDUSTRIES : [p.industry, ...INDUSTRIES];
  const form = h("form", { class: "form", novalidate: true },
    h("p", { class: "note" }, "带 * 的为必填项。"),
    field("岗位名称", input("title"), "title", { required: true, check: checks.length(2, 100) }),
    field("用人单位", input("employer_name"), "employer_name", { required: true, check: checks.length(2, 100) }),
    field("统一社会信用代码", input("employer_credit_code", { maxlength: 18 }), "employer_credit_code",
      { required: true, check: checks.creditCode, note: "18位，数字或大写字母" }),
    field("地市", region.city, "city_code", { required: true }),
    field("区县", region.county, "county_code", { required: true }),
    field("行业", h("select", { name: "industry" }, options([["", "请选择"], ...industries.map((i) => [i, i])], p.industry || "")),
      "industry", { required: true }),
    field("招募人数", input("headcount", { inputmode: "numeric" }), "headcount",
      { required: true, check: checks.range(1, 999, "招募人数应为1到999") }),
    field("学历要求", h("select", { name: "education_requirement" },
      options([["", "请选择"], ...[...EDUCATION, "不限"].map((e) => [e, e])], p.education_requirement || "")),
    "education_requirement", { required: true }),
    field("专业要求", input("major_requirement", { placeholder: "不限" }), "major_requirement",
      { check: checks.length(1, 100) }),
    field("见习期限（月）", input("duration_months", { inputmode: "numeric" }), "duration_months",
      { required: true, check: checks.range(3, 12, "见习期限应为3到12个月") }),
    field("月补贴（元）", input("monthly_subsidy", { inputmode: "numeric" }), "monthly_subsidy",
      { required: true, check: checks.range(0, 100000, "月补贴应为0到100000元") }),
    field("工作地址", input("address"), "address", { required: true, check: checks.length(2, 200) }),
    field("联系人", input("contact_name"), "contact_name", { required: true, check: checks.length(2, 30) }),
    field("联系电话", input("contact_phone", { type: "tel" }), "contact_phone", { required: true, check: checks.contactPhone }),
    field("报名截止日期", deadline, "deadline", { required: true,
      check: (v) => (v < today() ? "报名截止日期不能早于今天" : null) }),
    field("岗位描述", h("textarea", { name: "description", rows: 6 }, p.description || ""), "description",
      { required: true, check: checks.length(10, 5000), note: "10-5000字：工作内容、见习安排、待遇等" }),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, editing ? "保存修改" : "发布岗位"),
      h("a", { href: back }, "取消")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) {
      errors.replaceChildren(h("div", { class: "error", role: "alert" }, "填写内容有误，请按提示修改后再提交"));
      return;
    }
    const text = (name) => form.elements[name].value.trim();
    const body = {
      title: text("title"), employer_name: text("employer_name"), employer_credit_code: text("employer_credit_code"),
      city_code: region.city.value, county_code: region.county.value, industry: form.industry.value,
      headcount: +text("headcount"), education_requirement: form.education_requirement.value,
      major_requirement: text("major_requirement") || "不限", duration_months: +text("duration_months"),
      monthly_subsidy: +text("monthly_subsidy"), address: text("address"), contact_name: text("contact_name"),
      contact_phone: text("contact_phone"), description: text("description"), deadline: deadline.value,
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      if (editing) await api("PATCH", `/api/v1/postings/${encodeURIComponent(id)}`, { json: body });
      else await api("POST", "/api/v1/postings", { json: body });
      location.hash = back + (back.includes("?") ? "&" : "?") + "done=" + (editing ? "updated" : "created");
    } catch (err) {
      showError(errors, err, form);
      button.disabled = false;
    }
  });
  slot.replaceWith(form);
}
