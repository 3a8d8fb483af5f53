// 申请审核 (reviewers): the queue inside the reviewer's jurisdiction, a case, 通过 / 不通过.
import { api, pick, queryString } from "./api.js";
import { caseDetail } from "./cases.js";
import {
  CATEGORIES, STATUS, clearErrors, field, formatTime, h, loading, options, pager, place, regionSelects,
  showError, statusTag, table, titledWithRegions,
} from "./ui.js";

const QUERY = ["status", "city", "county", "month", "page"];

export async function reviewView(view, params) {
  const loaded = await titledWithRegions(view, "申请审核");
  if (!loaded) return;
  const { slot, data } = loaded;
  const query = pick(params, QUERY);
  const region = regionSelects(data, params.city, params.county, "全部地市", "全部区县");
  const filters = h("form", { class: "filters" },
    field("审核状态", h("select", { name: "status" },
      options(Object.entries(STATUS), params.status || "pending")), "status"),
    field("地市", region.city, "city"),
    field("区县", region.county, "county"),
    field("申办月份", h("input", { name: "month", type: "month", value: params.month || "" }), "month"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/review" + queryString({
      status: filters.status.value, city: region.city.value, county: region.county.value,
      month: filters.month.value });
  });
  slot.before(filters);
  try {
    const page = await api("GET", "/api/v1/review/applications", {
      query: { ...query, page: query.page || 1, page_size: 20 } });
    const back = queryString(query);
    slot.replaceWith(
      table(["办件编号", "申请人", "人员类别", "业务办理属地", "审核状态", "申办时间", ""], page.items.map((c) => [
        c.case_number, c.applicant_name, c.category_label || CATEGORIES[c.category], place(c.jurisdiction),
        statusTag(c.status, c.status_label), formatTime(c.submitted_at),
        h("a", { href: `#/review/${encodeURIComponent(c.application_id)}${back}` }, "审核"),
      ]), "没有符合条件的申请"),
      pager(page.page, page.total, page.page_size, (p) => {
        location.hash = "#/review" + queryString({ ...query, page: p });
      }));
  } catch (err) {
    showError(slot, err, filters);
  }
}

export async function reviewCaseView(view, params, id) {
  const back = "#/review" + queryString(pick(params, QUERY));
  const slot = loading();
  view.append(h("p", {}, h("a", { href: back }, "← 返回审核列表")), h("h1", {}, "审核办件"), slot);
  let detail;
  try {
    detail = await api("GET", `/api/v1/applications/${encodeURIComponent(id)}`);
  } catch (err) {
    showError(slot, err);
    return;
  }
  slot.replaceWith(caseDetail(detail));
  if (detail.status !== "pending") return;

  const decide = (form, errors, send) => async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await send();
      view.replaceChildren();
      reviewCaseView(view, params, id);
    } catch (err) {
      showError(errors, err, form);
      button.disabled = false;
    }
  };
  const path = encodeURIComponent(id);
  const approveErrors = h("div");
  const approve = h("form", { class: "form decision" }, h("h2", {}, "审核通过"),
    field("审核意见（选填）", h("textarea", { name: "comment", rows: 3, maxlength: 500 }), "comment"),
    approveErrors, h("div", { class: "actions" }, h("button", { type: "submit" }, "通过")));
  approve.addEventListener("submit", decide(approve, approveErrors, () => {
    const comment = approve.comment.value.trim();
    return api("POST", `/api/v1/review/applications/${path}/approve`, { json: { comment: comment || null } });
  }));
  const rejectErrors = h("div");
  const reject = h("form", { class: "form decision" }, h("h2", {}, "审核不通过"),
    field("不通过原因（必填，2-500字）", h("textarea", { name: "reason", rows: 3, maxlength: 500 }), "reason"),
    rejectErrors, h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "不通过")));
  reject.addEventListener("submit", decide(reject, rejectErrors, () =>
    api("POST", `/api/v1/review/applications/${path}/reject`, { json: { reason: reject.reason.value.trim() } })));
  view.append(h("div", { class: "decisions" }, approve, reject));
}
