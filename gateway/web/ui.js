// DOM helpers, labels and the small widgets every view shares. Text always goes in
// through text nodes, never as HTML, so nothing the API returns can inject markup.

import { regions } from "./api.js";

export const STATUS = { pending: "未审核", approved: "审核通过", rejected: "审核不通过", withdrawn: "已撤回" };
export const CATEGORIES = {
  graduate: "离校2年内未就业高校毕业生",
  vocational_graduate: "离校2年内未就业中职毕业生",
  unemployed_youth: "16-24岁失业青年",
  returned_overseas: "留学回国毕业生",
};
export const KINDS = {
  id_card: "身份证",
  diploma: "毕业证书",
  degree_verification: "学历学位认证",
  unemployment_registration: "失业登记证明",
  other: "其他材料",
};
export const EDUCATION = ["初中及以下", "高中/中专", "大专", "本科", "硕士", "博士"];
export const ROLES = { applicant: "申请人", reviewer: "审核人员", admin: "管理员" };
export const HISTORY = {
  application_submitted: "提交申请",
  application_withdrawn: "撤回申请",
  application_approved: "审核通过",
  application_rejected: "审核不通过",
};

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function options(pairs, selected) {
  return pairs.map(([value, label]) => h("option", { value, selected: value === (selected ?? "") }, label));
}

const TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});

export function formatTime(iso) {
  return iso ? TIME.format(new Date(iso)) : "";
}

export function formatSize(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
  return (bytes / 1024 / 1024).toFixed(1) + " MB";
}

export function place(region) {
  if (!region) return "";
  return region.city_name + (region.county_name ? " " + region.county_name : " 市本级");
}

// A labelled form control; `name` ties it to the API's field name for error details.
export function field(label, control, name, note) {
  return h("label", { class: "field", dataset: { field: name } },
    h("span", { class: "label" }, label), control, note ? h("small", { class: "note" }, note) : null);
}

// An API error: its message, and a 400's field details that no form field shows itself
// (other statuses' details are for programs; their message says it all).
function errorBox(err, details) {
  const rest = err.status === 400
    ? Object.entries(details ?? err.details ?? {}).filter(([, v]) => Array.isArray(v)) : [];
  return h("div", { class: "error", role: "alert" }, err.message,
    rest.length ? h("ul", {}, rest.map(([name, msgs]) => h("li", {}, `${name}：${msgs.join("；")}`))) : null);
}

// Puts a 400's field messages next to the fields (matched by data-field, or by the
// longest dotted prefix such as "attachment_ids" for "attachment_ids.0"); returns the rest.
function showFieldErrors(form, err) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  const rest = {};
  for (const [name, messages] of Object.entries(err.details || {})) {
    let target = null;
    for (let key = name; key && !target; key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "") {
      target = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    }
    if (target && Array.isArray(messages)) {
      target.classList.add("invalid");
      target.append(h("span", { class: "field-error" }, messages.join("；")));
    } else {
      rest[name] = messages;
    }
  }
  return rest;
}

// Shows an API error in `slot` (and next to the form's fields for a 400).
export function showError(slot, err, form) {
  if (!(err && "status" in err)) throw err;
  const rest = form ? showFieldErrors(form, err) : err.details;
  slot.classList.remove("loading");
  slot.replaceChildren(errorBox(err, rest));
}

export function clearErrors(slot, form) {
  slot.replaceChildren();
  if (form) showFieldErrors(form, { details: {} });
}

export function pager(page, total, pageSize, go) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => go(page - 1) }, "上一页"),
    h("span", {}, `第 ${page} / ${pages} 页，共 ${total} 条`),
    h("button", { type: "button", disabled: page >= pages, onclick: () => go(page + 1) }, "下一页"));
}

export function table(headers, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty || "暂无记录");
  return h("table", {},
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c))))));
}

export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "")]));
}

export function statusTag(status, label) {
  return h("span", { class: "status status-" + status }, label || STATUS[status] || status);
}

export function loading() {
  return h("div", { class: "loading" }, "加载中…");
}

// A view's title and a loading slot while the province's regions load: `{ slot, data }`,
// or null when they could not be loaded (the error is shown in the slot).
export async function titledWithRegions(view, title) {
  const slot = loading();
  view.append(h("h1", {}, title), slot);
  try {
    return { slot, data: await regions() };
  } catch (err) {
    showError(slot, err);
    return null;
  }
}

// City and county selects kept consistent: the county list follows the chosen city.
// `countyBlank` labels the empty county choice ("全部区县" in filters, "市本级" in the form).
export function regionSelects(data, city, county, cityBlank, countyBlank) {
  const citySel = h("select", { name: "city" },
    options([["", cityBlank], ...data.cities.map((c) => [c.code, c.name])], city));
  const countySel = h("select", { name: "county" });
  const fill = (selected) => {
    const chosen = data.cities.find((c) => c.code === citySel.value);
    countySel.replaceChildren(...options(
      [["", countyBlank], ...(chosen ? chosen.counties.map((k) => [k.code, k.name]) : [])], selected));
    countySel.disabled = !chosen;
  };
  fill(county);
  citySel.addEventListener("change", () => fill(""));
  return { city: citySel, county: countySel };
}
