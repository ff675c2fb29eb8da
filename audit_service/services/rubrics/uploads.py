"""An uploaded rubric file becomes a draft, kept even when it does not validate yet, so it
can be fixed in the editor. (The other way, a version as a file, is ``VersionView.yaml``.)
"""

from __future__ import annotations

from audit_service.domain.rubrics.loading import read_yaml
from audit_service.services.rubrics.drafts import DraftError, draft_from_document
from audit_service.services.rubrics.views import DraftView
from audit_service.storage.models import User

MAX_FILE_BYTES = 512 * 1024


def _refused(message: str) -> DraftError:
    return DraftError("The file was not imported", {"file": message})


def draft_from_yaml(content: bytes | None, filename: str, *, author: User) -> DraftView:
    """Read an uploaded rubric file into a draft, even one that does not validate yet.

    ``content`` is None when no file was chosen.
    """
    if content is None:
        raise _refused("Choose a rubric file (.yaml) to import")
    if len(content) > MAX_FILE_BYTES:
        raise _refused(f"The file must be smaller than {MAX_FILE_BYTES // 1024} KB")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused("The file must be UTF-8 text (a .yaml rubric file)") from None
    raw, errors = read_yaml(text, filename)
    if errors:
        raise _refused(errors[0].message)
    if not isinstance(raw, dict):
        raise _refused("The file must hold one rubric (a set of named fields)")
    return draft_from_document(raw, author=author, how=f"file {filename}")
