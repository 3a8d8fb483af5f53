// DOM helpers, labels and the small widgets every view shares. Text always goes in
// through text nodes, never as HTML, so nothing the API returns can inject markup.

import { regions } from "./api.js";

// Codes and their labels as the API defines them (GET /api/v1/vocabulary), filled in by
// useVocabulary() before the first page renders.
export const STATUS = {};
export const CATEGORIES = {};
export const KINDS = {};
export const EDUCATION = [];
export const REQUIRED_KINDS = {};
export const ROLES = {};
export const HISTORY = {};
export const POSTING_STATUS = {};

export function useVocabulary(v) {
  Object.assign(STATUS, v.application_statuses);
  Object.assign(CATEGORIES, v.categories);
  Object.assign(KINDS, v.attachment_kinds);
  EDUCATION.splice(0, EDUCATION.length, ...v.education_levels);
  Object.assign(REQUIRED_KINDS, v.required_attachment_kinds);
  Object.assign(ROLES, v.roles);
  Object.assign(HISTORY, v.event_types);
  Object.assign(POSTING_STATUS, v.posting_statuses);
}
// The sections (门类) of GB/T 4754, the national classification posts name their 行业 by.
export const INDUSTRIES = [
  "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业", "批发和零售业",
  "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业", "金融业", "房地产业",
  "租赁和商务服务业", "科学研究和技术服务业", "水利、环境和公共设施管理业", "居民服务、修理和其他服务业",
  "教育", "卫生和社会工作", "文化、体育和娱乐业", "公共管理、社会保障和社会组织",
];
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

let lastId = 0;
export function uid(prefix) {
  lastId += 1;
  return `${prefix || "f"}-${lastId}`;
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

// Today in Asia/Shanghai as YYYY-MM-DD, the day the server judges dates by.
export function today() {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
}

// ---- fields and their checks ------------------------------------------------------------------

// A labelled control. `name` ties it to the API's field name (a 400's details land here);
// `opts.check(value)` returns a message or null and runs when the field is left, when a
// choice changes and before submitting; `opts.required` adds the * and the empty check.
export function field(label, control, name, opts = {}) {
  const { note, check } = opts;
  // `required` may be a function: whether the field is needed can follow another choice.
  const isRequired = () => (typeof opts.required === "function" ? opts.required() : Boolean(opts.required));
  const id = control.id || uid("f");
  const target = control.focusTarget || control;
  target.id = id;
  const error = h("span", { class: "field-error", id: id + "-error", role: "alert", hidden: true });
  const noteEl = note ? h("small", { class: "note", id: id + "-note" }, note) : null;
  target.setAttribute("aria-describedby", [noteEl && noteEl.id, error.id].filter(Boolean).join(" "));
  const star = h("span", { class: "required", "aria-hidden": "true" }, " *");
  const labelEl = h("label", { class: "label", for: id, id: id + "-label" }, label, star);
  // A picker's selects are named 年 / 月 / 日; their group carries the field's label.
  if (control.element) control.element.setAttribute("aria-labelledby", labelEl.id);
  const checkbox = control.type === "checkbox";
  const wrapper = checkbox
    ? h("div", { class: "field check", dataset: { field: name } }, control, labelEl, noteEl, error)
    : h("div", { class: "field", dataset: { field: name } }, labelEl, control.element || control, noteEl, error);
  wrapper.label = label;
  wrapper.control = control;
  wrapper.refreshRequired = () => {
    star.hidden = !isRequired();
    target.setAttribute("aria-required", String(isRequired()));
  };
  wrapper.refreshRequired();
  wrapper.showMessage = (message) => {
    wrapper.classList.toggle("invalid", Boolean(message));
    target.setAttribute("aria-invalid", message ? "true" : "false");
    error.hidden = !message;
    error.textContent = message || "";
  };
  wrapper.validate = () => {
    if (wrapper.closest("[hidden]")) {
      wrapper.showMessage(null);
      return true;
    }
    wrapper.refreshRequired();
    const raw = checkbox ? (control.checked ? "on" : "") : control.value;
    const value = typeof raw === "string" ? raw.trim() : raw;
    let message = null;
    if (isRequired() && (value === "" || value === null || value === undefined)) {
      message = opts.requiredMessage
        || (control.tagName === "SELECT" || control.element ? `请选择${bare(label)}` : `请填写${bare(label)}`);
    } else if (check && value !== "" && value !== null) {
      message = check(value);
    }
    wrapper.showMessage(message);
    return !message;
  };
  if (control.element) {
    // A picker is judged when focus leaves all of its selects, not after its first one.
    control.element.addEventListener("focusout", (event) => {
      if (!control.element.contains(event.relatedTarget)) wrapper.validate();
    });
  } else {
    control.addEventListener(control.tagName === "SELECT" || checkbox ? "change" : "blur", wrapper.validate);
  }
  // A corrected value clears its message as soon as it is typed or chosen.
  (control.element || control).addEventListener(control.element ? "change" : "input", () => {
    if (wrapper.classList.contains("invalid")) wrapper.validate();
  });
  return wrapper;
}

function bare(label) {
  return label.replace(/（.*?）/g, "").trim();
}

// Every field's check; focuses the first failing one. True when all pass.
export function validateForm(form) {
  let first = null;
  for (const wrapper of form.querySelectorAll(".field")) {
    if (wrapper.validate && !wrapper.validate() && !first) first = wrapper;
  }
  if (first) (first.control.focusTarget || first.control).focus();
  return !first;
}

// The server's rules mirrored for the browser (the server remains the judge).
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export const checks = {
  username: (v) => (/^[A-Za-z0-9_]{4,32}$/.test(v) ? null : "用户名为4到32位字母、数字或下划线"),
  password: (v) => {
    if (v.length < 8 || v.length > 128) return "密码长度应为8到128个字符";
    return /\p{L}/u.test(v) && /[0-9]/.test(v) ? null : "密码须同时包含字母和数字";
  },
  realName: (v) => (v.length >= 2 && v.length <= 30 && /^[\p{L}]+(?:[·• ][\p{L}]+)*$/u.test(v)
    ? null : "姓名为2到30个字符，只能包含文字和间隔号“·”"),
  mobile: (v) => (/^1[3-9][0-9]{9}$/.test(v) ? null : "手机号码应为11位大陆手机号"),
  contactPhone: (v) => (/^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$/.test(v)
    ? null : "联系电话应为11位手机号或带区号的固定电话"),
  idNumber: (raw) => {
    const v = raw.toUpperCase();
    if (!/^[1-9][0-9]{16}[0-9X]$/.test(v)) return "身份证号码应为18位，前17位为数字，最后一位为数字或X";
    const y = +v.slice(6, 10), m = +v.slice(10, 12), d = +v.slice(12, 14);
    const born = new Date(Date.UTC(y, m - 1, d));
    if (born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) {
      return "身份证号码中的出生日期无效";
    }
    if (v.slice(6, 14) > today().replaceAll("-", "") || y < 1900) return "身份证号码中的出生日期不合理";
    const sum = ID_WEIGHTS.reduce((s, w, i) => s + w * +v[i], 0);
    return "10X98765432"[sum % 11] === v[17] ? null : "身份证号码校验位不正确";
  },
  creditCode: (v) => {
    if (!/^[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}$/.test(v)) {
      return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）";
    }
    const sum = CREDIT_WEIGHTS.reduce((s, w, i) => s + w * CREDIT_ALPHABET.indexOf(v[i]), 0);
    return CREDIT_ALPHABET[(31 - (sum % 31)) % 31] === v[17] ? null : "统一社会信用代码校验位不正确";
  },
  length: (min, max) => (v) => (v.length >= min && v.length <= max ? null : `长度应为${min}到${max}个字符`),
  range: (min, max, message) => (v) => (/^[0-9]+$/.test(v) && +v >= min && +v <= max ? null : message),
};

// ---- errors -------------------------------------------------------------------------------------

// Puts a 400's field messages next to the fields (matched by data-field, or by the
// longest dotted prefix such as "attachment_ids" for "attachment_ids.0"); returns the
// rest as [label or null, messages] so no raw field name reaches the page.
function showFieldErrors(form, details) {
  const rest = [];
  let first = null;
  for (const [name, messages] of Object.entries(details || {})) {
    const list = Array.isArray(messages) ? messages.map(String) : [];
    if (!list.length) continue;
    let target = null;
    for (let key = name; key && !target; key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "") {
      target = form && form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    }
    if (target && target.showMessage) {
      target.showMessage(list.join("；"));
      first = first || target;
    } else {
      rest.push([target && target.label ? bare(target.label) : null, list, target]);
    }
  }
  if (first) (first.control.focusTarget || first.control).focus();
  return rest;
}

// Shows an API error in `slot` (and next to the form's fields for a 400). A 400 whose
// every detail sits next to its field says so instead of repeating them.
export function showError(slot, err, form) {
  if (!(err && "status" in err)) throw err;
  const rest = err.status === 400 ? showFieldErrors(form, err.details) : [];
  slot.classList.remove("loading");
  const message = err.status === 400 && !rest.length && form ? "填写内容有误，请按提示修改后再提交" : err.message;
  slot.replaceChildren(h("div", { class: "error", role: "alert" }, message,
    rest.length ? h("ul", {}, rest.map(([label, msgs, target]) => {
      if (target) target.classList.add("invalid");
      return h("li", {}, label ? `${label}：${msgs.join("；")}` : msgs.join("；"));
    })) : null));
}

export function clearErrors(slot, form) {
  slot.replaceChildren();
  if (form) {
    for (const wrapper of form.querySelectorAll(".field")) if (wrapper.showMessage) wrapper.showMessage(null);
    form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  }
}

// A polite announcement for screen readers and a visible confirmation.
export function notice(text, kind = "success") {
  return h("div", { class: kind, role: "status", tabindex: "-1" }, text);
}

// ---- lists --------------------------------------------------------------------------------------

// Page numbers clamped to the list: `fix` is called with the last page when the asked one
// lies beyond it (a stale link, a hand-typed URL), and the pager never shows "第 9 / 2 页".
export function pageCount(total, pageSize) {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function pager(page, total, pageSize, go) {
  const pages = pageCount(total, pageSize);
  const shown = Math.min(Math.max(1, page), pages);
  return h("nav", { class: "pager", "aria-label": "分页" },
    h("button", { type: "button", disabled: shown <= 1, onclick: () => go(shown - 1) }, "上一页"),
    h("span", { role: "status" }, `第 ${shown} / ${pages} 页，共 ${total} 条`),
    h("button", { type: "button", disabled: shown >= pages, onclick: () => go(shown + 1) }, "下一页"));
}

// A table that becomes one card per row on a phone: each cell carries its column's name.
export function table(headers, rows, empty, caption) {
  if (!rows.length) return h("p", { class: "empty", role: "status" }, empty || "暂无记录");
  return h("table", { class: "cards" },
    caption ? h("caption", { class: "visually-hidden" }, caption) : null,
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t || h("span", { class: "visually-hidden" }, "操作"))))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => h("td", { dataset: { label: headers[i] || "" } }, c))))));
}

export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => h("div", {}, h("dt", {}, k), h("dd", {}, v ?? ""))));
}

export function statusTag(status, label) {
  return h("span", { class: "status status-" + status }, label || STATUS[status] || status);
}

export function loading() {
  return h("div", { class: "loading", role: "status" }, "加载中…");
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
export function regionSelects(data, city, county, cityBlank, countyBlank, names = ["city", "county"]) {
  const citySel = h("select", { name: names[0] },
    options([["", cityBlank], ...data.cities.map((c) => [c.code, c.name])], city));
  const countySel = h("select", { name: names[1] });
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

// ---- pickers in Chinese ----------------------------------------------------------------------

// A date as 年 / 月 / 日 selects (the browser's own date input speaks the browser's
// language, not the page's). `.value` is YYYY-MM-DD or "" until all three are chosen.
export function datePicker(name, value, firstYear, lastYear) {
  const [y, m, d] = (value || "").split("-");
  const years = [];
  for (let year = lastYear; year >= firstYear; year -= 1) years.push([String(year), `${year}年`]);
  const year = h("select", { "aria-label": "年" }, options([["", "年"], ...years], y || ""));
  const month = h("select", { "aria-label": "月" },
    options([["", "月"], ...range(1, 12).map((n) => [pad(n), `${n}月`])], m || ""));
  const day = h("select", { "aria-label": "日" });
  const fillDays = () => {
    const keep = day.value || d || "";
    const last = year.value && month.value ? new Date(+year.value, +month.value, 0).getDate() : 31;
    day.replaceChildren(...options([["", "日"], ...range(1, last).map((n) => [pad(n), `${n}日`])],
      +keep <= last ? keep : ""));
  };
  fillDays();
  year.addEventListener("change", fillDays);
  month.addEventListener("change", fillDays);
  const element = h("span", { class: "picker", role: "group", dataset: { name } }, year, month, day);
  return {
    element,
    focusTarget: year,
    get value() {
      return year.value && month.value && day.value ? `${year.value}-${month.value}-${day.value}` : "";
    },
  };
}

// A month (YYYY-MM) as 年 / 月 selects, for the 申办月份 filters; "" means any month.
export function monthPicker(value, firstYear, lastYear) {
  const [y, m] = (value || "").split("-");
  const years = [];
  for (let year = lastYear; year >= firstYear; year -= 1) years.push([String(year), `${year}年`]);
  const year = h("select", { "aria-label": "年份" }, options([["", "全部年份"], ...years], y || ""));
  const month = h("select", { "aria-label": "月份" },
    options([["", "全部月份"], ...range(1, 12).map((n) => [pad(n), `${n}月`])], m || ""));
  const element = h("span", { class: "picker", role: "group" }, year, month);
  return {
    element,
    focusTarget: year,
    get value() {
      return year.value && month.value ? `${year.value}-${month.value}` : "";
    },
  };
}

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function pad(n) {
  return String(n).padStart(2, "0");
}

// ---- dialogs ------------------------------------------------------------------------------------

// A modal question with Chinese buttons; resolves true for OK. `body` may add controls
// (a reason to give); `check()` may refuse to close with a message.
export function confirmDialog(title, message, okLabel, opts = {}) {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const problem = h("p", { class: "field-error", role: "alert" });
    const ok = h("button", { type: "submit", class: opts.danger ? "danger" : null }, okLabel);
    const cancel = h("button", { type: "button", class: "secondary" }, "取消");
    const form = h("form", { method: "dialog" },
      h("h2", { id: titleId }, title), message ? h("p", {}, message) : null, opts.body || null, problem,
      h("div", { class: "actions" }, ok, cancel));
    const dialog = h("dialog", { "aria-labelledby": titleId }, form);
    let answer = false;
    form.addEventListener("submit", (event) => {
      const refusal = opts.check ? opts.check() : null;
      if (refusal) {
        event.preventDefault();
        problem.textContent = refusal;
        return;
      }
      answer = true;
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Shows a file (a Blob) in the page: an image inline, a PDF in a frame, with 下载 and 关闭.
export function previewDialog(blob, filename) {
  const url = URL.createObjectURL(blob);
  const titleId = uid("dlg");
  const content = blob.type === "application/pdf"
    ? h("iframe", { src: url, title: filename, class: "preview" })
    : h("img", { src: url, alt: filename, class: "preview" });
  const close = h("button", { type: "button" }, "关闭");
  const dialog = h("dialog", { "aria-labelledby": titleId, class: "wide" },
    h("h2", { id: titleId }, filename), content,
    h("div", { class: "actions" }, h("a", { href: url, download: filename, class: "button secondary" }, "下载"), close));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    URL.revokeObjectURL(url);
  });
  document.body.append(dialog);
  dialog.showModal();
}
