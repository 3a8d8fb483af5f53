// 工作人员账号 (admins): create staff accounts (reviewers, admins) with their jurisdiction.
import { api, regions } from "./api.js";
import {
  ROLES, checks, clearErrors, field, h, loading, notice, regionSelects, showError, validateForm,
} from "./ui.js";

export async function staffView(view) {
  const slot = loading();
  view.append(h("h1", {}, "工作人员账号"), slot);
  let data;
  try {
    data = await regions();
  } catch (err) {
    showError(slot, err);
    return;
  }
  const done = h("div", { "aria-live": "polite" });
  slot.replaceWith(done, h("h2", {}, "新建工作人员账号"), staffForm(data, (user) => {
    done.replaceChildren(notice(`账号 ${user.username}（${user.real_name}）已创建`));
    done.firstChild.focus();
  }));
}

function staffForm(data, created) {
  const errors = h("div", { "aria-live": "assertive" });
  const input = (name, props) => h("input", { name, ...props });
  const region = regionSelects(data, "", "", "全省", "全市（市本级）");
  const roleBoxes = ["reviewer", "admin"].map((role) => {
    const box = h("input", { type: "checkbox", name: "roles", value: role, checked: role === "reviewer" });
    return h("label", { class: "check" }, box, " " + ROLES[role]);
  });
  const roles = h("fieldset", { class: "field", dataset: { field: "roles" } }, h("legend", {}, "角色", h("span", { class: "required", "aria-hidden": "true" }, " *")), roleBoxes);
  const rolesError = h("span", { class: "field-error", role: "alert", hidden: true });
  roles.append(rolesError);
  const chosenRoles = () => [...roles.querySelectorAll("input:checked")].map((b) => b.value);
  roles.label = "角色";
  roles.control = roles.querySelector("input");
  roles.showMessage = (message) => {
    roles.classList.toggle("invalid", Boolean(message));
    rolesError.hidden = !message;
    rolesError.textContent = message || "";
  };
  roles.validate = () => {
    const message = chosenRoles().length ? null : "请至少选择一个角色";
    roles.showMessage(message);
    return !message;
  };
  roles.addEventListener("change", roles.validate);
  const form = h("form", { class: "form narrow", novalidate: true },
    field("用户名", input("username", { autocomplete: "off" }), "username",
      { required: true, check: checks.username, note: "4-32位字母、数字或下划线" }),
    field("初始密码", input("password", { type: "password", autocomplete: "new-password" }), "password",
      { required: true, check: checks.password, note: "8-128位，至少包含一个字母和一个数字" }),
    field("姓名", input("real_name"), "real_name", { required: true, check: checks.realName }),
    roles,
    h("fieldset", { dataset: { field: "jurisdiction" } }, h("legend", {}, "管辖范围（审核人员只能审核范围内的申请）"),
      field("地市", region.city, "jurisdiction.city_code"),
      field("区县", region.county, "jurisdiction.county_code")),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "创建账号")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const user = await api("POST", "/api/v1/admin/users", { json: {
        username: form.username.value.trim(), password: form.password.value, real_name: form.real_name.value.trim(),
        roles: chosenRoles(),
        jurisdiction: region.city.value ? { city_code: region.city.value, county_code: region.county.value || null } : null,
      } });
      form.reset();
      region.county.disabled = true;
      created(user);
    } catch (err) {
      showError(errors, err, form);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
