import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, uploadWithProgress } from '../../app/api.js';
import { Avatar } from '../../app/Avatar.js';
import { useErrorText } from '../../app/errors.js';
import { useSession, useUser } from '../../app/session.js';
import type { Language, UserView } from '../../app/types.js';
import { isLanguage, LANGUAGES, LANGUAGE_NAMES } from '../../i18n/index.js';
import { Alert, Button, ProgressBar, SelectField, TextField } from '../../ui/index.js';

const MAX_AVATAR = 1024 * 1024;
const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? ['UTC'];
  } catch {
    return ['UTC'];
  }
}

export function ProfileSection() {
  const { t } = useTranslation();
  const user = useUser();
  const { updateUser } = useSession();
  const errorText = useErrorText();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [timeZone, setTimeZone] = useState(user.timeZone ?? '');
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(timeZones, []);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    setBusy(true);
    try {
      const u = await api.patch<UserView>('/api/me', { displayName: displayName.trim(), timeZone: timeZone || null });
      updateUser(u);
      setStatus({ kind: 'success', text: t('profile.saved') });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const changeLanguage = async (e: ChangeEvent<HTMLSelectElement>) => {
    const v = e.target.value;
    const language: Language | null = isLanguage(v) ? v : null;
    setStatus(null);
    try {
      const u = await api.patch<UserView>('/api/me', { language });
      updateUser(u);
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <div className="stack-lg">
      <section aria-labelledby="profile-h" className="section">
        <h2 id="profile-h">{t('profile.title')}</h2>
        {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
        <SelectField label={t('profile.language')} hint={t('profile.languageHint')} value={user.language ?? ''} onChange={(e) => void changeLanguage(e)} name="language">
          <option value="">{t('profile.languageAuto')}</option>
          {LANGUAGES.map((l) => (
            <option key={l} value={l} lang={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </SelectField>
        <form onSubmit={save}>
          <TextField label={t('fields.displayName')} name="displayName" autoComplete="name" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={200} />
          <dl className="facts">
            <div>
              <dt>{t('fields.username')}</dt>
              <dd>{user.username}</dd>
            </div>
            <div>
              <dt>{t('fields.email')}</dt>
              <dd>{user.email}</dd>
            </div>
          </dl>
          <SelectField label={t('profile.timeZone')} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} name="timeZone">
            <option value="">{t('profile.timeZoneAuto')}</option>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </SelectField>
          <Button type="submit" variant="primary" busy={busy}>
            {t('common.save')}
          </Button>
        </form>
      </section>
      <AvatarSection />
    </div>
  );
}

function AvatarSection() {
  const { t } = useTranslation();
  const user = useUser();
  const { updateUser } = useSession();
  const errorText = useErrorText();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);

  useEffect(() => () => (preview ? URL.revokeObjectURL(preview) : undefined), [preview]);

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    setStatus(null);
    const f = e.target.files?.[0] ?? null;
    if (!f) return;
    if (!AVATAR_TYPES.includes(f.type)) {
      setStatus({ kind: 'error', text: t('avatar.badType') });
      return;
    }
    if (f.size > MAX_AVATAR) {
      setStatus({ kind: 'error', text: t('avatar.tooBig') });
      return;
    }
    setFile(f);
    setPreview(URL.createObjectURL(f));
  };

  const upload = async () => {
    if (!file) return;
    setStatus(null);
    setProgress(0);
    try {
      const u = await uploadWithProgress<UserView>('/api/me/avatar', file, file.type, setProgress);
      updateUser(u);
      setFile(null);
      setPreview(null);
      if (input.current) input.current.value = '';
      setStatus({ kind: 'success', text: t('avatar.saved') });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setProgress(null);
    }
  };

  const remove = async () => {
    setStatus(null);
    try {
      updateUser(await api.del<UserView>('/api/me/avatar'));
      setStatus({ kind: 'success', text: t('avatar.removed') });
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    }
  };

  return (
    <section aria-labelledby="avatar-h" className="section">
      <h2 id="avatar-h">{t('avatar.title')}</h2>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      <div className="avatar-editor">
        <Avatar user={user} size={96} src={preview} />
        <div className="stack">
          <div className="field">
            <label htmlFor="avatar-file">{t('avatar.choose')}</label>
            <p className="field-hint" id="avatar-hint">
              {t('avatar.hint')}
            </p>
            <input ref={input} id="avatar-file" type="file" accept={AVATAR_TYPES.join(',')} aria-describedby="avatar-hint" onChange={pick} />
          </div>
          {progress !== null ? <ProgressBar value={progress} label={t('avatar.uploading')} /> : null}
          <div className="row">
            <Button variant="primary" disabled={!file} busy={progress !== null} onClick={() => void upload()}>
              {t('avatar.upload')}
            </Button>
            {user.avatarUrl ? (
              <Button variant="ghost" onClick={() => void remove()}>
                {t('avatar.remove')}
              </Button>
            ) : null}
          </div>
        </div>
      </div>
    </section>
  );
}
