// 工作人员账号 and 操作日志 (admins): staff accounts with their roles and jurisdiction,
// create, 停用 / 启用; the audit trail with its filters.
import { api, pick, queryString, regions, session } from "./api.js";
import {
  ROLES, checks, clearErrors, confirmDialog, field, formatTime, h, loading, monthPicker, notice, options, pageCount,
  pager, place, regionSelects, showError, table, today, validateForm,
} from "./ui.js";

const DONE = { created: "账号已创建", disabled: "账号已停用", enabled: "账号已启用" };
const AUDIT_ACTIONS = {
  application_viewed: "查看办件",
  attachment_downloaded: "下载附件",
  application_approved: "审核通过",
  application_rejected: "审核不通过",
  application_returned: "退回补正",
  form_printed: "打印申请表",
  user_created: "新建账号",
  user_disabled: "停用账号",
  user_enabled: "启用账号",
  password_changed: "修改密码",
};

function jurisdictionText(data, j) {
  if (!j || !j.city_code) return "全省";
  const city = data.cities.find((c) => c.code === j.city_code);
  const county = city && j.county_code ? city.counties.find((k) => k.code === j.county_code) : null;
  return place({ city_name: city ? city.name : j.city_code, county_name: county ? county.name : null });
}

export async function staffView(view, params) {
  const slot = loading();
  view.append(h("h1", {}, "工作人员账号"), slot);
  const go = (changes, replace) => {
    const to = "#/admin" + queryString({ ...pick(params, ["role", "page"]), ...changes });
    if (replace) location.replace(to);
    else location.hash = to;
  };
  let data, page;
  try {
    [data, page] = await Promise.all([regions(), api("GET", "/api/v1/admin/users", {
      query: { role: params.role, page: params.page || 1, page_size: 20 } })]);
  } catch (err) {
    showError(slot, err);
    return;
  }
  if (page.total && (+params.page || 1) > pageCount(page.total, page.page_size)) {
    go({ page: pageCount(page.total, page.page_size) }, true);
    return;
  }
  const errors = h("div", { "aria-live": "assertive" });
  const rerender = (done) => {
    view.replaceChildren();
    staffView(view, { ...params, done });
  };
  const me = session.user || {};
  const filters = h("form", { class: "filters", role: "search" },
    field("角色", h("select", { name: "role" },
      options([["", "全部"], ["reviewer", ROLES.reviewer], ["admin", ROLES.admin]], params.role)), "role"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ role: filters.role.value, page: "" });
  });
  const toggle = (user) => {
    const disable = !user.disabled;
    const b = h("button", { type: "button", class: disable ? "danger small" : "small" }, disable ? "停用" : "启用",
      h("span", { class: "visually-hidden" }, user.username));
    b.addEventListener("click", async () => {
      const what = disable ? "停用" : "启用";
      if (!await confirmDialog(`${what}账号`, disable
        ? `确定停用账号 ${user.username}（${user.real_name}）吗？停用后该账号无法登录，已登录的会话立即失效。`
        : `确定启用账号 ${user.username}（${user.real_name}）吗？`, `确定${what}`, { danger: disable })) return;
      b.disabled = true;
      try {
        const id = encodeURIComponent(user.user_id);
        if (disable) await api("POST", `/api/v1/admin/users/${id}/disable`);
        else await api("POST", `/api/v1/admin/users/${id}/enable`);
        rerender(disable ? "disabled" : "enabled");
      } catch (err) {
        showError(errors, err);
        b.disabled = false;
      }
    });
    return b;
  };
  slot.replaceWith(
    DONE[params.done] ? notice(DONE[params.done]) : "",
    h("p", {}, h("a", { href: "#/admin/audit" }, "查看操作日志")),
    filters, errors,
    table(["用户名", "姓名", "角色", "管辖范围", "状态", "操作"], page.items.map((u) => [
      u.username, u.real_name, u.roles.map((r) => ROLES[r] || r).join("、"), jurisdictionText(data, u.jurisdiction),
      h("span", { class: "status " + (u.disabled ? "status-withdrawn" : "status-approved") }, u.disabled ? "已停用" : "正常"),
      u.user_id === me.user_id ? h("small", {}, "当前账号") : toggle(u),
    ]), "暂无工作人员账号", "工作人员账号"),
    pager(page.page, page.total, page.page_size, (p) => go({ page: p })),
    h("h2", {}, "新建工作人员账号"),
    staffForm(data, () => rerender("created")));
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

// 操作日志: newest first, filtered by action, case and month.
export async function auditView(view, params) {
  const query = pick(params, ["action", "application_id", "month", "actor", "page"]);
  const go = (changes, replace) => {
    const to = "#/admin/audit" + queryString({ ...query, ...changes });
    if (replace) location.replace(to);
    else location.hash = to;
  };
  const year = +today().slice(0, 4);
  const month = monthPicker(params.month, year - 5, year);
  const filters = h("form", { class: "filters", role: "search" },
    field("操作", h("select", { name: "action" },
      options([["", "全部"], ...Object.entries(AUDIT_ACTIONS)], params.action)), "action"),
    field("月份", month, "month"),
    h("button", { type: "submit" }, "查询"));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ action: filters.action.value, month: month.value, page: "" });
  });
  const slot = loading();
  view.append(h("p", {}, h("a", { href: "#/admin" }, "← 返回工作人员账号")), h("h1", {}, "操作日志"), filters, slot);
  try {
    const page = await api("GET", "/api/v1/admin/audit", { query: { ...query, page: query.page || 1, page_size: 50 } });
    if (page.total && (+query.page || 1) > pageCount(page.total, page.page_size)) {
      go({ page: pageCount(page.total, page.page_size) }, true);
      return;
    }
    slot.replaceWith(
      table(["时间", "操作人", "角色", "操作", "办件编号", "请求编号"], page.items.map((a) => [
        formatTime(a.at), a.actor_username || "", (a.actor_roles || []).map((r) => ROLES[r] || r).join("、"),
        AUDIT_ACTIONS[a.action] || a.action, a.case_number || "", h("small", { class: "mono" }, a.request_id || ""),
      ]), "没有符合条件的操作记录", "操作日志"),
      pager(page.page, page.total, page.page_size, (p) => go({ page: p })));
  } catch (err) {
    showError(slot, err, filters);
  }
}
