// 登录、注册、个人中心.
import { api, session } from "./api.js";
import { ROLES, checks, clearErrors, facts, field, h, loading, place, showError, validateForm } from "./ui.js";

function safeNext(next) {
  // Only a hash route of this page, never another address.
  return next && next.startsWith("#/") ? next : "#/me";
}

export function loginView(view, params) {
  const errors = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "form narrow", novalidate: true },
    field("用户名", h("input", { name: "username", autocomplete: "username" }), "username", { required: true }),
    field("密码", h("input", { name: "password", type: "password", autocomplete: "current-password" }), "password",
      { required: true }),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "登录"),
      h("a", { href: "#/register" }, "没有账号？注册")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) return;
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
  view.append(h("h1", {}, "登录"), form);
}

export function registerView(view) {
  const errors = h("div", { "aria-live": "assertive" });
  const input = (name, props) => h("input", { name, ...props });
  const form = h("form", { class: "form narrow", novalidate: true },
    field("用户名", input("username", { autocomplete: "username" }), "username",
      { required: true, check: checks.username, note: "4-32位字母、数字或下划线" }),
    field("密码", input("password", { type: "password", autocomplete: "new-password" }), "password",
      { required: true, check: checks.password, note: "8-128位，至少包含一个字母和一个数字" }),
    field("姓名", input("real_name", { autocomplete: "name" }), "real_name", { required: true, check: checks.realName }),
    field("身份证号码", input("id_number", { maxlength: 18, autocomplete: "off" }), "id_number",
      { required: true, check: checks.idNumber }),
    field("手机号码", input("phone", { type: "tel", maxlength: 11, autocomplete: "tel" }), "phone",
      { required: true, check: checks.mobile }),
    errors,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "注册"), h("a", { href: "#/login" }, "已有账号？登录")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(errors, form);
    if (!validateForm(form)) return;
    const body = Object.fromEntries(["username", "password", "real_name", "id_number", "phone"]
      .map((name) => [name, name === "password" ? form[name].value : form[name].value.trim()]));
    body.id_number = body.id_number.toUpperCase();
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
  view.append(h("h1", {}, "注册"), form);
}

// 个人中心: who I am, and the entries of my role (未审核 办件 with their count for a person).
export async function meView(view) {
  const slot = loading();
  view.append(h("h1", {}, "个人中心"), slot);
  try {
    const me = await api("GET", "/api/v1/me");
    const intern = me.intern || {};
    const applicant = me.roles.includes("applicant");
    const entries = [];
    if (applicant) {
      const pending = await api("GET", "/api/v1/applications", { query: { status: "pending", page_size: 1 } });
      entries.push(
        h("li", {}, h("a", { href: "#/cases?status=pending" }, "未审核"), h("span", { class: "count" }, `${pending.total} 件`)),
        h("li", {}, h("a", { href: "#/cases" }, "我的办件"), h("small", {}, "全部办件、撤回申请")),
        h("li", {}, h("a", { href: "#/apply" }, "就业见习人员申请"), h("small", {}, "填写申请、上传材料")),
        h("li", {}, h("a", { href: "#/favorites" }, "见习岗位录入及维护"), h("small", {}, "收藏意向岗位")));
    }
    if (me.roles.includes("reviewer")) {
      entries.push(h("li", {}, h("a", { href: "#/review" }, "申请审核"), h("small", {}, "未审核的申请")),
        h("li", {}, h("a", { href: "#/manage" }, "见习岗位管理"), h("small", {}, "发布、修改、关闭岗位")));
    }
    if (me.roles.includes("admin")) {
      entries.push(h("li", {}, h("a", { href: "#/admin" }, "工作人员账号"), h("small", {}, "新建、停用、启用")),
        h("li", {}, h("a", { href: "#/admin/audit" }, "操作日志"), h("small", {}, "工作人员的操作记录")));
    }
    slot.replaceWith(
      facts([
        ["用户名", me.username],
        ["姓名", me.real_name],
        me.id_number_masked && ["身份证号码", me.id_number_masked],
        me.phone_masked && ["手机号码", me.phone_masked],
        ["角色", me.roles.map((r) => ROLES[r] || r).join("、")],
        applicant && ["见习人员资格", intern.eligible
          ? `是（业务办理属地：${place(intern.jurisdiction)}）`
          : "否（就业见习人员申请审核通过后获得）"],
      ]),
      h("div", { class: "actions" }, h("a", { class: "button secondary", href: "#/password" }, "修改密码")),
      h("h2", {}, "我的事项"),
      h("ul", { class: "tiles" }, entries));
  } catch (err) {
    showError(slot, err);
  }
}
