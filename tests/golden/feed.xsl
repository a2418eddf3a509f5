<?xml version="1.0" encoding="UTF-8"?>
<!-- feedwright: shows an Atom or RSS feed as a page in browsers that run XSLT -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>
  <xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
  <xsl:template match="/">
    <html lang="{(/atom:feed/@xml:lang | /rss/channel/language)[1]}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
:root{color-scheme:light dark;--fg:#1b1b1f;--bg:#fdfdfc;--muted:#55575d;--line:#d9dade;
--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8ea;--bg:#16171a;--muted:#a9abb2;
--line:#34363c;--link:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.7rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .25rem;padding-top:.5rem;border-top:1px solid var(--line)}
h3{font-size:1.05rem;margin:0}
a{color:var(--link)}
a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.lead,.section-note,.meta{color:var(--muted)}
.howto{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}
ul.feeds{list-style:none;margin:0;padding:0}
ul.feeds&gt;li{padding:.75rem 0;border-bottom:1px solid var(--line)}
ul.feeds&gt;li:last-child{border-bottom:0}
nav{margin:1rem 0}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
.meta{margin:.1rem 0 .4rem;font-size:.9rem}
.formats{display:flex;flex-wrap:wrap;gap:.5rem;margin:0;padding:0;list-style:none}
.formats a{display:inline-block;min-width:2.75rem;padding:.35rem .7rem;border:1px solid
var(--line);border-radius:999px;text-align:center;text-decoration:none}
.formats a:hover{border-color:var(--link)}
</style>
      </head>
      <body>
        <main>
          <div class="howto">
            <p><strong>This is a web feed</strong>, the kind of page that feed readers (such as
            NetNewsWire, Feedly, Thunderbird or newsboat) follow so that you get new posts as
            they are published. To subscribe, copy the address of this page from the address
            bar into your feed reader.</p>
            <p><a href="https://tidepool.example.org/feeds/index.html">Every feed of Tidepool Blog, and how to subscribe</a></p>
          </div>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="lead"><xsl:value-of
            select="/atom:feed/atom:subtitle | /rss/channel/description"/></p>
          <p><a href="{(/atom:feed/atom:link[@rel='alternate']/@href
            | /rss/channel/link)[1]}">Visit the site</a></p>
          <h2>Posts in this feed</h2>
          <ul class="feeds">
            <xsl:for-each select="/atom:feed/atom:entry">
              <li>
                <h3><a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:value-of
                  select="atom:title"/></a></h3>
                <p class="meta"><time datetime="{atom:published}"><xsl:value-of
                  select="substring(atom:published, 1, 10)"/></time></p>
                <xsl:if test="atom:summary"><p><xsl:value-of select="atom:summary"/></p></xsl:if>
              </li>
            </xsl:for-each>
            <xsl:for-each select="/rss/channel/item">
              <li>
                <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
                <p class="meta"><xsl:value-of select="pubDate"/></p>
              </li>
            </xsl:for-each>
          </ul>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
