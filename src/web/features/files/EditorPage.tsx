import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, usePageTitle } from '../../app/router.js';
import { Alert, Spinner } from '../../ui/index.js';
import { filesApi, type EditorSession, type FileNode } from './api.js';
import { useFilesErrorText } from './errors.js';
import './files.css';

const FRAME_NAME = 'tessera-office-editor';

/**
 * The WOPI host page: asks for an access token, then posts it to the editor's action URL into
 * an iframe (the spec's host page pattern), so the token never appears in a URL. The server
 * gives this page alone a CSP that allows framing and posting to the editor's origin.
 */
export function EditorPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [node, setNode] = useState<FileNode | null>(null);
  const [session, setSession] = useState<EditorSession | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  usePageTitle(node ? t('files.editor.title', { name: node.name }) : t('files.editor.loading'));

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const [file, editor] = await Promise.all([filesApi.node(id), filesApi.editor()]);
      if (cancelled) return;
      setNode(file);
      if (!editor.enabled) return setProblem(t('files.editor.notConfigured'));
      const s = await filesApi.editorSession(id);
      if (cancelled) return;
      if (!s.actionUrl) return setProblem(t('files.editor.notSupported'));
      setSession(s);
    })().catch((e: unknown) => {
      if (!cancelled) setProblem(errorText(e));
    });
    return () => {
      cancelled = true;
    };
    // errorText and t are rebuilt each render; the session depends on the file only.
  }, [id]);

  // Posted once the form with the token is in the page.
  useEffect(() => {
    if (session) form.current?.submit();
  }, [session]);

  const back = node?.parentId ? `/files/${encodeURIComponent(node.spaceId)}/${encodeURIComponent(node.parentId)}` : '/files';
  return (
    <div className="editor-page">
      <header className="editor-bar">
        <Link to={back}>{t('files.editor.back')}</Link>
        <h1 className="editor-title">{node?.name ?? t('files.editor.loading')}</h1>
      </header>
      <main className="editor-main">
        {problem ? (
          <div className="page page-narrow">
            <Alert kind="error">{problem}</Alert>
          </div>
        ) : null}
        {!problem && !session ? <Spinner label={t('files.editor.loading')} /> : null}
        {session && !session.canWrite ? <p className="editor-note">{t('files.editor.readOnly')}</p> : null}
        {session?.actionUrl ? (
          <>
            <form ref={form} action={session.actionUrl} method="post" target={FRAME_NAME} hidden>
              <input type="hidden" name="access_token" value={session.accessToken} />
              <input type="hidden" name="access_token_ttl" value={String(session.accessTokenTtl)} />
            </form>
            <iframe className="editor-frame" name={FRAME_NAME} title={t('files.editor.frameTitle', { name: node?.name ?? '' })} allow="clipboard-read; clipboard-write; fullscreen" />
          </>
        ) : null}
      </main>
    </div>
  );
}
