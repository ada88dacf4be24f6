import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { authenticator } from 'otplib';
import { completeSetup, expectAccessible, shot, useJourney, type WatchedContext } from './harness.js';

/**
 * The first journeys through the real UI against a real server: first-run setup, an admin
 * creating a person and a group, that person enrolling TOTP and signing in with it, French UI,
 * and the phone-sized layout. Every page is checked with axe and every request must stay on
 * the server's origin.
 */
const ADMIN = { displayName: 'Ada Lovelace', username: 'ada', email: 'ada@example.org', password: 'analytical-engine-1843' };
const NEWCOMER = { displayName: 'Linus Torvalds', username: 'linus', email: 'linus@example.org', password: 'penguin-kernel-1991' };
const USER = { displayName: 'Grace Hopper', username: 'grace', email: 'grace@example.org', password: 'compiler-cobol-1959' };

const journey = useJourney();
/** Each journey runs in a browser context of its own (a person, a phone, a language). */
const open = (opts: BrowserContextOptions = {}) => journey.open(opts);
/** The person the administrator created, signed in from a browser of their own. */
let person: WatchedContext;

/** Nothing may stick out sideways on a phone: lists the elements that do, if any. */
async function horizontalOverflow(page: Page, width = 390): Promise<string[]> {
  return page.evaluate((width) => {
    if (document.documentElement.scrollWidth <= width) return [];
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0) {
        let clipped = false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const ov = getComputedStyle(p).overflowX;
          if (ov === 'auto' || ov === 'scroll' || ov === 'hidden') {
            clipped = true;
            break;
          }
        }
        if (!clipped) out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
      }
    }
    return out.length ? out.slice(0, 10) : [`document is ${document.documentElement.scrollWidth}px wide`];
  }, width);
}

async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto(`${journey.tessera.url}/login`);
  await page.getByLabel('Username or e-mail').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function openUserMenuItem(page: Page, item: string): Promise<void> {
  await page.getByRole('button', { name: /Account menu/ }).click();
  const link = page.getByRole('link', { name: item }).or(page.getByRole('button', { name: item }));
  await link.first().click();
}

/** A TOTP code not used before: servers refuse a replayed code, so wait for the next step if needed. */
const usedCodes = new Set<string>();
async function freshTotp(secret: string): Promise<string> {
  for (;;) {
    const code = authenticator.generate(secret);
    if (!usedCodes.has(code)) {
      usedCodes.add(code);
      return code;
    }
    await new Promise((r) => setTimeout(r, (authenticator.timeRemaining() + 1) * 1000));
  }
}

let totpSecret = '';

/** An 8x8 PNG, small enough to upload in a blink. */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGOQ97+IFTEMLQkA/QpPwTDBhqoAAAAASUVORK5CYII=',
  'base64',
);

describe('Tessera in the browser', () => {
  it('first-run setup creates the administrator through the logged link', async () => {
    const { page, foreign, errors } = journey.ctx;
    await page.goto(await journey.tessera.setupUrl());
    await page.getByRole('heading', { name: 'Set up Tessera' }).waitFor();
    await expectAccessible(page, 'setup');
    await completeSetup(page, ADMIN);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('link', { name: /Admin console/ }).first().waitFor();
    await expectAccessible(page, 'portal (admin)');
    await shot(page, 'portal-admin');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the administrator creates a person and a group and adds the person', async () => {
    const { page, foreign } = journey.ctx;
    await openUserMenuItem(page, 'Admin console');
    await page.getByRole('heading', { name: 'Admin console', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'People' }).waitFor();
    await page.getByRole('row', { name: /Ada Lovelace/ }).waitFor();
    await expectAccessible(page, 'admin people');

    await page.getByRole('button', { name: 'Add person' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Full name').fill(USER.displayName);
    await dialog.getByLabel('Username').fill(USER.username);
    await dialog.getByLabel('E-mail address').fill(USER.email);
    await dialog.getByLabel('Initial password (optional)').fill(USER.password);
    await expectAccessible(page, 'add person dialog');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('row', { name: /Grace Hopper/ }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Grace Hopper was added.' }).waitFor();
    await page.getByRole('button', { name: 'Manage Grace Hopper' }).click();
    const person = page.getByRole('dialog', { name: 'Grace Hopper' });
    await person.getByRole('heading', { name: 'Account actions' }).waitFor();
    await expectAccessible(page, 'person dialog');
    await person.getByRole('button', { name: 'Delete account' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Grace Hopper?' });
    await confirm.getByText('They are removed from every group.').waitFor();
    await expectAccessible(page, 'delete confirmation');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await person.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByRole('heading', { name: 'Groups', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'New group' }).click();
    const gdialog = page.getByRole('dialog');
    await gdialog.getByLabel('Group name').fill('Research');
    await gdialog.getByLabel('Identifier').fill('research');
    expect(await gdialog.getByLabel('Require two-step verification').isChecked()).toBe(false);
    await gdialog.getByRole('button', { name: 'Create group' }).click();

    const manage = page.getByRole('dialog', { name: 'Research' });
    await manage.getByLabel('Find a person').fill('grace');
    await manage.getByRole('button', { name: 'Search' }).click();
    await manage.getByLabel('Person', { exact: true }).waitFor();
    await manage.getByRole('button', { name: 'Add to group' }).click();
    await manage.getByRole('cell', { name: USER.username, exact: true }).waitFor().catch(async (e: unknown) => {
      await shot(page, 'failure-group-member');
      throw e;
    });
    await expectAccessible(page, 'group dialog');
    await shot(page, 'admin-group');
    await manage.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('row', { name: /Research/ }).waitFor();
    await expectAccessible(page, 'admin groups');

    // The new group's space gets a quota on the Storage tab.
    await page.getByRole('tab', { name: 'Storage' }).click();
    await page.getByRole('heading', { name: 'Group spaces', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Change the quota of research' }).click();
    const quota = page.getByRole('dialog', { name: 'Quota of research' });
    await quota.getByLabel('Quota (GB)').fill('-3');
    await quota.getByRole('button', { name: 'Save' }).click();
    await quota.getByText('Enter a number of gigabytes').waitFor();
    await expectAccessible(page, 'storage quota dialog');
    await quota.getByLabel('Quota (GB)').fill('2');
    await quota.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: /research.*2 GB/ }).waitFor();
    await expectAccessible(page, 'admin storage');

    for (const tab of ['Applications', 'Sessions', 'Audit log', 'System status', 'Settings']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tab', { name: tab, selected: true }).waitFor();
      // The list was loaded, not just the tab opened.
      if (tab === 'Applications') await page.getByRole('table', { name: 'Registered applications' }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, `admin ${tab}`);
    }
    await shot(page, 'admin-status-or-settings');
    expect(foreign).toEqual([]);
  });

  it('the person signs in, enrols TOTP, signs out and back in with a code', async () => {
    person = await open();
    const { page, foreign, errors } = person;
    await page.goto(`${journey.tessera.url}/settings`);
    // Signed out: sent to the sign-in page with the destination kept.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/settings');
    await expectAccessible(page, 'login');

    // A wrong password is announced and says what to do.
    await page.getByLabel('Username or e-mail').fill(USER.username);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Check them and try again' }).waitFor();
    await expectAccessible(page, 'login error');

    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await expectAccessible(page, 'settings profile');

    // Avatar: choose a picture, see the preview, upload with progress, see it saved.
    await page.getByLabel('Choose a picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.getByRole('button', { name: 'Upload picture' }).click();
    await page.getByRole('status').filter({ hasText: 'Your new picture is saved.' }).waitFor();
    await page.locator('img.avatar').first().waitFor();

    await page.getByRole('tab', { name: 'Two-step verification' }).click();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.getByRole('button', { name: 'Start setup' }).click();
    const secretEl = page.getByTestId('totp-secret');
    await secretEl.waitFor();
    totpSecret = (await secretEl.getAttribute('data-secret')) ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await expectAccessible(page, 'totp enrolment');
    await shot(page, 'totp-enrol');
    await page.getByLabel('Code shown in the app').fill(await freshTotp(totpSecret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
    expect(await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
    await expectAccessible(page, 'recovery codes');
    await page.getByRole('button', { name: 'I have saved my codes' }).click();
    await page.getByText('Authenticator app is on.', { exact: true }).waitFor();

    await page.getByRole('tab', { name: 'App passwords' }).click();
    await page.getByLabel('App name').fill('Thunderbird');
    await page.getByRole('button', { name: 'Create app password' }).click();
    await page.getByTestId('app-password').waitFor();
    await page.getByRole('row', { name: /Thunderbird/ }).waitFor();
    await expectAccessible(page, 'app passwords');
    await page.getByRole('tab', { name: 'Sessions' }).click();
    await page.getByText('This device').waitFor();
    await expectAccessible(page, 'sessions');
    await page.getByRole('tab', { name: 'Password', exact: true }).click();
    await expectAccessible(page, 'password');

    await openUserMenuItem(page, 'Sign out');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await signIn(page, USER);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await expectAccessible(page, 'mfa step');
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'enter the current one' }).waitFor();
    await page.getByLabel('Code from your authenticator app').fill(await freshTotp(totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Hello, Grace' }).waitFor();
    // Not an admin: no admin console anywhere.
    expect(await page.getByRole('link', { name: /Admin console/ }).count()).toBe(0);
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('changing the language to French switches the UI at once and sticks', async () => {
    const { page } = person;
    await openUserMenuItem(page, 'Settings');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByRole('tab', { name: 'Profil' }).waitFor();
    await expectAccessible(page, 'settings in French');
    await shot(page, 'settings-fr');
    // Saved on the account: a reload keeps French.
    await page.reload();
    await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Accueil' }).first().click();
    await page.getByRole('heading', { name: 'Bonjour, Grace' }).waitFor();
  });

  it('on a phone-sized screen the navigation collapses into a menu button', async () => {
    const { page } = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(page, ADMIN);
    await page.getByRole('heading', { name: 'Hello, Ada' }).waitFor();
    const toggle = page.getByRole('button', { name: 'Open navigation menu' });
    await toggle.waitFor();
    const nav = page.getByRole('navigation', { name: 'Modules' });
    expect(await nav.isVisible()).toBe(false);
    expect(await horizontalOverflow(page)).toEqual([]);
    await expectAccessible(page, 'phone portal');
    await shot(page, 'phone-portal');
    await toggle.click();
    expect(await page.getByRole('button', { name: 'Close navigation menu' }).getAttribute('aria-expanded')).toBe('true');
    await nav.waitFor({ state: 'visible' });
    await expectAccessible(page, 'phone portal with menu open');
    await shot(page, 'phone-menu');
    await nav.getByRole('link', { name: 'Admin console' }).click();
    await page.getByRole('heading', { name: 'Admin console', level: 1 }).waitFor();
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('row', { name: /Ada Lovelace/ }).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await expectAccessible(page, 'phone admin');
    await shot(page, 'phone-admin');
    await page.goto(`${journey.tessera.url}/settings/security`);
    await page.getByRole('heading', { name: 'Authenticator app' }).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await expectAccessible(page, 'phone settings');
    await shot(page, 'phone-settings');
  });

  it('an application signs a person in through the OIDC login and consent pages', async () => {
    const { page } = journey.ctx;
    await page.goto(`${journey.tessera.url}/admin/apps`);
    await page.getByRole('heading', { name: 'Applications (OpenID Connect)' }).waitFor();
    await page.getByRole('button', { name: 'Register application' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Application name').fill('Notes');
    // The app lives on the server's own origin, so following the redirect stays local.
    await dialog.getByLabel('Redirect URIs', { exact: true }).fill(`${journey.tessera.url}/callback`);
    await expectAccessible(page, 'register application');
    await dialog.getByRole('button', { name: 'Register' }).click();
    const clientId = (await page.getByTestId('client-id').textContent())?.trim() ?? '';
    expect(clientId).not.toBe('');
    await page.getByTestId('client-secret').waitFor();
    await expectAccessible(page, 'application registered');

    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const auth = new URL(`${journey.tessera.url}/oidc/auth`);
    auth.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: `${journey.tessera.url}/callback`,
      response_type: 'code',
      scope: 'openid profile email',
      state: 'journey-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    await page.goto(auth.toString());
    const signInTo = page.getByRole('heading', { name: 'Sign in to Notes' });
    const consent = page.getByRole('heading', { name: 'Notes asks for access' });
    await signInTo.or(consent).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await expectAccessible(page, 'oidc interaction');
    await shot(page, 'oidc-interaction');
    if (await signInTo.isVisible()) {
      await page.getByRole('button', { name: 'Continue' }).click();
      await consent.or(page.getByRole('heading', { name: 'Page not found' })).waitFor();
    }
    if (await consent.isVisible()) {
      await page.getByText('Your e-mail address').waitFor();
      await expectAccessible(page, 'oidc consent');
      await page.getByRole('button', { name: 'Allow' }).click();
    }
    await page.waitForURL(/\/callback\?/);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('journey-state');
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('a group that requires 2FA sends its new member to the enrolment screen first', async () => {
    const admin = journey.ctx.page;
    await admin.goto(`${journey.tessera.url}/admin`);
    await admin.getByRole('button', { name: 'Add person' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('Full name').fill(NEWCOMER.displayName);
    await dialog.getByLabel('Username').fill(NEWCOMER.username);
    await dialog.getByLabel('E-mail address').fill(NEWCOMER.email);
    await dialog.getByLabel('Initial password (optional)').fill(NEWCOMER.password);
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await admin.getByRole('row', { name: /Linus Torvalds/ }).waitFor();

    await admin.getByRole('tab', { name: 'Groups' }).click();
    await admin.getByRole('button', { name: 'Manage Research' }).click();
    const manage = admin.getByRole('dialog', { name: 'Research' });
    await manage.getByLabel('Require two-step verification').check();
    await manage.getByRole('button', { name: 'Save' }).click();
    await manage.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    await manage.getByLabel('Find a person').fill(NEWCOMER.username);
    await manage.getByRole('button', { name: 'Search' }).click();
    await manage.getByLabel('Person', { exact: true }).waitFor();
    await manage.getByRole('button', { name: 'Add to group' }).click();
    await manage.getByRole('cell', { name: NEWCOMER.username, exact: true }).waitFor();
    await manage.getByRole('button', { name: 'Close' }).click();

    const { page } = await open();
    await signIn(page, NEWCOMER);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await expectAccessible(page, 'forced enrolment');
    // Nothing else is reachable until enrolment is done.
    await page.goto(`${journey.tessera.url}/settings`);
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    await page.getByRole('button', { name: 'Start setup' }).click();
    const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
    await page.getByLabel('Code shown in the app').fill(authenticator.generate(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'I have saved my codes' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await shot(page, 'after-enrolment');
  });

  it('sign-in ignores a foreign `next` and tells a locked-out person when to retry', async () => {
    const { page } = await open();
    await page.goto(`${journey.tessera.url}/login?next=${encodeURIComponent('//evil.example/steal')}`);
    // Keyboard only: the login field has focus, Tab to the password, Enter submits.
    await page.getByLabel('Username or e-mail').waitFor();
    await page.keyboard.type(USER.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(USER.password);
    await page.keyboard.press('Enter');
    // Grace has TOTP now, and her saved language (French) applies as soon as she is known.
    // After the code she must land on Tessera's own start page.
    await page.getByLabel('Code de votre application d’authentification').fill(await freshTotp(totpSecret));
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.getByRole('heading', { name: 'Bonjour, Grace' }).waitFor();
    expect(new URL(page.url()).origin).toBe(journey.tessera.origin);
    expect(new URL(page.url()).pathname).toBe('/');
    // Keyboard only: Tab to the account menu, open it, reach the settings link.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const expanded = await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded'));
      const cls = await page.evaluate(() => document.activeElement?.className ?? '');
      if (expanded !== null && String(cls).includes('usermenu-button')) break;
    }
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Paramètres');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();

    // Sign out everywhere: this session ends, and so does the one in the earlier context, whose
    // next API call is answered "unauthenticated" and sends it to sign in, keeping its place.
    await page.getByRole('tab', { name: 'Sessions' }).click();
    await page.getByRole('button', { name: 'Se déconnecter partout' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Se déconnecter partout' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).or(page.getByRole('heading', { name: 'Connexion' })).waitFor();
    const earlier = person.page;
    await earlier.getByRole('link', { name: 'Mots de passe d’application pour la messagerie et l’agenda' }).click();
    await earlier.waitForURL(/\/login\?next=%2Fsettings%2Fapp-passwords/);

    const other = await open();
    await other.page.goto(`${journey.tessera.url}/login`);
    let locked = false;
    for (let i = 0; i < 8 && !locked; i++) {
      await other.page.getByLabel('Username or e-mail').fill(ADMIN.username);
      await other.page.getByLabel('Password', { exact: true }).fill(`wrong-password-${i}`);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      const alert = other.page.getByRole('alert');
      await alert.waitFor();
      await other.page.getByRole('button', { name: 'Sign in', disabled: false }).waitFor();
      locked = /Try again at/.test((await alert.textContent()) ?? '');
    }
    expect(locked).toBe(true);
    await expectAccessible(other.page, 'login locked');
    await shot(other.page, 'login-locked');
  });

  it('the browser language picks the default before sign-in (de, nl scaffolded)', async () => {
    for (const [locale, lang, heading, field] of [
      ['de-DE', 'de', 'Anmelden', 'Benutzername oder E-Mail'],
      ['nl-BE', 'nl', 'Aanmelden', 'Gebruikersnaam of e-mail'],
      ['fr-CA', 'fr', 'Connexion', 'Nom d’utilisateur ou e-mail'],
    ] as const) {
      const { page } = await open({ locale });
      await page.goto(`${journey.tessera.url}/`);
      await page.getByRole('heading', { name: heading }).waitFor();
      await page.getByLabel(field).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await expectAccessible(page, `login (${locale})`);
    }
  });
});
