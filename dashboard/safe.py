"""Text that came from a file, made safe to show on a page: as written, never as markdown or HTML.

File names, sheet names, town names, report sentences and headers are chosen by
whoever made the file. Streamlit renders markdown in st.markdown, st.caption,
st.write, st.error/warning/info/success, headings and labels, and a town called
'![x](http://…/a.png)' made the browser fetch an outside image. `md()` escapes
every character markdown (and Streamlit's extensions: :color[…], :material/…:,
$math$) would act on, and breaks bare links, so the text shows exactly as
written. Use it for any file-derived text inside a markdown string; use
`html.escape` inside st.html.
"""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&\"'=^])")
_ZWSP = "\u200b"  # invisible: keeps GFM from turning a bare address into a link, and icons from being drawn
_LINKISH = re.compile(r"(?i)(://|www\.|:material/|:streamlit/)")


def md(text: object) -> str:
    """`text` escaped for Streamlit markdown: it is shown literally, links and images stay inert."""
    s = "" if text is None else str(text)
    s = _LINKISH.sub(lambda m: m.group(1)[0] + _ZWSP + m.group(1)[1:], s)
    return _MARKDOWN.sub(r"\\\1", s)
