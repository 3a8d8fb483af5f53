// 消息提醒: the header's bell with the unread count, and the list of messages.
import { api, queryString, session } from "./api.js";
import { formatTime, h, loading, notice, pageCount, pager, showError } from "./ui.js";

// The bell: a link to the list whose name says how many are unread. Refreshed on every
// page change; a failure leaves it without a count rather than breaking the header.
export function bell() {
  const count = h("span", { class: "badge", hidden: true });
  const link = h("a", { href: "#/messages", class: "bell" }, "消息", count);
  if (session.token) {
    api("GET", "/api/v1/notifications", { query: { page_size: 1 } }).then((page) => {
      count.hidden = !page.unread;
      count.textContent = page.unread > 99 ? "99+" : String(page.unread);
      link.setAttribute("aria-label", page.unread ? `消息，${page.unread} 条未读` : "消息，没有未读");
    }, () => {});
  }
  return link;
}

export async function messagesView(view, params) {
  const go = (changes, replace) => {
    const to = "#/messages" + queryString({ page: params.page, ...changes });
    if (replace) location.replace(to);
    else location.hash = to;
  };
  const errors = h("div", { "aria-live": "assertive" });
  const slot = loading();
  view.append(h("h1", {}, "消息提醒"), errors, slot);
  let page;
  try {
    page = await api("GET", "/api/v1/notifications", { query: { page: params.page || 1, page_size: 20 } });
  } catch (err) {
    showError(slot, err);
    return;
  }
  if (page.total && (+params.page || 1) > pageCount(page.total, page.page_size)) {
    go({ page: pageCount(page.total, page.page_size) }, true);
    return;
  }
  const rerender = (message) => {
    view.replaceChildren();
    messagesView(view, params).then(() => {
      if (message) view.querySelector("[aria-live]").replaceChildren(notice(message));
      window.dispatchEvent(new Event("session")); // the bell's count
    });
  };
  const markRead = async (m, button) => {
    button.disabled = true;
    try {
      await api("POST", `/api/v1/notifications/${encodeURIComponent(m.notification_id)}/read`);
      rerender("已标为已读");
    } catch (err) {
      showError(errors, err);
      button.disabled = false;
    }
  };
  const caseLink = (m) => {
    if (!m.application_id) return null;
    const path = session.has("applicant") ? "#/cases/" : "#/review/";
    return h("a", { href: path + encodeURIComponent(m.application_id) }, "查看办件 " + (m.case_number || ""));
  };
  const allRead = h("button", { type: "button", class: "secondary", disabled: !page.unread }, "全部标为已读");
  allRead.addEventListener("click", async () => {
    allRead.disabled = true;
    try {
      await api("POST", "/api/v1/notifications/read-all");
      rerender("全部消息已标为已读");
    } catch (err) {
      showError(errors, err);
      allRead.disabled = false;
    }
  });
  slot.replaceWith(
    h("div", { class: "actions" }, h("span", { role: "status" }, `未读 ${page.unread} 条，共 ${page.total} 条`), allRead),
    page.items.length
      ? h("ul", { class: "messages" }, page.items.map((m) => {
        const read = h("button", { type: "button", class: "small secondary" }, "标为已读",
          h("span", { class: "visually-hidden" }, m.title));
        read.addEventListener("click", () => markRead(m, read));
        return h("li", { class: m.read ? "read" : "unread" },
          h("h2", {}, m.read ? null : h("span", { class: "badge" }, "未读"), m.title),
          h("p", { class: "description" }, m.body),
          h("div", { class: "actions" }, h("small", {}, formatTime(m.created_at)), caseLink(m), m.read ? null : read));
      }))
      : h("p", { class: "empty", role: "status" }, "暂无消息"),
    pager(page.page, page.total, page.page_size, (p) => go({ page: p })));
}
