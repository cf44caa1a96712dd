"""Assertions about form pages: an error is shown next to its field, and the field points at it."""

import re


def error_next_to(page: str, field: str) -> str:
    """The error text shown next to a form field, checking that the field points at it."""
    assert f'aria-describedby="e-{field}"' in page
    found = re.search(rf'<p class="error" id="e-{field}" role="alert">(.*?)</p>', page)
    assert found, f"no error shown next to {field}"
    return found.group(1)
