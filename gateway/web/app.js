// The single-page UI: hash routes (#/path?query) so back/forward and reloads keep the view.
import { session } from "./api.js";
import { h } from "./ui.js";
import { loginView, registerView, meView } from "./auth.js";
import { applyView } from "./apply.js";
import { casesView, caseView } from "./cases.js";
import { postingsView, postingView } from "./postings.js";
import { favoritesView } from "./favorites.js";
import { reviewView, reviewCaseView } from "./review.js";

// path pattern → [view, role needed (null: anyone)]
const ROUTES = [
  [/^$/, homeView, null],
  [/^login$/, loginView, null],
  [/^register$/, registerView, null],
  [/^me$/, meView, "any"],
  [/^apply$/, applyView, "applicant"],
  [/^cases$/, casesView, "applicant"],
  [/^cases\/([^/]+)$/, caseView, "applicant"],
  [/^postings$/, postingsView, null],
  [/^postings\/([^/]+)$/, postingView, null],
  [/^favorites$/, favoritesView, "applicant"],
  [/^review$/, reviewView, "reviewer"],
  [/^review\/([^/]+)$/, reviewCaseView, "reviewer"],
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const at = raw.indexOf("?");
  const path = decodeURIComponent(at < 0 ? raw : raw.slice(0, at));
  const params = Object.fromEntries(new URLSearchParams(at < 0 ? "" : raw.slice(at + 1)));
  return { path, params };
}

function render() {
  const { path, params } = parseHash();
  // Each visit renders into its own element: a slow answer for a page already left
  // lands in a detached element instead of over the current page.
  const view = h("section", { class: "view" });
  main.replaceChildren(view);
  renderNav(path);
  for (const [pattern, show, role] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (role && !session.token) {
      location.hash = "#/login?next=" + encodeURIComponent(location.hash);
      return;
    }
    if (role && role !== "any" && !session.has(role)) {
      view.append(h("div", { class: "error" }, "当前账号无权使用此功能"));
      return;
    }
    show(view, params, ...match.slice(1));
    return;
  }
  view.append(h("div", { class: "error" }, "页面不存在"), h("a", { href: "#/" }, "返回首页"));
}

function renderNav(path) {
  const user = session.user;
  const links = [["postings", "见习岗位查询"]];
  if (session.has("applicant")) {
    links.push(["apply", "就业见习申请"], ["cases", "我的办件"], ["favorites", "见习岗位收藏"]);
  }
  if (session.has("reviewer")) links.push(["review", "申请审核"]);
  const section = path.split("/")[0];
  nav.replaceChildren(
    ...links.map(([to, label]) => h("a", { href: "#/" + to, class: section === to ? "active" : null }, label)),
    h("span", { class: "spacer" }),
    ...(user
      ? [h("a", { href: "#/me", class: section === "me" ? "active" : null }, user.real_name || user.username),
         h("button", { type: "button", class: "link", onclick: logout }, "退出")]
      : [h("a", { href: "#/login" }, "登录"), h("a", { href: "#/register" }, "注册")]));
}

function logout() {
  session.clear();
  location.hash = "#/";
}

function homeView(view) {
  view.append(
    h("h1", {}, "就业见习 个人网上服务大厅"),
    h("p", {}, "离校2年内未就业高校毕业生、16-24岁失业青年等可在此申请成为就业见习人员，查询并收藏见习岗位。"),
    h("ul", { class: "tiles" },
      h("li", {}, h("a", { href: "#/postings" }, "见习岗位查询"), h("small", {}, "无需登录")),
      h("li", {}, h("a", { href: "#/apply" }, "就业见习人员申请"), h("small", {}, "登录后填写并上传材料")),
      h("li", {}, h("a", { href: "#/cases" }, "我的办件"), h("small", {}, "查看审核进度、撤回申请")),
      h("li", {}, h("a", { href: "#/favorites" }, "见习岗位录入及维护"), h("small", {}, "见习人员收藏意向岗位"))));
}

window.addEventListener("hashchange", render);
window.addEventListener("session", () => renderNav(parseHash().path));
render();
