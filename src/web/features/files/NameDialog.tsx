import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Dialog, TextField } from '../../ui/index.js';
import { useFilesErrorText } from './errors.js';

/** Asks for a name (new folder, rename); the server's refusal is shown with what to do next. */
export function NameDialog({ open, title, label, initial, submitLabel, onClose, onSubmit }: { open: boolean; title: string; label: string; initial: string; submitLabel: string; onClose: () => void; onSubmit: (name: string) => Promise<void> }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const input = { get current() { return wrap.current?.querySelector('input') ?? null; } };

  // Reset while rendering (not in an effect) when the dialog opens, so its first frame already shows
  // the current name and the selection below applies to that text, not to the previous one.
  const openedWith = open ? initial : null;
  const [shownFor, setShownFor] = useState<string | null>(null);
  if (openedWith !== shownFor) {
    setShownFor(openedWith);
    if (openedWith !== null) {
      setName(openedWith);
      setError(null);
    }
  }

  useEffect(() => {
    if (!open) return;
    // Select the name without its extension, as desktop file managers do.
    const el = input.current;
    if (el) {
      el.focus();
      const dot = initial.lastIndexOf('.');
      el.setSelectionRange(0, dot > 0 ? dot : initial.length);
    }
  }, [open, initial]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError(t('files.errors.emptyName'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(trimmed);
    } catch (err) {
      setError(errorText(err, trimmed));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {error ? <Alert kind="error">{error}</Alert> : null}
        <div ref={wrap}>
          <TextField label={label} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} required maxLength={255} />
        </div>
        <div className="dialog-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
