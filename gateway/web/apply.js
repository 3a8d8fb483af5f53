// 就业见习人员申请: the form, one upload slot per attachment kind, submission.
import { api, newKey, regions } from "./api.js";
import { returnedBox } from "./cases.js";
import {
  CATEGORIES, EDUCATION, KINDS, REQUIRED_KINDS, checks, clearErrors, datePicker, facts, field, formatSize, formatTime, h, loading,
  options, previewDialog, regionSelects, showError, statusTag, today, uid, validateForm,
} from "./ui.js";

const GRADUATES = ["graduate", "vocational_graduate", "returned_overseas"];
const ACTIVE = ["pending", "returned", "approved"];
const ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
const MAX_BYTES = 10 * 1024 * 1024;

export async function applyView(view) {
  const slot = loading();
  view.append(h("h1", {}, "就业见习人员申请"), slot);
  let data, mine;
  try {
    [data, mine] = await Promise.all([regions(), api("GET", "/api/v1/applications", { query: { page_size: 100 } })]);
  } catch (err) {
    showError(slot, err);
    return;
  }
  // One pending, returned or approved case at a time: say so before the form is filled in.
  const active = mine.items.find((c) => ACTIVE.includes(c.status));
  if (active) {
    const link = "#/cases/" + encodeURIComponent(active.application_id);
    slot.replaceWith(h("div", { class: "info", role: "status" },
      h("p", {}, `您已有${active.status_label || ""}的办件 ${active.case_number}，不能重复申报。`),
      h("p", {}, active.status === "approved" ? "您已是就业见习人员，可以收藏意向岗位。" : "请等待审核结果，或在办件详情中查看、撤回。"),
      h("div", { class: "actions" }, h("a", { class: "button", href: link }, "查看办件"),
        active.status === "approved" ? h("a", { href: "#/favorites" }, "见习岗位录入及维护") : null)));
    return;
  }
  slot.replaceWith(applicationForm(data, {
    send: (body, key) => api("POST", "/api/v1/applications", { json: body, key }),
    done: (result) => view.replaceChildren(h("h1", {}, "就业见习人员申请"), submitted(result)),
  }));
}

// 修改后重新提交: the returned case's form, prefilled (the phone number is shown masked
// in a case, so it is asked again); its attachments stay unless replaced.
export async function resubmitView(view, params, id) {
  const back = "#/cases/" + encodeURIComponent(id);
  const slot = loading();
  view.append(h("p", {}, h("a", { href: back }, "← 返回办件详情")), h("h1", {}, "修改后重新提交"), slot);
  let data, detail;
  try {
    [data, detail] = await Promise.all([regions(), api("GET", `/api/v1/applications/${encodeURIComponent(id)}`)]);
  } catch (err) {
    showError(slot, err);
    return;
  }
  if (detail.status !== "returned") {
    slot.replaceWith(h("div", { class: "info", role: "status" }, `办件 ${detail.case_number} 当前为${detail.status_label}，无需重新提交。`),
      h("a", { href: back }, "查看办件"));
    return;
  }
  slot.replaceWith(returnedBox(detail), applicationForm(data, {
    initial: detail,
    submitLabel: "重新提交",
    send: (body, key) => api("POST", `/api/v1/applications/${encodeURIComponent(id)}/resubmit`, { json: body, key }),
    done: () => {
      location.hash = back + "?done=resubmitted";
    },
  }));
}

function submitted(done) {
  return h("div", { class: "success", role: "status" },
    h("h2", {}, done.message || "申报成功"),
    facts([
      ["办件编号", done.case_number],
      ["审核状态", statusTag(done.status, done.status_label)],
      ["提交时间", formatTime(done.submitted_at)],
    ]),
    h("a", { href: "#/cases/" + encodeURIComponent(done.application_id) }, "查看办件详情"));
}

// The application form. `initial` (a case's detail) prefills it; `send(body, key)` submits;
// `done(result)` shows the outcome.
export function applicationForm(data, { initial = {}, send, done, submitLabel = "提交申请" }) {
  const errors = h("div", { "aria-live": "assertive" });
  const uploaded = {}; // kind → attachment
  for (const a of initial.attachments || []) uploaded[a.kind] = a;
  // One key for this filled-in form: a retry after a lost answer gets the same case back.
  const submitKey = newKey();
  const thisYear = +today().slice(0, 4);

  const input = (name, props) => h("input", { name, value: initial[name] || "", ...props });
  const category = h("select", { name: "category" },
    options([["", "请选择"], ...Object.entries(CATEGORIES)], initial.category || ""));
  const isGraduate = () => GRADUATES.includes(category.value);
  const jur = initial.jurisdiction || {};
  const region = regionSelects(data, jur.city_code || "", jur.county_code || "", "请选择地市", "市本级（全市）");
  const graduation = datePicker("graduation_date", initial.graduation_date, thisYear - 30, thisYear);
  const unemployment = field("失业登记证号", input("unemployment_registration_number"),
    "unemployment_registration_number", { required: true, check: checks.length(1, 50) });
  const slots = Object.keys(KINDS).map((kind) => uploadSlot(kind, uploaded));
  const requiredKinds = () => REQUIRED_KINDS[category.value] || ["id_card"];

  const attachmentsField = h("fieldset", { class: "field", dataset: { field: "attachment_ids" } },
    h("legend", {}, "申请材料（PDF、JPEG、PNG，单个不超过 10 MiB）"),
    h("p", { class: "note" }, "带 * 的材料必须上传。"),
    slots.map((s) => s.element));
  const attachmentsError = h("span", { class: "field-error", role: "alert", hidden: true });
  attachmentsField.append(attachmentsError);
  attachmentsField.label = "申请材料";
  attachmentsField.control = slots[0].input;
  attachmentsField.showMessage = (message) => {
    attachmentsField.classList.toggle("invalid", Boolean(message));
    attachmentsError.hidden = !message;
    attachmentsError.textContent = message || "";
  };
  attachmentsField.validate = () => {
    const missing = requiredKinds().filter((kind) => !uploaded[kind]).map((kind) => KINDS[kind]);
    attachmentsField.showMessage(missing.length ? `请上传${missing.join("、")}` : null);
    return !missing.length;
  };

  const graduationCheck = (value) => {
    if (value > today()) return "毕业时间不能晚于今天";
    if (isGraduate()) {
      const [y, m, d] = value.split("-").map(Number);
      const limit = new Date(Date.UTC(y + 2, m - 1, d)).toISOString().slice(0, 10);
      if (today() > limit) return "离校已超过2年，不符合该人员类别";
    }
    return null;
  };
  const form = h("form", { class: "form", novalidate: true },
    h("fieldset", {}, h("legend", {}, "基本信息"),
      h("p", { class: "note" }, "姓名、身份证号码取自注册信息。带 * 的为必填项。"),
      field("人员类别", category, "category", { required: true }),
      field("性别", h("select", { name: "gender" }, options([["", "请选择"], ["男", "男"], ["女", "女"]], initial.gender || "")),
        "gender", { required: true, note: "须与身份证号码一致" }),
      field("学历", h("select", { name: "education" },
        options([["", "请选择"], ...EDUCATION.map((e) => [e, e])], initial.education || "")), "education", { required: true }),
      field("毕业院校", input("school"), "school", { required: isGraduate, check: checks.length(1, 100) }),
      field("所学专业", input("major"), "major", { required: isGraduate, check: checks.length(1, 100) }),
      field("毕业时间", graduation, "graduation_date", { required: isGraduate, check: graduationCheck }),
      field("户籍地址", input("household_address"), "household_address", { required: true, check: checks.length(2, 200) }),
      field("现居住地址", input("current_address"), "current_address", { required: true, check: checks.length(2, 200) }),
      field("手机号码", input("phone", { type: "tel", maxlength: 11, autocomplete: "tel" }), "phone",
        { required: true, check: checks.mobile }),
      unemployment),
    h("fieldset", {}, h("legend", {}, "业务办理属地"),
      field("地市", region.city, "jurisdiction.city_code", { required: true }),
      field("区县", region.county, "jurisdiction.county_code", { note: "选择“市本级”由市级经办机构办理" })),
    attachmentsField,
    field("本人承诺：目前未就业，所填信息真实有效。", input("declaration_accepted", { type: "checkbox", value: "yes" }),
      "declaration_accepted", { required: true, requiredMessage: "请阅读并勾选承诺" }),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, submitLabel)));

  const onCategory = () => {
    unemployment.hidden = category.value !== "unemployed_youth";
    const required = requiredKinds();
    slots.forEach((s) => s.setRequired(required.includes(s.kind)));
    form.querySelectorAll(".field").forEach((w) => w.refreshRequired && w.refreshRequired());
    // Messages that depended on the former category go with it.
    for (const name of ["school", "major", "graduation_date", "unemployment_registration_number", "attachment_ids"]) {
      const w = form.querySelector(`[data-field="${name}"]`);
      if (w.classList.contains("invalid")) w.validate();
    }
  };
  category.addEventListener("change", onCategory);
  onCategory();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) {
      errors.replaceChildren(h("div", { class: "error", role: "alert" }, "填写内容有误，请按提示修改后再提交"));
      return;
    }
    const value = (name) => form.elements[name].value.trim() || null;
    const body = {
      category: category.value,
      gender: form.gender.value,
      education: form.education.value,
      school: value("school"),
      major: value("major"),
      graduation_date: graduation.value || null,
      household_address: form.household_address.value.trim(),
      current_address: form.current_address.value.trim(),
      phone: form.phone.value.trim(),
      unemployment_registration_number: category.value === "unemployed_youth"
        ? value("unemployment_registration_number") : null,
      jurisdiction: { city_code: region.city.value, county_code: region.county.value || null },
      attachment_ids: Object.values(uploaded).map((a) => a.attachment_id),
      declaration_accepted: form.declaration_accepted.checked,
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      done(await send(body, submitKey));
    } catch (err) {
      showError(errors, err, form);
      button.disabled = false;
    }
  });
  return form;
}

// One attachment kind: choosing a file uploads it at once; the slot turns green when the
// upload succeeded, red with the reason when it did not. An upload can be previewed from
// the chosen file and removed before submitting.
function uploadSlot(kind, uploaded) {
  const star = h("span", { class: "required", "aria-hidden": "true" });
  const state = h("span", { class: "slot-state", role: "status" }, "未上传");
  const inputId = uid("file");
  const input = h("input", { type: "file", accept: ACCEPT, id: inputId, class: "visually-hidden",
    "aria-label": `上传${KINDS[kind]}` });
  const tools = h("span", { class: "slot-tools" });
  const element = h("div", { class: "slot" },
    h("span", { class: "label" }, KINDS[kind], star),
    h("label", { class: "button secondary upload", for: inputId }, "上传", input),
    state, tools);
  let local = null; // the chosen File, for previews
  const show = (attachment) => {
    element.classList.remove("ok", "bad");
    tools.replaceChildren();
    if (!attachment) {
      state.textContent = "未上传";
      return;
    }
    element.classList.add("ok");
    state.textContent = `已上传：${attachment.filename}（${formatSize(attachment.size)}）`;
    if (local) {
      const file = local;
      tools.append(h("button", { type: "button", class: "secondary", onclick: () => previewDialog(file, file.name) },
        "预览", h("span", { class: "visually-hidden" }, KINDS[kind])));
    }
    tools.append(h("button", { type: "button", class: "secondary", onclick: () => {
      delete uploaded[kind];
      local = null;
      input.value = "";
      show(null);
      input.focus();
    } }, "删除", h("span", { class: "visually-hidden" }, KINDS[kind])));
  };
  input.addEventListener("change", async () => {
    const chosen = input.files[0];
    if (!chosen) return;
    delete uploaded[kind];
    show(null);
    if (chosen.size > MAX_BYTES) {
      element.classList.add("bad");
      state.textContent = "上传失败：文件超过 10 MiB";
      input.value = "";
      return;
    }
    const form = new FormData();
    form.append("kind", kind);
    form.append("file", chosen);
    state.textContent = "上传中…";
    input.disabled = true;
    try {
      const attachment = await api("POST", "/api/v1/attachments", { form, key: newKey() });
      uploaded[kind] = attachment;
      local = chosen;
      show(attachment);
      const group = element.closest(".field");
      if (group && group.classList.contains("invalid")) group.validate();
    } catch (err) {
      element.classList.add("bad");
      state.textContent = "上传失败：" + err.message;
    } finally {
      input.disabled = false;
      input.value = "";
    }
  });
  show(uploaded[kind]);
  return {
    kind,
    element,
    input,
    setRequired(required) {
      star.textContent = required ? " *" : "";
    },
  };
}
