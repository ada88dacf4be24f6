import { describe, expect, it } from 'vitest';
import { childHref, encodeSegment, hrefOf } from './target.js';
import { escapeXml } from './xml.js';

describe('WebDAV hrefs', () => {
  const names = ['plain.txt', 'a b', "it's (1)*!.md", 'üß 日本', '%41#?;', 'x&y<z>'];
  const folders = [
    { mount: '/dav/files/ana', base: '/', folder: '/' },
    { mount: '/dav/files/ana', base: '/', folder: '/Docs/sub dir' },
    { mount: '/dav/shared/x', base: '/Team', folder: '/Team' },
    { mount: '/dav/shared/x', base: '/Team', folder: '/Team/In (2)' },
  ];

  it('builds a child URL from its folder URL exactly as from the child path', () => {
    for (const { mount, base, folder } of folders) {
      const folderHref = hrefOf(mount, folder, true, base);
      for (const name of names) {
        for (const isFolder of [true, false]) {
          const path = folder === '/' ? `/${name}` : `${folder}/${name}`;
          expect(childHref(folderHref, name, isFolder)).toBe(hrefOf(mount, path, isFolder, base));
        }
      }
    }
  });

  it('percent-encodes the characters encodeURIComponent leaves alone', () => {
    expect(encodeSegment("it's (1)*!")).toBe('it%27s%20%281%29%2A%21');
    expect(encodeSegment('plain-name_1.txt')).toBe('plain-name_1.txt');
  });

  it('escapes XML only where needed', () => {
    expect(escapeXml('nothing to do')).toBe('nothing to do');
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
