import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Platform } from '../../platform/platform.js';
import { AppError, ConflictError, ForbiddenError } from '../../platform/errors.js';
import type { Actor, AuthContext } from '../identity/types.js';
import { oidcPolicy } from './policy.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionView {
  uid: string;
  prompt: 'login' | 'consent';
  client: { id: string; name: string };
  scopes: string[];
  signedIn: boolean;
}

/** The HTTP exchange oidc-provider reads its interaction cookie from and answers on. */
export interface RawExchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * Login and consent for an authorization request, driven by the web app's /interaction/:uid
 * page. Sign-in itself is Tessera's: login only attaches the current Tessera session's person.
 */
export class InteractionService {
  constructor(
    private readonly platform: Platform,
    private readonly provider: () => Provider,
  ) {}

  async details(x: RawExchange, uid: string, auth: AuthContext | undefined): Promise<InteractionView> {
    const interaction = await this.load(x, uid);
    const client = await this.clientOf(interaction);
    return {
      uid: interaction.uid,
      prompt: interaction.prompt.name === 'login' ? 'login' : 'consent',
      client,
      scopes: String(interaction.params.scope ?? '')
        .split(' ')
        .filter(Boolean),
      signedIn: Boolean(auth && !auth.mfaPending && !auth.enrollmentRequired && oidcPolicy.canSignIn(auth.user)),
    };
  }

  async login(x: RawExchange, uid: string, auth: AuthContext, actor: Actor): Promise<{ redirectTo: string }> {
    const interaction = await this.load(x, uid);
    if (interaction.prompt.name !== 'login') throw new ConflictError('This request is not waiting for sign-in.', 'wrong_prompt');
    if (!oidcPolicy.canSignIn(auth.user)) throw new ForbiddenError('This account is disabled.', 'account_disabled');
    const client = await this.clientOf(interaction);
    // auth_time is when the person really signed in to Tessera, not now: an app asking for a fresh
    // sign-in (prompt=login, max_age) must be able to see that none happened here.
    const ts = auth.authenticatedAt ? Math.floor(Date.parse(auth.authenticatedAt) / 1000) : undefined;
    const result: InteractionResults = { login: { accountId: auth.user.id, remember: true, ...(ts ? { ts } : {}) } };
    const redirectTo = await this.provider().interactionResult(x.req, x.res, result, { mergeWithLastSubmission: false });
    await this.platform.audit.append({ action: 'oidc.login', actor, ip: actor.ip, target: { type: 'oidc_client', id: client.id }, details: { client: client.name } });
    return { redirectTo };
  }

  async confirm(x: RawExchange, uid: string, auth: AuthContext, actor: Actor): Promise<{ redirectTo: string }> {
    const provider = this.provider();
    const interaction = await this.load(x, uid);
    if (interaction.prompt.name !== 'consent') throw new ConflictError('This request is not waiting for consent.', 'wrong_prompt');
    oidcPolicy.assertOwnsInteraction(auth.user, interaction.session?.accountId);
    const client = await this.clientOf(interaction);
    const details = interaction.prompt.details;
    const grant = (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ?? new provider.Grant({ accountId: auth.user.id, clientId: client.id });
    const scopes = stringList(details.missingOIDCScope);
    const claims = stringList(details.missingOIDCClaims);
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (claims.length) grant.addOIDCClaims(claims);
    const grantId = await grant.save();
    // Merged with the sign-in submitted for this request: without it a request with prompt=login
    // finds its login unresolved after consent and asks again, forever.
    const redirectTo = await provider.interactionResult(x.req, x.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    await this.platform.audit.append({
      action: 'oidc.consent',
      actor,
      ip: actor.ip,
      target: { type: 'oidc_client', id: client.id },
      details: { client: client.name, scopes: grant.getOIDCScope().split(' ').filter(Boolean), claims },
    });
    return { redirectTo };
  }

  /** The person declined (or cancelled sign-in): the app receives access_denied. */
  async abort(x: RawExchange, uid: string, actor: Actor): Promise<{ redirectTo: string }> {
    const interaction = await this.load(x, uid);
    const client = await this.clientOf(interaction);
    const redirectTo = await this.provider().interactionResult(
      x.req,
      x.res,
      { error: 'access_denied', error_description: 'The person declined the request.' },
      { mergeWithLastSubmission: false },
    );
    await this.platform.audit.append({
      action: 'oidc.consent',
      actor,
      ip: actor.ip,
      outcome: 'failure',
      target: { type: 'oidc_client', id: client.id },
      details: { client: client.name, reason: 'declined' },
    });
    return { redirectTo };
  }

  private async load(x: RawExchange, uid: string): Promise<Interaction> {
    let interaction: Interaction;
    try {
      interaction = await this.provider().interactionDetails(x.req, x.res);
    } catch {
      throw expired();
    }
    // The cookie is scoped per uid, so a mismatch means a stale or foreign link.
    if (interaction.uid !== uid) throw expired();
    return interaction;
  }

  private async clientOf(interaction: Interaction): Promise<{ id: string; name: string }> {
    const id = String(interaction.params.client_id ?? '');
    const client = await this.provider().Client.find(id);
    if (!client) throw expired();
    return { id: client.clientId, name: client.clientName ?? client.clientId };
  }
}

function expired(): AppError {
  return new AppError(
    404,
    'interaction_not_found',
    'This sign-in request has expired or was started in another browser. Go back to the app and sign in again.',
  );
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
