/**
 * Search folding: letters to their plain lower-case base, so "Résumé", "RESUME" and "resume" match.
 * One character for one (PostgreSQL's translate()) covering the Latin letters of Europe's languages,
 * then the letters written as two (ß as ss, æ as ae, œ as oe: "Straße" and "Strasse" match);
 * anything else is only lower-cased. The same tables are the SQLite function registered on every
 * connection and the PostgreSQL function `tessera_fold` (files migrations), so both stacks fold alike.
 * Names are stored folded too (files_nodes.name_folded, written by the files store): a change here
 * needs a files migration that folds them again, as 2026112419 did first.
 */
const GROUPS: Array<[string, string]> = [
  ['àáâãäåāăąǎ', 'a'],
  ['ÀÁÂÃÄÅĀĂĄǍ', 'a'],
  ['çćĉċč', 'c'],
  ['ÇĆĈĊČ', 'c'],
  ['ďđ', 'd'],
  ['ĎĐ', 'd'],
  ['èéêëēĕėęě', 'e'],
  ['ÈÉÊËĒĔĖĘĚ', 'e'],
  ['ĝğġģ', 'g'],
  ['ĜĞĠĢ', 'g'],
  ['ĥħ', 'h'],
  ['ĤĦ', 'h'],
  ['ìíîïĩīĭįı', 'i'],
  ['ÌÍÎÏĨĪĬĮ', 'i'],
  ['ĵ', 'j'],
  ['Ĵ', 'j'],
  ['ķ', 'k'],
  ['Ķ', 'k'],
  ['ĺļľŀł', 'l'],
  ['ĹĻĽĿŁ', 'l'],
  ['ñńņňŉ', 'n'],
  ['ÑŃŅŇ', 'n'],
  ['òóôõöøōŏőǒ', 'o'],
  ['ÒÓÔÕÖØŌŎŐǑ', 'o'],
  ['ŕŗř', 'r'],
  ['ŔŖŘ', 'r'],
  ['śŝşšș', 's'],
  ['ŚŜŞŠȘ', 's'],
  ['ţťŧț', 't'],
  ['ŢŤŦȚ', 't'],
  ['ùúûüũūŭůűųǔ', 'u'],
  ['ÙÚÛÜŨŪŬŮŰŲǓ', 'u'],
  ['ŵ', 'w'],
  ['Ŵ', 'w'],
  ['ýÿŷ', 'y'],
  ['ÝŸŶ', 'y'],
  ['źżž', 'z'],
  ['ŹŻŽ', 'z'],
];

/** translate()'s two arguments: FOLD_FROM[i] becomes FOLD_TO[i]. */
export const FOLD_FROM = GROUPS.map(([from]) => from).join('');
export const FOLD_TO = GROUPS.map(([from, to]) => to.repeat([...from].length)).join('');

/** Letters folded to two, applied after translate() (upper case too: PostgreSQL's C locale does not lower them). */
export const FOLD_EXPANSIONS: ReadonlyArray<readonly [string, string]> = [
  ['ß', 'ss'],
  ['ẞ', 'ss'],
  ['æ', 'ae'],
  ['Æ', 'ae'],
  ['œ', 'oe'],
  ['Œ', 'oe'],
];

const MAP = new Map<string, string>([...[...FOLD_FROM].map((c, i): [string, string] => [c, FOLD_TO[i]!]), ...FOLD_EXPANSIONS]);

export function fold(s: string): string {
  let out = '';
  for (const c of s.toLowerCase()) out += MAP.get(c) ?? c;
  return out;
}

/**
 * The spellings a folded word may have in text that was not folded (SQLite's FTS5 index keeps ß,
 * æ and œ as letters): "strasse" is also looked for as "straße". Each two-letter pair is swapped
 * everywhere in the word or nowhere, so a word gives at most eight spellings.
 */
export function unfoldedSpellings(word: string): string[] {
  let out = [word];
  for (const [pair, letter] of [['ss', 'ß'], ['ae', 'æ'], ['oe', 'œ']] as const) {
    if (word.includes(pair)) out = out.flatMap((w) => [w, w.replaceAll(pair, letter)]);
  }
  return out;
}
