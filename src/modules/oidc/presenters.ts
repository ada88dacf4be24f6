import type { OidcClient } from './clients.js';
import type { InteractionView } from './interactions.js';

export function presentClient(c: OidcClient): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    public: c.public,
    redirectUris: c.redirectUris,
    postLogoutRedirectUris: c.postLogoutRedirectUris,
    skipConsent: c.skipConsent,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function presentInteraction(v: InteractionView): Record<string, unknown> {
  return { uid: v.uid, prompt: v.prompt, client: { id: v.client.id, name: v.client.name }, scopes: v.scopes, signedIn: v.signedIn };
}
