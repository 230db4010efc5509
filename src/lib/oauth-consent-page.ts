// The consent page of the partner OAuth flow (GET /api/v1/oauth/authorize), rendered by the Worker under a strict
// CSP (only this response's nonce may run script or style; fetch to our own origin only; no framing).
//
// How the user's session is carried: the page holds none of the frontend's credentials (it lives on the API's
// origin). The user signs in on the page itself — POST /auth/login (with the MFA code when asked) — and the
// access token stays in the page's memory only; "Allow" sends the decision to POST /oauth/authorize with that
// bearer, the page then logs that short session out (POST /auth/logout) and follows `redirectTo`. "Deny" needs
// no sign-in: it goes straight back to the client with `error=access_denied`. A frontend that already holds the
// user's token may skip this page and call POST /oauth/authorize itself.
import { escapeHtml } from "../domain/email-templates";
import { base64Encode, randomBytes } from "./crypto";

export const consentCsp = (nonce: string) =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; ` +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export function newNonce(): string {
  return base64Encode(randomBytes(16));
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f1f5f9;color:#0f172a;margin:0;padding:24px}
main{max-width:440px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem;margin:0 0 8px}ul{padding-left:20px}li{margin:6px 0}.muted{color:#55657a;font-size:.9rem}
label{display:block;margin:10px 0 4px}input{width:100%;box-sizing:border-box;padding:8px;font-size:1rem}
.actions{display:flex;gap:12px;margin-top:16px}
button{flex:1;padding:10px;font-size:1rem;border-radius:8px;border:1px solid #0f766e}
#allow{background:#0f766e;color:#fff}#deny{background:#fff;color:#0f766e}#error{color:#b91c1c;min-height:1.2em}
[hidden]{display:none}code{overflow-wrap:anywhere}`;

/** JSON inside a <script> element: `<` escaped so no `</script>` can close it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('oauth-request').textContent);
  var token = null, refresh = null;
  var $ = function(id){ return document.getElementById(id); };
  var say = function(text){ $('error').textContent = text || ''; };
  var post = function(path, body, bearer){
    var headers = { 'content-type': 'application/json' };
    if (bearer) headers.authorization = 'Bearer ' + bearer;
    return fetch(path, { method: 'POST', headers: headers, body: JSON.stringify(body) });
  };
  $('deny').addEventListener('click', function(){ location.assign(data.denyUrl); });
  $('signin').addEventListener('submit', function(e){ e.preventDefault(); signIn(); });
  $('allow').addEventListener('click', allow);
  function signIn(){
    say('');
    var body = { email: $('email').value, password: $('password').value };
    if ($('mfa').value) body.mfaCode = $('mfa').value;
    post('/api/v1/auth/login', body)
      .then(function(r){ return r.json(); })
      .then(function(res){
        if (res.success) {
          token = res.data.accessToken; refresh = res.data.refreshToken;
          $('signin').hidden = true; $('who').textContent = res.data.user.email; $('signed').hidden = false;
          $('allow').disabled = false;
        } else if (res.error && res.error.code === 'AUTH005') {
          $('mfa-row').hidden = false; say(res.error.message);
        } else { say(res.error ? res.error.message : 'Sign-in failed'); }
      })
      .catch(function(){ say('Network error; try again'); });
  }
  function allow(){
    if (!token) return;
    $('allow').disabled = true;
    var body = Object.assign({}, data.request, { decision: 'approve' });
    post('/api/v1/oauth/authorize', body, token)
      .then(function(r){ return r.json(); })
      .then(function(res){
        if (!res.success) { say(res.error.message); $('allow').disabled = false; return; }
        // The session existed only for this consent; end it before leaving.
        return post('/api/v1/auth/logout', { refreshToken: refresh }, token)
          .catch(function(){})
          .then(function(){ location.assign(res.data.redirectTo); });
      })
      .catch(function(){ say('Network error; try again'); $('allow').disabled = false; });
  }
})();`;

export interface ConsentPageInput {
  nonce: string;
  applicationName: string;
  /** The scopes asked for, each with its words (domain/oauth SCOPE_DESCRIPTIONS). */
  scopes: { scope: string; words: string }[];
  /** Host of the redirect URI, so the user sees where they will be sent. */
  redirectHost: string;
  /** The authorization request's parameters, sent back unchanged with the decision. */
  request: Record<string, string | undefined>;
  /** The client's redirect URI with error=access_denied. */
  denyUrl: string;
}

export function consentPage(input: ConsentPageInput): string {
  const e = escapeHtml;
  const items = input.scopes
    .map((s) => `<li>${e(s.words)} <span class="muted"><code>${e(s.scope)}</code></span></li>`)
    .join("");
  const request = scriptJson({ request: input.request, denyUrl: input.denyUrl });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="referrer" content="no-referrer" />
<title>Authorize ${e(input.applicationName)} · Escra</title>
<style nonce="${input.nonce}">${STYLE}</style>
</head>
<body>
<main>
  <h1><span id="app-name">${e(input.applicationName)}</span> wants to access your Escra account</h1>
  <p class="muted">If you allow it, it will be able to:</p>
  <ul id="scopes">${items}</ul>
  <p class="muted">You will be sent back to <strong>${e(input.redirectHost)}</strong>. You can revoke this access at any
  time under your account's authorized applications.</p>
  <form id="signin">
    <p>Sign in to Escra to continue.</p>
    <label for="email">Email</label><input id="email" type="email" autocomplete="username" required />
    <label for="password">Password</label>
    <input id="password" type="password" autocomplete="current-password" required />
    <div id="mfa-row" hidden><label for="mfa">Authenticator code</label>
      <input id="mfa" inputmode="numeric" autocomplete="one-time-code" /></div>
    <div class="actions"><button type="submit">Sign in</button></div>
  </form>
  <p id="signed" hidden>Signed in as <strong id="who"></strong>.</p>
  <p id="error" role="alert"></p>
  <div class="actions">
    <button id="deny" type="button">Deny</button><button id="allow" type="button" disabled>Allow</button>
  </div>
</main>
<script type="application/json" id="oauth-request">${request}</script>
<script nonce="${input.nonce}">${SCRIPT}</script>
</body>
</html>`;
}

/** Shown instead of redirecting when the client or its redirect URI cannot be trusted (RFC 6749 §4.1.2.1). */
export function refusalPage(nonce: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Authorization request refused · Escra</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main><h1>This authorization request cannot be completed</h1><p id="reason">${escapeHtml(message)}</p>
<p class="muted">Tell the application's developer; you have not been sent back to it.</p></main></body>
</html>`;
}
