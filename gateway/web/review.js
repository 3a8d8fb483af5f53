// 申请审核 (reviewers): the queue inside the reviewer's jurisdiction, a case, 通过 / 不通过.
import { api, pick, queryString } from "./api.js";
import { caseDetail, printButton } from "./cases.js";
import {
  CATEGORIES, STATUS, checks, clearErrors, confirmDialog, field, formatTime, h, loading, monthPicker, notice, options,
  pageCount, pager, place, regionSelects, showError, statusTag, table, titledWithRegions, today, validateForm,
} from "./ui.js";

const QUERY = ["q", "status", "city", "county", "month", "page"];
const OUTCOMES = { approved: "已审核通过", rejected: "已审核不通过", returned: "已退回补正" };

export async function reviewView(view, params) {
  const loaded = await titledWithRegions(view, "申请审核");
  if (!loaded) return;
  const { slot, data } = loaded;
  const query = pick(params, QUERY);
  const region = regionSelects(data, params.city, params.county, "全部地市", "全部区县");
  const thisYear = +today().slice(0, 4);
  const month = monthPicker(params.month, thisYear - 5, thisYear);
  const filters = h("form", { class: "filters", role: "search" },
    field("办件编号或姓名", h("input", { name: "q", value: params.q || "", maxlength: 50 }), "q"),
    field("审核状态", h("select", { name: "status" },
      options(Object.entries(STATUS), params.status || "pending")), "status"),
    field("地市", region.city, "city"),
    field("区县", region.county, "county"),
    field("申办月份", month, "month"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = "#/review" + queryString({
      q: filters.q.value.trim(), status: filters.status.value, city: region.city.value, county: region.county.value, month: month.value });
  });
  slot.before(filters);
  try {
    const page = await api("GET", "/api/v1/review/applications", {
      query: { ...query, page: query.page || 1, page_size: 20 } });
    if (page.total && (+query.page || 1) > pageCount(page.total, page.page_size)) {
      location.replace("#/review" + queryString({ ...query, page: pageCount(page.total, page.page_size) }));
      return;
    }
    const back = queryString(query);
    slot.replaceWith(
      table(["办件编号", "申请人", "人员类别", "业务办理属地", "审核状态", "申办时间", "操作"], page.items.map((c) => [
        c.case_number, c.applicant_name, c.category_label || CATEGORIES[c.category], place(c.jurisdiction),
        statusTag(c.status, c.status_label), formatTime(c.submitted_at),
        h("a", { href: `#/review/${encodeURIComponent(c.application_id)}${back}` },
          c.status === "pending" ? "审核" : "查看", h("span", { class: "visually-hidden" }, c.case_number)),
      ]), "没有符合条件的申请", "申请列表"),
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
  const printErrors = h("div", { "aria-live": "assertive" });
  slot.replaceWith(OUTCOMES[params.done] ? notice(OUTCOMES[params.done]) : "", caseDetail(detail), printErrors,
    h("div", { class: "actions" }, printButton(detail, printErrors)));
  if (detail.status !== "pending") return;

  // Each decision is final: it is confirmed in a dialog before it is sent.
  const decide = (form, errors, question, send, outcome) => async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) return;
    if (!await confirmDialog(question[0], `${question[1]}（办件编号 ${detail.case_number}，申请人 ${detail.real_name}）`,
      question[2], { danger: question[3] })) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await send();
      view.replaceChildren();
      await reviewCaseView(view, { ...params, done: outcome }, id);
    } catch (err) {
      showError(errors, err, form);
      button.disabled = false;
    }
  };
  const path = encodeURIComponent(id);
  const approveErrors = h("div", { "aria-live": "assertive" });
  const approve = h("form", { class: "form decision", novalidate: true }, h("h2", {}, "审核通过"),
    field("审核意见（选填）", h("textarea", { name: "comment", rows: 3, maxlength: 500 }), "comment",
      { check: checks.length(1, 500) }),
    approveErrors, h("div", { class: "actions" }, h("button", { type: "submit" }, "通过")));
  approve.addEventListener("submit", decide(approve, approveErrors,
    ["确认审核通过", "审核通过后不可更改，申请人将成为就业见习人员。", "确认通过", false], () => {
      const comment = approve.comment.value.trim();
      return api("POST", `/api/v1/review/applications/${path}/approve`, { json: { comment: comment || null } });
    }, "approved"));
  const rejectErrors = h("div", { "aria-live": "assertive" });
  const reject = h("form", { class: "form decision", novalidate: true }, h("h2", {}, "审核不通过"),
    field("不通过原因", h("textarea", { name: "reason", rows: 3, maxlength: 500 }), "reason",
      { required: true, check: checks.length(2, 500), note: "2-500字，申请人可见" }),
    rejectErrors, h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "不通过")));
  reject.addEventListener("submit", decide(reject, rejectErrors,
    ["确认审核不通过", "审核不通过后不可更改。", "确认不通过", true],
    () => api("POST", `/api/v1/review/applications/${path}/reject`, { json: { reason: reject.reason.value.trim() } }),
    "rejected"));
  const returnErrors = h("div", { "aria-live": "assertive" });
  const itemsOf = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);
  const giveBack = h("form", { class: "form decision", novalidate: true }, h("h2", {}, "退回补正"),
    field("退回原因", h("textarea", { name: "reason", rows: 3, maxlength: 500 }), "reason",
      { required: true, check: checks.length(2, 500), note: "2-500字，申请人可见" }),
    field("需补正的事项（选填，每行一项）", h("textarea", { name: "items", rows: 3 }), "items", {
      check: (text) => {
        const items = itemsOf(text);
        if (items.length > 20) return "最多20项";
        return items.some((item) => item.length > 100) ? "每项最多100个字符" : null;
      },
    }),
    returnErrors, h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, "退回补正")));
  giveBack.addEventListener("submit", decide(giveBack, returnErrors,
    ["确认退回补正", "申请人修改后可重新提交。", "确认退回", false],
    () => api("POST", `/api/v1/review/applications/${path}/return`, { json: {
      reason: giveBack.reason.value.trim(), items: itemsOf(giveBack.items.value) } }),
    "returned"));
  view.append(h("div", { class: "decisions" }, approve, giveBack, reject));
}
