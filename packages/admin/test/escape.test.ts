import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../src/index.js';
import { renderPage } from '../src/page.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('jsonForScript', () => {
  it('cannot end a script element or open a comment, and parses back to the same value', () => {
    const value = {
      note: '</script><script>alert(1)</script>',
      c: '<!-- x -->',
      amp: 'a&b',
      ls: '\u2028\u2029',
    };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('renderPage', () => {
  const services = { takenAt: new Date(0).toISOString(), inFlight: 0, services: [] };

  it('escapes the title and embeds the data without a way out of its element', () => {
    const html = renderPage(
      '<b>shop</b> "x"',
      {
        basePath: '/admin',
        refreshSeconds: 5,
        services: {
          ...services,
          services: [
            {
              name: '</script><img src=x onerror=alert(1)>',
              calls: 0,
              retries: 0,
              retriesRefused: 0,
              ejected: 0,
              called: false,
              instances: [],
            },
          ],
        },
      },
      'bm9uY2U=',
    );
    expect(html).toContain('<title>&lt;b&gt;shop&lt;/b&gt; &quot;x&quot; admin</title>');
    expect(html).not.toContain('<b>shop</b>');
    expect(html).not.toContain('<img src=x');
    // One boot element, one script: the service name did not close either of them.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    const boot = /<script type="application\/json" id="sc-boot">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(boot![1]!).services.services[0].name).toBe('</script><img src=x onerror=alert(1)>');
    expect(html).toContain('<script nonce="bm9uY2U=">');
    expect(html).toContain('<style nonce="bm9uY2U=">');
  });

  it('loads nothing from elsewhere', () => {
    const html = renderPage('t', { basePath: '', refreshSeconds: 5, services }, 'n');
    expect(html).not.toMatch(
      /<(link|img|iframe|object|embed)\b|\bsrc=|url\(|@import|(href|action)=["']?https?:/,
    );
  });
});
