import Provider, { interactionPolicy, type Configuration, type Grant, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../../platform/log/logger.js';
import type { AuthContext, IdentityService } from '../identity/types.js';
import { findAccount, SCOPE_CLAIMS, SCOPES } from './account.js';
import { createAdapterFactory } from './adapter.js';
import type { OidcClientService } from './clients.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './pages.js';
import type { OidcStore } from './store.js';

export const COOKIE_NAMES = { session: 'tessera_oidc_session', interaction: 'tessera_oidc_interaction', resume: 'tessera_oidc_resume' };
/** Where the web app's interaction page calls back; the interaction cookie is scoped to it. */
export const INTERACTION_API_PREFIX = '/api/oidc/interaction/';

export interface ProviderDeps {
  issuer: string;
  trustProxy: boolean;
  cookieKeys: string[];
  signingKeys: JWK[];
  store: OidcStore;
  clients: OidcClientService;
  identity: IdentityService;
  publicUrl: string;
  /** The Tessera session carried by the browser request, if any. */
  tesseraAuth(cookieHeader: string | undefined): Promise<AuthContext | null>;
  log: Logger;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

export function createProvider(deps: ProviderDeps): Provider {
  const configuration: Configuration = {
    adapter: createAdapterFactory(deps.store, (id) => deps.clients.providerMetadata(id)),
    clients: [],
    findAccount: (_ctx, sub) => findAccount(deps.identity, deps.publicUrl, sub),
    scopes: SCOPES,
    claims: SCOPE_CLAIMS,
    // Many apps read profile claims from the ID token alone; release them there as well as at userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    subjectTypes: ['public'],
    clientAuthMethods: ['client_secret_basic', 'none'],
    // S256 is the only method oidc-provider 8 offers by default.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    cookies: {
      names: COOKIE_NAMES,
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    jwks: { keys: deps.signingKeys },
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // Only confidential apps, and only about their own tokens: no app learns about another's users.
        // A token of a disabled or deleted person answers inactive, as userinfo and refresh refuse it.
        allowedPolicy: async (_ctx, client, token) =>
          client.clientAuthMethod !== 'none' &&
          token.clientId === client.clientId &&
          (await accountStillActive(deps, token)),
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      resourceIndicators: { enabled: false },
    },
    // Browser apps may call the token and userinfo endpoints from the origins they redirect to.
    clientBasedCORS: (_ctx, origin, client) => (client.redirectUris ?? []).some((u) => URL.canParse(u) && new URL(u).origin === origin),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: HOUR,
      AuthorizationCode: 60,
      IdToken: HOUR,
      Interaction: HOUR,
      Session: 14 * DAY,
      Grant: 14 * DAY,
      RefreshToken: 14 * DAY,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: interactionPolicyFor(deps) },
    loadExistingGrant: (ctx) => loadGrant(ctx, deps.clients),
    renderError,
  };
  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = deps.trustProxy;
  provider.use(interactionCookieScope);
  provider.use(formPostTargets);
  provider.on('server_error', (_ctx: unknown, err: unknown) => deps.log.error({ err }, 'OIDC provider error'));
  return provider;
}

/** Client-credentials tokens have no person behind them; every other token needs an active one. */
async function accountStillActive(deps: ProviderDeps, token: object): Promise<boolean> {
  const accountId = 'accountId' in token && typeof token.accountId === 'string' ? token.accountId : undefined;
  if (accountId === undefined) return true;
  return (await findAccount(deps.identity, deps.publicUrl, accountId)) !== undefined;
}

/**
 * Adds to the default login prompt: the provider's own session must belong to the person signed
 * in to Tessera in this browser (signing out of Tessera, or switching person, asks again), and
 * that person must still be allowed in.
 */
function interactionPolicyFor(deps: ProviderDeps): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  login.checks.add(
    new interactionPolicy.Check('tessera_session', 'End-User must be signed in to Tessera', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // no_session already asks
      if (!ctx.oidc.account) return interactionPolicy.Check.REQUEST_PROMPT;
      const auth = await deps.tesseraAuth(ctx.get('cookie') || undefined);
      const current = auth && !auth.mfaPending && !auth.enrollmentRequired && auth.user.id === accountId;
      return current ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

/**
 * Apps marked skipConsent get the requested scopes granted without asking, the way an
 * institution's own apps should behave; other apps reuse the grant of the current session.
 */
async function loadGrant(ctx: KoaContextWithOIDC, clients: OidcClientService): Promise<Grant | undefined> {
  const client = ctx.oidc.client;
  const session = ctx.oidc.session;
  if (!client || !session) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
  if (!(await clients.skipsConsent(client.clientId)) || !session.accountId) return grant;
  grant ??= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  const scopes = [...ctx.oidc.requestParamOIDCScopes];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...ctx.oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

/**
 * oidc-provider scopes the interaction cookie to the page path (/interaction/:uid); the page
 * talks to the API under /api/oidc/interaction/:uid, so the cookie is re-scoped there. It still
 * binds the interaction to the browser that started it.
 */
async function interactionCookieScope(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
  await next();
  const header = ctx.res.getHeader('set-cookie');
  if (!Array.isArray(header)) return;
  const name = COOKIE_NAMES.interaction;
  ctx.res.setHeader(
    'set-cookie',
    header.map((c) => (c.startsWith(`${name}=`) || c.startsWith(`${name}.sig=`) ? c.replace(/path=\/interaction\//i, `path=${INTERACTION_API_PREFIX}`) : c)),
  );
}

/**
 * The form_post response mode posts from our page to the app: the CSP's form-action must name
 * the app's registered origins for that page only.
 */
async function formPostTargets(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
  await next();
  const client = ctx.oidc?.client;
  const csp = ctx.response.get('Content-Security-Policy');
  if (!client || !csp || !ctx.response.is('html') || ctx.oidc.params?.response_mode !== 'form_post') return;
  const origins = [...new Set((client.redirectUris ?? []).map((u) => new URL(u).origin))];
  ctx.set('Content-Security-Policy', csp.replace(/form-action ([^;]*)/, (_m, v: string) => `form-action ${v} ${origins.join(' ')}`));
}
