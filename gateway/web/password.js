// 修改密码: every session of the account ends with the change, this one included.
import { api, session } from "./api.js";
import { checks, clearErrors, field, h, notice, showError, validateForm } from "./ui.js";

export function passwordView(view) {
  const errors = h("div", { "aria-live": "assertive" });
  const input = (name, autocomplete) => h("input", { name, type: "password", autocomplete });
  const form = h("form", { class: "form narrow", novalidate: true },
    field("当前密码", input("current_password", "current-password"), "current_password", { required: true }),
    field("新密码", input("new_password", "new-password"), "new_password",
      { required: true, check: checks.password, note: "8-128位，至少包含一个字母和一个数字" }),
    field("再次输入新密码", input("confirm", "new-password"), "confirm", { required: true,
      check: (v) => (v === form.new_password.value ? null : "两次输入的新密码不一致") }),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "修改密码"), h("a", { href: "#/me" }, "取消")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", "/api/v1/me/password", { json: {
        current_password: form.current_password.value, new_password: form.new_password.value } });
      // The change ended every session, this one too: sign in again with the new password.
      session.clear();
      view.replaceChildren(h("h1", {}, "修改密码"), notice("密码已修改，请用新密码重新登录。"),
        h("a", { class: "button", href: "#/login" }, "重新登录"));
    } catch (err) {
      showError(errors, err, form);
      button.disabled = false;
    }
  });
  view.append(h("h1", {}, "修改密码"), form);
}
