"""The feed files of a build, each feed job run only when its key is new."""

from __future__ import annotations

from typing import Any

from presssite.cache.made import Made
from presssite.feeds import atom
from presssite.model import OutputFile, Site


def make_feeds(
    site: Site, plan: Any, keys: Any, base: str, bodies: Any, made: Made, name: str
) -> tuple[list[OutputFile], tuple[int, int]]:
    """Every feed file (its bytes in a blob), and (jobs run, jobs reused) for the report.

    ``name`` is the index of feeds of this flavour of build in the cache (``Made``).
    """
    jobs = atom.plan(
        site,
        plan,
        base=base,
        doc_key=keys.doc_key,
        full=bodies.full if bodies is not None else None,
        links_of=keys.links_of,
    )
    index = made.index(name)
    count = 0
    new_index = {}
    for job in jobs:
        entry = index.get(job.key)
        if entry is None or not all(made.have(e[1:]) for e in entry):
            entry = tuple((f.path, *made.blobs.put(f.data or b"")) for f in job.make())
            count += 1
        new_index[job.key] = entry
    made.save(name, new_index)
    files = [
        OutputFile(path=path, source=made.blobs.blob_path(sha))
        for entry in new_index.values()
        for path, sha, _size in entry
    ]
    return files, (count, len(jobs) - count)
