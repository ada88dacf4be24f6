import { describe, expect, it } from 'vitest';
import { completeSetup, expectAccessible, useJourney } from './harness.js';

/**
 * Security keys through the real UI, with Chromium's virtual authenticator (DevTools protocol):
 * register a key in settings, then sign in with password + key. Runs on "localhost" because
 * WebAuthn does not accept an IP address as relying party.
 */
const ADMIN = { displayName: 'Ada Lovelace', username: 'ada', email: 'ada@example.org', password: 'analytical-engine-1843' };

const journey = useJourney({ tessera: () => ({ hostname: 'localhost' }) });

describe('security keys (WebAuthn)', () => {
  it('registers a key in settings and signs in with it', async () => {
    const { page, context } = journey.ctx;
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    await page.goto(await journey.tessera.setupUrl());
    await completeSetup(page, ADMIN);

    await page.goto(`${journey.tessera.url}/settings/security`);
    await page.getByRole('heading', { name: 'Security keys and passkeys' }).waitFor();
    await page.getByLabel('Key name').fill('Virtual key');
    await page.getByRole('button', { name: 'Add security key' }).click();
    await page.getByRole('status').filter({ hasText: 'Your security key is added.' }).waitFor();
    await page.getByRole('row', { name: /Virtual key/ }).waitFor();
    await expectAccessible(page, 'security keys');

    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Username or e-mail').fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await expectAccessible(page, 'mfa with key');
    await page.getByRole('button', { name: 'Use security key' }).click();
    await page.getByRole('heading', { name: 'Hello, Ada' }).waitFor();
  });
});
