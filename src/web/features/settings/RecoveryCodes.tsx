import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button } from '../../ui/index.js';
import { IconCopy, IconDownload } from '../../ui/icons.js';

/** Recovery codes, shown once: copy or download them before leaving. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const text = codes.join('\n') + '\n';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'tessera-recovery-codes.txt';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="stack">
      <Alert kind="warning" title={t('recovery.title')}>
        {t('recovery.help')}
      </Alert>
      <ol className="codes" aria-label={t('recovery.listLabel')}>
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="row">
        <Button onClick={() => void copy()}>
          <IconCopy /> {t('common.copy')}
        </Button>
        <Button onClick={download}>
          <IconDownload /> {t('common.download')}
        </Button>
        <span role="status" className="muted">
          {copied ? t('common.copied') : ''}
        </span>
      </div>
      <div>
        <Button variant="primary" onClick={onDone}>
          {t('recovery.saved')}
        </Button>
      </div>
    </div>
  );
}
