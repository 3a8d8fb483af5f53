// 我的办件: the applicant's cases with filters and paging, a case's detail, 撤回.
import { api, queryString } from "./api.js";
import {
  CATEGORIES, HISTORY, KINDS, STATUS, confirmDialog, facts, field, formatSize, formatTime, h, loading, monthPicker,
  notice, options, pageCount, pager, place, previewDialog, showError, statusTag, table, today,
} from "./ui.js";

const WITHDRAWABLE = ["pending", "returned"];
const DONE = { withdrawn: "撤回成功，该办件已撤回。", resubmitted: "已重新提交，等待审核。" };
const AGAIN = ["rejected", "withdrawn"];

// Asks, then withdraws; resolves true when withdrawn (errors land in `errors`).
async function withdraw(c, errors) {
  const yes = await confirmDialog("撤回申请", `确定撤回办件 ${c.case_number} 吗？撤回后不可恢复，如需申请须重新填写。`,
    "确定撤回", { danger: true });
  if (!yes) return false;
  try {
    await api("POST", `/api/v1/applications/${encodeURIComponent(c.application_id)}/withdraw`);
    return true;
  } catch (err) {
    showError(errors, err);
    return false;
  }
}

export async function casesView(view, params) {
  const go = (changes, replace) => {
    const to = "#/cases" + queryString({ ...params, ...changes });
    if (replace) location.replace(to);
    else location.hash = to;
  };
  const thisYear = +today().slice(0, 4);
  const month = monthPicker(params.month, thisYear - 5, thisYear);
  const filters = h("form", { class: "filters", role: "search" },
    field("审核状态", h("select", { name: "status" },
      options([["", "全部"], ...Object.entries(STATUS)], params.status)), "status"),
    field("申办月份", month, "month"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ status: filters.status.value, month: month.value, page: "", done: "" });
  });
  const errors = h("div", { "aria-live": "assertive" });
  const slot = loading();
  view.append(h("h1", {}, "我的办件"),
    params.done === "withdrawn" ? notice("撤回成功，该办件已撤回。") : "",
    filters, errors, slot);
  try {
    const page = await api("GET", "/api/v1/applications", { query: {
      status: params.status, month: params.month, page: params.page || 1, page_size: 20 } });
    if (page.total && (+params.page || 1) > pageCount(page.total, page.page_size)) {
      go({ page: pageCount(page.total, page.page_size) }, true);
      return;
    }
    slot.replaceWith(
      table(["办件编号", "人员类别", "业务办理属地", "审核状态", "申办时间", "操作"], page.items.map((c) => [
        c.case_number, c.category_label || CATEGORIES[c.category], place(c.jurisdiction),
        statusTag(c.status, c.status_label), formatTime(c.submitted_at),
        h("span", { class: "row-actions" },
          h("a", { href: "#/cases/" + encodeURIComponent(c.application_id) }, "查看",
            h("span", { class: "visually-hidden" }, c.case_number)),
          WITHDRAWABLE.includes(c.status)
            ? h("button", { type: "button", class: "danger small", onclick: async () => {
              if (await withdraw(c, errors)) {
                view.replaceChildren();
                casesView(view, { ...params, done: "withdrawn" });
              }
            } }, "撤回", h("span", { class: "visually-hidden" }, c.case_number))
            : null),
      ]), "没有符合条件的办件", "我的办件"),
      pager(page.page, page.total, page.page_size, (p) => go({ page: p, done: "" })));
  } catch (err) {
    showError(slot, err, filters);
  }
}

export async function caseView(view, params, id) {
  const slot = loading();
  view.append(h("p", {}, h("a", { href: "#/cases" }, "← 返回我的办件")), h("h1", {}, "办件详情"), slot);
  try {
    const detail = await api("GET", `/api/v1/applications/${encodeURIComponent(id)}`);
    const errors = h("div", { "aria-live": "assertive" });
    const actions = [];
    if (WITHDRAWABLE.includes(detail.status)) {
      actions.push(h("button", { type: "button", class: "danger", onclick: async () => {
        if (await withdraw(detail, errors)) {
          view.replaceChildren();
          await caseView(view, { ...params, done: "withdrawn" }, id);
        }
      } }, "撤回申请"));
    }
    if (detail.status === "returned") {
      actions.unshift(h("a", { class: "button", href: `#/cases/${encodeURIComponent(id)}/resubmit` }, "修改后重新提交"));
    }
    if (AGAIN.includes(detail.status)) actions.push(h("a", { class: "button", href: "#/apply" }, "重新申请"));
    actions.push(printButton(detail, errors));
    slot.replaceWith(
      DONE[params.done] ? notice(DONE[params.done]) : "",
      caseDetail(detail), errors, h("div", { class: "actions" }, actions));
  } catch (err) {
    showError(slot, err);
  }
}

// 打印申请表: the printable form (PDF) of a case, shown in the page to print or save.
export function printButton(c, errors) {
  const button = h("button", { type: "button", class: "secondary" }, "打印申请表");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const pdf = await api("GET", `/api/v1/applications/${encodeURIComponent(c.application_id)}/form.pdf`, { blob: true });
      previewDialog(pdf, `就业见习人员申请表-${c.case_number}.pdf`);
    } catch (err) {
      showError(errors, err);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// What a reviewer asked to correct on a returned case.
export function returnedBox(c) {
  return h("div", { class: "info", role: "status" },
    h("h2", {}, "退回补正"),
    h("p", { class: "description" }, "退回原因：" + (c.return_reason || "")),
    (c.return_items || []).length
      ? [h("p", {}, "需补正的事项："), h("ol", {}, c.return_items.map((item) => h("li", {}, item)))] : null);
}

// 预览 and 下载 of a case's attachment: the bytes come through the gateway with the
// caller's token (GET /api/v1/attachments/{id}/content), so a plain link cannot fetch them.
export function attachmentButtons(a) {
  const problem = h("span", { class: "field-error", role: "alert" });
  const fetchFile = async (button, use) => {
    button.disabled = true;
    problem.textContent = "";
    try {
      use(await api("GET", `/api/v1/attachments/${encodeURIComponent(a.attachment_id)}/content`, { blob: true }));
    } catch (err) {
      problem.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  };
  const preview = h("button", { type: "button", class: "small secondary" }, "预览", h("span", { class: "visually-hidden" }, a.filename));
  preview.addEventListener("click", () => fetchFile(preview, (blob) => previewDialog(blob, a.filename)));
  const download = h("button", { type: "button", class: "small secondary" }, "下载", h("span", { class: "visually-hidden" }, a.filename));
  download.addEventListener("click", () => fetchFile(download, (blob) => {
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: a.filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }));
  return h("span", { class: "row-actions" }, preview, download, problem);
}

// A case's particulars, attachments and history (also what a reviewer sees).
export function caseDetail(c) {
  const decided = ["approved", "rejected"].includes(c.status);
  return h("div", { class: "case" },
    c.status === "returned" ? returnedBox(c) : null,
    facts([
      ["办件编号", c.case_number],
      ["审核状态", statusTag(c.status, c.status_label)],
      ["姓名", c.real_name],
      ["身份证号码", c.id_number_masked],
      ["手机号码", c.phone_masked],
      ["人员类别", c.category_label || CATEGORIES[c.category]],
      ["性别", c.gender],
      ["学历", c.education],
      ["毕业院校", c.school],
      ["所学专业", c.major],
      ["毕业时间", c.graduation_date],
      ["户籍地址", c.household_address],
      ["现居住地址", c.current_address],
      c.category === "unemployed_youth" && ["失业登记证号", c.unemployment_registration_number],
      ["业务办理属地", place(c.jurisdiction)],
      ["申办时间", formatTime(c.submitted_at)],
      decided && c.decided_at && ["审核时间", formatTime(c.decided_at)],
      c.status === "withdrawn" && c.decided_at && ["撤回时间", formatTime(c.decided_at)],
      c.comment && ["审核意见", c.comment],
      c.reason && ["不通过原因", c.reason],
    ]),
    h("h2", {}, "申请材料"),
    table(["材料类型", "文件", "大小", "操作"], (c.attachments || []).map((a) => [
      KINDS[a.kind] || a.kind, a.filename, formatSize(a.size), attachmentButtons(a),
    ]), "无附件", "申请材料"),
    h("h2", {}, "办理过程"),
    table(["时间", "事项", "办理人", "意见"], (c.history || []).map((step) => [
      formatTime(step.at), HISTORY[step.type] || step.type,
      step.by === c.applicant_id ? "申请人" : "审核人员",
      step.reason || step.comment || "",
    ]), "暂无记录", "办理过程"));
}
