import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../app/errors.js';
import { Alert } from './Alert.js';
import { Button } from './Button.js';
import { Dialog } from './Dialog.js';

/** Asks before a consequential action; the body says what will happen. */
export function ConfirmDialog({ open, title, children, confirmLabel, danger, onClose, onConfirm }: { open: boolean; title: string; children: ReactNode; confirmLabel: string; danger?: boolean; onClose: () => void; onConfirm: () => Promise<void> }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      title={title}
      onClose={() => {
        setError(null);
        onClose();
      }}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant={danger ? 'danger' : 'primary'} busy={busy} onClick={() => void go()}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {error ? <Alert kind="error">{error}</Alert> : null}
      {children}
    </Dialog>
  );
}
