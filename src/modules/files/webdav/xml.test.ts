import { describe, expect, it } from 'vitest';
import { evaluateIf, parseIfHeader, submittedTokens } from './ifHeader.js';
import { elements, parseXml, serializeChildren, XmlError } from './xml.js';

describe('WebDAV XML parser', () => {
  it('resolves namespaces, default and prefixed, and keeps text with references', () => {
    const root = parseXml('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><x xmlns="urn:a">a &amp; b &#65536;<![CDATA[<raw>]]></x><y xmlns=""/></D:prop></D:propfind>');
    expect([root.ns, root.local]).toEqual(['DAV:', 'propfind']);
    const [x, y] = elements(elements(root)[0]!);
    expect([x!.ns, x!.local, y!.ns]).toEqual(['urn:a', 'x', '']);
    expect(x!.children.join('')).toBe('a & b \u{10000}<raw>');
  });

  it('refuses what is not well-formed or not allowed', () => {
    for (const bad of [
      '<foo>',
      '<a></b>',
      '<a xmlns:p=""><p:b/></a>',
      '<p:a/>',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a>&unknown;</a>',
      '<a>&#0;</a>',
      '<a/><b/>',
      '<a b="1" b="2"/>',
      '',
      '<a>' + '<b>'.repeat(100) + '</b>'.repeat(100) + '</a>',
    ]) {
      expect(() => parseXml(bad), bad.slice(0, 40)).toThrow(XmlError);
    }
  });

  it('serialises a value so its namespaces travel with it', () => {
    const root = parseXml('<t:v xmlns:t="urn:t"><foo xmlns="bar" a="&lt;"/>text &amp; more</t:v>');
    const value = serializeChildren(root);
    expect(value).toBe('<foo xmlns="bar" a="&lt;"/>text &amp; more');
    expect(elements(parseXml(`<w>${value}</w>`))[0]!.ns).toBe('bar');
  });
});

describe('WebDAV If header', () => {
  it('parses tagged and untagged lists, Not, tokens and entity tags', () => {
    expect(parseIfHeader('(<urn:uuid:1> ["e1"]) (Not <DAV:no-lock>)')).toEqual([
      { resource: null, conditions: [{ not: false, token: 'urn:uuid:1' }, { not: false, etag: '"e1"' }] },
      { resource: null, conditions: [{ not: true, token: 'DAV:no-lock' }] },
    ]);
    const tagged = parseIfHeader('<http://h/dav/files/a/x> (<urn:uuid:2>)');
    expect(tagged[0]!.resource).toBe('http://h/dav/files/a/x');
    expect([...submittedTokens(tagged)]).toEqual(['urn:uuid:2']);
    for (const bad of ['', '(', '()', '<x>', 'garbage', '(<a>) <http://x> (<b>)']) expect(() => parseIfHeader(bad), bad).toThrow();
  });

  it('holds when any list holds', async () => {
    const state = async () => ({ etag: '"e1"', lockTokens: new Set(['urn:uuid:1']) });
    expect(await evaluateIf(parseIfHeader('(<urn:uuid:1> ["e1"])'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(<DAV:no-lock> ["e1"])'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('(<urn:uuid:1x>) (Not <DAV:no-lock>)'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(<urn:uuid:1> ["e2"]) (Not <DAV:no-lock> ["e2"])'), state)).toBe(false);
  });
});
