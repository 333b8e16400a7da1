"""A Babel extractor, so flow texts land in the same messages.pot as the code's."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from flows.loader import flow_texts, load_flow


def extract_flow(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield (line, funcname, message, comments) for each text of a flow file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(getattr(fileobj, "name", "flow.yaml")).name
        path.write_bytes(fileobj.read())
        flow = load_flow(path)
    for line, text in flow_texts(flow):
        yield line, "_", text, [f"flow {flow.id}"]
