import { describe, expect, it } from 'vitest';
import { decodeUtf7, encodeUtf7 } from './utf7.js';

describe('UTF-7 (RFC 2152)', () => {
  it('decodes the RFC examples and WOPI file names', () => {
    expect(decodeUtf7('Hi Mom -+Jjo--!')).toBe('Hi Mom -\u263a-!');
    expect(decodeUtf7('+ZeVnLIqe-')).toBe('\u65e5\u672c\u8a9e');
    expect(decodeUtf7('A+ImIDkQ.')).toBe('A\u2262\u0391.');
    expect(decodeUtf7('1 +- 1 = 2.docx')).toBe('1 + 1 = 2.docx');
    expect(decodeUtf7('R+AOk-sum+AOk-.odt')).toBe('Résumé.odt');
    expect(decodeUtf7('.docx')).toBe('.docx');
  });

  it('round-trips names with accents, emoji, plus signs and tildes', () => {
    for (const name of ['Résumé.odt', 'Budget 2026 + annexes~v2.xlsx', '日本語の文書.docx', 'plan 📈.ods', 'a-b_c.d']) {
      const encoded = encodeUtf7(name);
      expect(encoded).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeUtf7(encoded)).toBe(name);
    }
  });
});
