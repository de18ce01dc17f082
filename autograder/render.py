"""One way to show text that came from student code: escaped and cut to size.

Everything a report shows that student code could have shaped (an
exception's message, a traceback, printed output, a value's repr) passes
through `clean` before it reaches a terminal, feedback.txt or results.json:
control characters and escape sequences become visible escapes, so no
submission can move the cursor, recolour, or redraw a FAIL as a pass, and
long text is cut with a mark saying how much was left out.
"""

import re

OUTPUT_CHARS = 2000  # printed output shown per test
MESSAGE_CHARS = 6000  # a failure message, whatever student text it quotes
# C0 and C1 controls but newline and tab, DEL, and the bidirectional overrides that reorder what is shown.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match):
    return f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}"


def clean(text, limit):
    """`text` with unsafe characters escaped, cut to `limit` characters with a mark saying so."""
    text = UNSAFE.sub(_escape, text)
    if len(text) <= limit:
        return text
    return text[:limit] + "\n... (the rest is not shown)"
