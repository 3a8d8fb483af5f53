// 登录、注册、个人信息.
import { api, session } from "./api.js";
import { ROLES, clearErrors, facts, field, h, loading, place, showError } from "./ui.js";

function safeNext(next) {
  // Only a hash route of this page, never another address.
  return next && next.startsWith("#/") ? next : "#/me";
}

export function loginView(view, params) {
  const errors = h("div");
  const form = h("form", { class: "form narrow" },
    field("用户名", h("input", { name: "username", autocomplete: "username" }), "username"),
    field("密码", h("input", { name: "password", type: "password", autocomplete: "current-password" }), "password"),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "登录"),
      h("a", { href: "#/register" }, "没有账号？注册")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const login = await api("POST", "/api/v1/auth/login", {
        json: { username: form.username.value.trim(), password: form.password.value } });
      session.save(login);
      location.hash = safeNext(params.next);
    } catch (err) {
      showError(errors, err, form);
    } finally {
      button.disabled = false;
    }
  });
  view.append(h("h1", {}, "登录"), errors, form);
}

export function registerView(view) {
  const errors = h("div");
  const input = (name, props) => h("input", { name, ...props });
  const form = h("form", { class: "form narrow" },
    field("用户名", input("username", { autocomplete: "username" }), "username", "4-32位字母、数字或下划线"),
    field("密码", input("password", { type: "password", autocomplete: "new-password" }), "password",
      "8-128位，至少包含一个字母和一个数字"),
    field("姓名", input("real_name", { autocomplete: "name" }), "real_name"),
    field("身份证号码", input("id_number", { maxlength: 18 }), "id_number"),
    field("手机号码", input("phone", { type: "tel", maxlength: 11 }), "phone"),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "注册")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    const body = Object.fromEntries(["username", "password", "real_name", "id_number", "phone"]
      .map((name) => [name, name === "password" ? form[name].value : form[name].value.trim()]));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", "/api/v1/auth/register", { json: body });
      const login = await api("POST", "/api/v1/auth/login", {
        json: { username: body.username, password: body.password } });
      session.save(login);
      location.hash = "#/me";
    } catch (err) {
      showError(errors, err, form);
    } finally {
      button.disabled = false;
    }
  });
  view.append(h("h1", {}, "注册"), errors, form);
}

export async function meView(view) {
  const slot = loading();
  view.append(h("h1", {}, "个人信息"), slot);
  try {
    const me = await api("GET", "/api/v1/me");
    const intern = me.intern || {};
    slot.replaceWith(facts([
      ["用户名", me.username],
      ["姓名", me.real_name],
      me.id_number_masked && ["身份证号码", me.id_number_masked],
      me.phone_masked && ["手机号码", me.phone_masked],
      ["角色", me.roles.map((r) => ROLES[r] || r).join("、")],
      me.roles.includes("applicant") && ["见习人员资格", intern.eligible
        ? `是（业务办理属地：${place(intern.jurisdiction)}）`
        : "否（就业见习人员申请审核通过后获得）"],
    ]));
  } catch (err) {
    showError(slot, err);
  }
}
