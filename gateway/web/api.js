// The gateway's HTTP API. Every call names its method and an /api/v1 path literally
// (tests/e2e/test_web.py checks those against the OpenAPI document).

const TOKEN_KEY = "jx.token";
const USER_KEY = "jx.user";

class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = error.code || "HTTP_" + status;
    this.details = error.details || {};
  }
}

// The sign-in is kept in localStorage so every tab of this browser shares it (the token
// expires by itself; logout and a 401 remove it everywhere). Other tabs learn of a change
// through the "storage" event, which app.js turns into a re-render.
export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  get user() {
    try {
      return JSON.parse(localStorage.getItem(USER_KEY) || "null");
    } catch {
      return null;
    }
  },
  has(role) {
    const user = this.user;
    return Boolean(user && Array.isArray(user.roles) && user.roles.includes(role));
  },
  save(login) {
    localStorage.setItem(TOKEN_KEY, login.access_token);
    localStorage.setItem(USER_KEY, JSON.stringify(login.user));
    window.dispatchEvent(new Event("session"));
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
    window.dispatchEvent(new Event("session"));
  },
};

// A key for the Idempotency-Key header. crypto.randomUUID needs a secure context
// (https or localhost); elsewhere the same version-4 UUID is built from getRandomValues.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The named parameters that are set: what a view keeps in its URL hash.
export function pick(params, names) {
  return Object.fromEntries(names.filter((k) => params[k]).map((k) => [k, params[k]]));
}

export function queryString(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") q.set(name, value);
  }
  const text = q.toString();
  return text ? "?" + text : "";
}

// options: query (object), json (request body), form (FormData), key (Idempotency-Key),
// blob (answer the body as a Blob: attachments and printable forms).
export async function api(method, path, options = {}) {
  const headers = { Accept: options.blob ? "*/*" : "application/json" };
  if (session.token) headers.Authorization = "Bearer " + session.token;
  if (options.key) headers["Idempotency-Key"] = options.key;
  let body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form; // the browser sets the multipart boundary itself
  }
  let resp;
  try {
    resp = await fetch(path + queryString(options.query), { method, headers, body });
  } catch {
    throw new ApiError(0, { error: { code: "NETWORK_ERROR", message: "网络连接失败，请稍后重试" } });
  }
  if (resp.status === 204) return null;
  if (resp.ok && options.blob) return resp.blob();
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new ApiError(resp.status, data);
    // An expired, revoked or forged token: forget it so the page offers 登录 again.
    if (resp.status === 401 && err.code === "UNAUTHENTICATED" && session.token) session.clear();
    throw err;
  }
  return data;
}

let regionsPromise = null;

// The province's cities and counties (static data, fetched once per page load).
export function regions() {
  if (!regionsPromise) {
    regionsPromise = api("GET", "/api/v1/regions").catch((err) => {
      regionsPromise = null;
      throw err;
    });
  }
  return regionsPromise;
}
