/**
 * The two pages the links in mails open when APP_URL is this service: `/verify-email` and
 * `/reset-password`. Each reads the token from the fragment (which browsers never send to a
 * server, so it stays out of access logs and Referer headers), calls the API, and shows the
 * outcome. One local script, nothing inline and nothing from elsewhere, so the strict
 * Content-Security-Policy of the documentation pages holds here too.
 */
import { Router } from './kit/router.js';
import type Koa from 'koa';
import type { PlainRouteDoc } from './kit/openapi/document.js';

const STYLE = `<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #111; }
label { display: block; margin: 1rem 0 0.25rem; }
input { width: 100%; padding: 0.5rem; box-sizing: border-box; }
button { margin-top: 1rem; padding: 0.5rem 1rem; }
.error { color: #b00020; } .ok { color: #0a6b2b; }
</style>`;

const page = (title: string, kind: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
${STYLE}
</head>
<body data-page="${kind}">
<main>
<h1>${title}</h1>
${body}
<p id="status" role="status"></p>
</main>
<script src="/pages/account.js"></script>
</body>
</html>
`;

const VERIFY_PAGE = page('Confirm your email address', 'verify-email', '');

const RESET_PAGE = page(
  'Choose a new password',
  'reset-password',
  `<form id="reset" hidden>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<label for="confirm">The same again</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<button type="submit">Set the new password</button>
</form>`,
);

/** Shared by both pages; written for browsers as they are, without a build step. */
const SCRIPT = `'use strict';
(function () {
  var kind = document.body.getAttribute('data-page');
  var status = document.getElementById('status');
  var token = new URLSearchParams(window.location.hash.slice(1)).get('token') || '';
  // The token leaves the address bar (and the history) at once.
  history.replaceState(null, '', window.location.pathname);
  function show(text, ok) {
    status.textContent = text;
    status.className = ok ? 'ok' : 'error';
  }
  function call(path, body) {
    return fetch('/api/v1' + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    }).then(function (res) {
      if (res.status === 204) return null;
      return res.json().then(function (problem) {
        var details = (problem.details || []).map(function (d) { return d.message; });
        return details.length > 0 ? details.join(' ') : problem.message || 'Something went wrong.';
      }, function () { return 'Something went wrong.'; });
    });
  }
  if (token === '') {
    show('This link is incomplete: open the link from the mail again.', false);
    return;
  }
  if (kind === 'verify-email') {
    show('Confirming...', true);
    call('/auth/verify-email', { token: token }).then(function (error) {
      show(error === null ? 'Your email address is confirmed. You can close this page.' : error, error === null);
    }, function () { show('The service could not be reached. Try again.', false); });
    return;
  }
  var form = document.getElementById('reset');
  form.hidden = false;
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var password = document.getElementById('password').value;
    if (password !== document.getElementById('confirm').value) {
      show('The two passwords differ.', false);
      return;
    }
    call('/auth/password-reset', { token: token, new_password: password }).then(function (error) {
      if (error === null) {
        form.hidden = true;
        show('Your password is changed. Sign in with the new one.', true);
      } else {
        show(error, false);
      }
    }, function () { show('The service could not be reached. Try again.', false); });
  });
})();
`;

const html = {
  description: 'An HTML page',
  contentType: 'text/html',
  schema: { type: 'string', maxLength: 100000 },
} as const;

export const PAGE_ROUTES: readonly PlainRouteDoc[] = [
  {
    operationId: 'getVerifyEmailPage',
    method: 'GET',
    path: '/verify-email',
    tag: 'Pages',
    summary: 'The page a verification mail links to',
    description:
      'Reads the token from the fragment (`#token=...`) and confirms the address through `POST /api/v1/auth/verify-email`.',
    responses: { 200: html },
  },
  {
    operationId: 'getResetPasswordPage',
    method: 'GET',
    path: '/reset-password',
    tag: 'Pages',
    summary: 'The page a password-reset mail links to',
    description:
      'Reads the token from the fragment (`#token=...`), asks for the new password and sets it through `POST /api/v1/auth/password-reset`.',
    responses: { 200: html },
  },
];

export function pagesRouter(): Router {
  const router = new Router();
  const send = (body: string) => (ctx: Koa.Context) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
  router.get('/verify-email', send(VERIFY_PAGE));
  router.get('/reset-password', send(RESET_PAGE));
  router.get('/pages/account.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = SCRIPT;
  });
  return router;
}
