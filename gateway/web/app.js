// The single-page UI: hash routes (#/path?query) so back/forward and reloads keep the view.
import { api, session } from "./api.js";
import { ROLES, h, useVocabulary } from "./ui.js";
import { loginView, registerView, meView } from "./auth.js";
import { applyView, resubmitView } from "./apply.js";
import { bell, messagesView } from "./messages.js";
import { casesView, caseView } from "./cases.js";
import { postingsView, postingView } from "./postings.js";
import { favoritesView } from "./favorites.js";
import { reviewView, reviewCaseView } from "./review.js";
import { managePostingsView, postingFormView } from "./manage.js";
import { auditView, staffView } from "./admin.js";
import { passwordView } from "./password.js";

// path pattern → [view, role needed (null: anyone, "any": signed in)]
const ROUTES = [
  [/^$/, homeView, null],
  [/^login$/, loginView, null],
  [/^register$/, registerView, null],
  [/^me$/, meView, "any"],
  [/^password$/, passwordView, "any"],
  [/^apply$/, applyView, "applicant"],
  [/^cases$/, casesView, "applicant"],
  [/^cases\/([^/]+)$/, caseView, "applicant"],
  [/^cases\/([^/]+)\/resubmit$/, resubmitView, "applicant"],
  [/^messages$/, messagesView, "any"],
  [/^postings$/, postingsView, null],
  [/^postings\/([^/]+)$/, postingView, null],
  [/^favorites$/, favoritesView, "applicant"],
  [/^review$/, reviewView, "reviewer"],
  [/^review\/([^/]+)$/, reviewCaseView, "reviewer"],
  [/^manage$/, managePostingsView, "reviewer"],
  [/^manage\/new$/, postingFormView, "reviewer"],
  [/^manage\/([^/]+)$/, postingFormView, "reviewer"],
  [/^admin$/, staffView, "admin"],
  [/^admin\/audit$/, auditView, "admin"],
];

// The menu of each role: [hash path, label]. The names are the manual's.
const MENUS = {
  applicant: [["apply", "就业见习申请"], ["cases", "我的办件"], ["favorites", "见习岗位录入及维护"]],
  reviewer: [["review", "申请审核"], ["manage", "见习岗位管理"]],
  admin: [["admin", "工作人员账号"], ["admin/audit", "操作日志"]],
};

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const toggle = document.getElementById("menu-toggle");

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const at = raw.indexOf("?");
  const path = decodeURIComponent(at < 0 ? raw : raw.slice(0, at));
  const params = Object.fromEntries(new URLSearchParams(at < 0 ? "" : raw.slice(at + 1)));
  return { path, params };
}

let firstRender = true;

function render() {
  const { path, params } = parseHash();
  // Each visit renders into its own element: a slow answer for a page already left
  // lands in a detached element instead of over the current page.
  const view = h("section", { class: "view" });
  main.replaceChildren(view);
  renderNav(path);
  setMenu(false);
  // Screen readers and keyboards start at the new page, not at the link that led there.
  if (!firstRender) main.focus({ preventScroll: true });
  firstRender = false;
  window.scrollTo(0, 0);
  for (const [pattern, show, role] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (role && !session.token) {
      location.replace("#/login?next=" + encodeURIComponent(location.hash));
      return;
    }
    if (role && role !== "any" && !session.has(role)) {
      view.append(h("h1", {}, "无权访问"), h("div", { class: "error", role: "alert" }, "当前账号无权使用此功能"),
        h("a", { href: "#/" }, "返回首页"));
      return;
    }
    show(view, params, ...match.slice(1));
    return;
  }
  view.append(h("h1", {}, "页面不存在"), h("a", { href: "#/" }, "返回首页"));
}

function renderNav(path) {
  const user = session.user;
  const links = [["postings", "见习岗位查询"]];
  for (const role of ["applicant", "reviewer", "admin"]) if (session.has(role)) links.push(...MENUS[role]);
  const current = (to) => path === to || (path.startsWith(to + "/") && !links.some(([other]) => other === path));
  const link = (to, label) => h("a", { href: "#/" + to, "aria-current": current(to) ? "page" : null }, label);
  nav.replaceChildren(
    h("ul", { class: "menu" }, links.map(([to, label]) => h("li", {}, link(to, label)))),
    h("div", { class: "account" },
      ...(user
        ? [h("span", { class: "who" }, user.real_name || user.username,
            h("small", {}, (user.roles || []).map((r) => ROLES[r] || r).join("、"))),
          bell(),
          link("me", "个人中心"),
          h("button", { type: "button", class: "link", onclick: logout }, "退出")]
        : [link("login", "登录"), link("register", "注册")])));
}

function setMenu(open) {
  toggle.setAttribute("aria-expanded", String(open));
  nav.classList.toggle("open", open);
}

// 退出 ends the session on the server too; the page forgets it whatever the answer.
async function logout() {
  try {
    await api("POST", "/api/v1/auth/logout");
  } catch {
    // An expired or revoked token is signed out already.
  }
  session.clear();
  location.hash = "#/";
}

function homeView(view) {
  const tiles = [["postings", "见习岗位查询", "无需登录"]];
  if (!session.user || session.has("applicant")) {
    tiles.push(["apply", "就业见习人员申请", "登录后填写并上传材料"],
      ["cases", "我的办件", "查看审核进度、撤回申请"],
      ["favorites", "见习岗位录入及维护", "收藏意向岗位（最多3个）"]);
  }
  if (session.has("reviewer")) {
    tiles.push(["review", "申请审核", "审核属地内的见习人员申请"], ["manage", "见习岗位管理", "发布、修改、关闭见习岗位"]);
  }
  if (session.has("admin")) tiles.push(["admin", "工作人员账号", "新建、停用、启用工作人员账号"], ["admin/audit", "操作日志", "查看办件、下载、审核与账号变更记录"]);
  view.append(
    h("h1", {}, "就业见习 个人网上服务大厅"),
    h("p", {}, "离校2年内未就业高校毕业生、16-24岁失业青年等可在此申请成为就业见习人员，查询并收藏见习岗位。"),
    h("ul", { class: "tiles" }, tiles.map(([to, label, note]) =>
      h("li", {}, h("a", { href: "#/" + to }, label), h("small", {}, note)))));
}

toggle.addEventListener("click", () => setMenu(toggle.getAttribute("aria-expanded") !== "true"));
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
// Every label the pages show comes with its code from the API, once per page load.
async function start() {
  try {
    useVocabulary(await api("GET", "/api/v1/vocabulary"));
  } catch (err) {
    main.replaceChildren(h("section", { class: "view" }, h("h1", {}, "暂时无法访问"),
      h("div", { class: "error", role: "alert" }, err.message),
      h("button", { type: "button", onclick: start }, "重试")));
    return;
  }
  window.addEventListener("hashchange", render);
  // A sign-in or sign-out here re-renders the menu; one in another tab re-renders the page.
  window.addEventListener("session", () => renderNav(parseHash().path));
  window.addEventListener("storage", (event) => {
    if (event.key === null || event.key.startsWith("jx.")) render();
  });
  render();
}

start();
