import { createHash } from 'node:crypto';
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { STRICT_CSP } from '../../platform/http/securityHeaders.js';

/**
 * The few pages the provider itself renders (errors, sign-out confirmation). They need no
 * script; their one stylesheet is inline and allowed by its hash, so the strict CSP stays.
 */
const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f}' +
  'h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1rem;margin:.25rem .5rem .25rem 0;cursor:pointer}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-word}';

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;
export const PAGE_CSP = STRICT_CSP.replace("style-src 'self'", `style-src 'self' ${STYLE_HASH}`);

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(ctx: KoaContextWithOIDC, title: string, body: string): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

export async function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
  const rows = Object.entries(out)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  page(ctx, 'Sign-in could not continue', `<p>The app's sign-in request was not accepted. Go back to the app and try again.</p><dl>${rows}</dl><p><a href="/">Back to Tessera</a></p>`);
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const client = ctx.oidc.client;
  const who = client?.clientName ? ` from ${escapeHtml(client.clientName)}` : '';
  page(
    ctx,
    'Sign out?',
    `<p>Do you want to sign out${who}?</p>${form}` +
      '<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign out</button>' +
      '<button type="submit" form="op.logoutForm">No, stay signed in</button>',
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  const client = ctx.oidc.client;
  const who = client?.clientName ? ` from ${escapeHtml(client.clientName)}` : '';
  page(ctx, 'Signed out', `<p>You have been signed out${who}.</p><p><a href="/">Back to Tessera</a></p>`);
}
