"""Names people read on screen (users' full names, clients' display names), cleaned on the way in.

Control characters (Unicode Cc: C0, DEL, C1) and the invisible formatting characters that reorder or hide text
(bidi embeddings, overrides, isolates and marks; zero-width space, word joiner, BOM; line/paragraph separators)
are removed, so a name cannot spoof another on screen ("Eve\u202enimda" showing as "Eveadmin"), break a CSV or log
line, or carry a NUL that PostgreSQL refuses. ZERO WIDTH (NON-)JOINER stay: Indic scripts need them to shape words.
"""

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_INVISIBLE = re.compile(
    "[\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def clean_display_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    kept = "".join(char for char in value if unicodedata.category(char) not in ("Cc", "Cs"))
    return _INVISIBLE.sub("", kept).strip()


DisplayName = Annotated[str, BeforeValidator(clean_display_text), Field(min_length=1, max_length=200)]
