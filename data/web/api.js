// SPDX-License-Identifier: GPL-3.0-or-later
//
// REST calls to the Heartsim server. URLs are relative to the page so the
// dashboard also works behind a reverse proxy that mounts it under a path.

const TOKEN_KEY = 'heartsim-token';

export class ApiError extends Error {
  constructor (message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export function endpoint (path, params = {}) {
  const url = new URL(path, document.baseURI);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null)
      url.searchParams.set(key, String(value));
  }
  return url;
}

// sessionStorage: the token lives as long as the tab, never on disk for good.
export function getToken () {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken (token) {
  try {
    if (token)
      sessionStorage.setItem(TOKEN_KEY, token);
    else
      sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lasts until the page reloads.
  }
}

// FastAPI shapes: {"detail":"Not Found"} or
// {"detail":[{"loc":["query","stress_level"],"msg":"…","type":"…"}]}
export function describeError (status, body, statusText = '') {
  const detail = body && body.detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail.map((item) => {
      const loc = Array.isArray(item.loc) ? item.loc : [];
      const field = loc.length > 0 ? String(loc[loc.length - 1]) : '';
      const msg = item.msg || 'invalid value';
      return field ? `${field.replace(/_/g, ' ')}: ${msg}` : msg;
    }).join('; ');
  }
  if (typeof detail === 'string' && detail)
    return detail;
  if (status === 401)
    return 'An access token is required';
  return `The server answered ${status}${statusText ? ' ' + statusText : ''}`;
}

async function request (method, path, params) {
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token)
    headers.Authorization = `Bearer ${token}`;

  let response;
  try {
    response = await fetch(endpoint(path, params), { method, headers, cache: 'no-store' });
  } catch {
    throw new ApiError('Could not reach the Heartsim server', 0);
  }

  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok)
    throw new ApiError(describeError(response.status, body, response.statusText), response.status);
  return body;
}

export const getJson = (path, params) => request('GET', path, params);
export const post = (path, params) => request('POST', path, params);
// DELETE changes state too: the server guards it as POST (docs/api.md).
export const del = (path, params) => request('DELETE', path, params);
