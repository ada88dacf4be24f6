/**
 * Search folding: letters to their plain lower-case base, so "Résumé", "RESUME" and "resume" match.
 * One character for one (PostgreSQL's translate() cannot do more), covering the Latin letters of
 * Europe's languages; anything else is only lower-cased. The same table is the SQLite function
 * registered on every connection and the PostgreSQL function `tessera_fold` (files migrations), so
 * both stacks fold alike.
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

const MAP = new Map<string, string>([...FOLD_FROM].map((c, i) => [c, FOLD_TO[i]!]));

export function fold(s: string): string {
  let out = '';
  for (const c of s.toLowerCase()) out += MAP.get(c) ?? c;
  return out;
}
