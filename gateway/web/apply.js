// 就业见习人员申请: the form, one upload slot per attachment kind, submission.
import { api, newKey } from "./api.js";
import {
  CATEGORIES, EDUCATION, KINDS, clearErrors, facts, field, formatSize, formatTime, h, options, regionSelects,
  showError, statusTag, titledWithRegions,
} from "./ui.js";

// The contract's required attachments per category, to mark the slots with *.
const REQUIRED = {
  graduate: ["id_card", "diploma"],
  vocational_graduate: ["id_card", "diploma"],
  returned_overseas: ["id_card", "diploma"],
  unemployed_youth: ["id_card", "unemployment_registration"],
};
const ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

export async function applyView(view) {
  const loaded = await titledWithRegions(view, "就业见习人员申请");
  if (!loaded) return;
  const { slot, data } = loaded;
  slot.remove();
  view.append(applicationForm(view, data));
}

function applicationForm(view, data) {
  const errors = h("div");
  const uploaded = {}; // kind → attachment
  // One key for this filled-in form: a retry after a lost answer gets the same case back.
  const submitKey = newKey();

  const input = (name, props) => h("input", { name, ...props });
  const category = h("select", { name: "category" },
    options([["", "请选择"], ...Object.entries(CATEGORIES)]));
  const region = regionSelects(data, "", "", "请选择地市", "市本级（全市）");
  const unemployment = field("失业登记证号", input("unemployment_registration_number"),
    "unemployment_registration_number");
  const slots = Object.keys(KINDS).map((kind) => uploadSlot(kind, uploaded));

  const form = h("form", { class: "form", novalidate: true },
    h("fieldset", {}, h("legend", {}, "基本信息"),
      h("p", { class: "note" }, "姓名、身份证号码取自注册信息。"),
      field("人员类别 *", category, "category"),
      field("性别 *", h("select", { name: "gender" }, options([["", "请选择"], ["男", "男"], ["女", "女"]])), "gender"),
      field("学历 *", h("select", { name: "education" }, options([["", "请选择"], ...EDUCATION.map((e) => [e, e])]))
        , "education"),
      field("毕业院校", input("school"), "school"),
      field("所学专业", input("major"), "major"),
      field("毕业时间", input("graduation_date", { type: "date" }), "graduation_date"),
      field("户籍地址 *", input("household_address"), "household_address"),
      field("现居住地址 *", input("current_address"), "current_address"),
      field("手机号码 *", input("phone", { type: "tel", maxlength: 11 }), "phone"),
      unemployment),
    h("fieldset", {}, h("legend", {}, "业务办理属地 *"),
      field("地市", region.city, "jurisdiction.city_code"),
      field("区县", region.county, "jurisdiction.county_code", "选择“市本级”由市级经办机构办理")),
    h("fieldset", { dataset: { field: "attachment_ids" } }, h("legend", {}, "申请材料（PDF、JPEG、PNG，单个不超过 10 MiB）"),
      slots.map((s) => s.element)),
    h("label", { class: "check", dataset: { field: "declaration_accepted" } },
      input("declaration_accepted", { type: "checkbox" }), " 本人承诺：目前未就业，所填信息真实有效。"),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "提交申请")));

  const onCategory = () => {
    unemployment.hidden = category.value !== "unemployed_youth";
    const required = REQUIRED[category.value] || ["id_card"];
    slots.forEach((s) => s.setRequired(required.includes(s.kind)));
  };
  category.addEventListener("change", onCategory);
  onCategory();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    const value = (name) => form.elements[name].value.trim() || null;
    const body = {
      category: form.category.value,
      gender: form.gender.value,
      education: form.education.value,
      school: value("school"),
      major: value("major"),
      graduation_date: value("graduation_date"),
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
      const done = await api("POST", "/api/v1/applications", { json: body, key: submitKey });
      view.replaceChildren(h("h1", {}, "就业见习人员申请"), h("div", { class: "success" },
        h("h2", {}, done.message || "申报成功"),
        facts([
          ["办件编号", done.case_number],
          ["审核状态", statusTag(done.status, done.status_label)],
          ["提交时间", formatTime(done.submitted_at)],
        ]),
        h("a", { href: "#/cases/" + encodeURIComponent(done.application_id) }, "查看办件详情")));
    } catch (err) {
      showError(errors, err, form);
      button.disabled = false;
    }
  });
  return form;
}

// One attachment kind: choosing a file uploads it at once; the slot turns green when
// the upload succeeded, red with the API's message when it did not.
function uploadSlot(kind, uploaded) {
  const star = h("span", { class: "required" });
  const state = h("span", { class: "slot-state" }, "未上传");
  const file = h("input", { type: "file", accept: ACCEPT });
  const element = h("div", { class: "slot" }, h("span", { class: "label" }, KINDS[kind], star), file, state);
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    delete uploaded[kind];
    element.classList.remove("ok", "bad");
    if (!chosen) {
      state.textContent = "未上传";
      return;
    }
    const form = new FormData();
    form.append("kind", kind);
    form.append("file", chosen);
    state.textContent = "上传中…";
    file.disabled = true;
    try {
      const attachment = await api("POST", "/api/v1/attachments", { form, key: newKey() });
      uploaded[kind] = attachment;
      element.classList.add("ok");
      state.textContent = `已上传：${attachment.filename}（${formatSize(attachment.size)}）`;
    } catch (err) {
      element.classList.add("bad");
      state.textContent = "上传失败：" + err.message;
      file.value = "";
    } finally {
      file.disabled = false;
    }
  });
  return {
    kind,
    element,
    setRequired(required) {
      star.textContent = required ? " *" : "";
    },
  };
}
