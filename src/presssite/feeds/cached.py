"""The feed files of a build, each feed made again only when what it read changed."""

from __future__ import annotations

from typing import Any

from presssite.cache.made import Made
from presssite.feeds import atom
from presssite.model import OutputFile, Site


def make_feeds(
    site: Site, plan: Any, inputs: Any, bodies: Any, made: Made, name: str
) -> tuple[list[OutputFile], tuple[int, int], dict[str, Any]]:
    """Every feed file (its bytes in a blob), (jobs run, jobs reused) for the report, and
    the feeds' index: name -> (key, deps, files).

    ``inputs`` is the build's ``render.dependencies.Inputs``: a feed's key is the hash of
    what it read last time, as it is now. ``name`` is the index of feeds of this flavour
    of build in the cache (``Made``).
    """
    jobs = atom.plan(site, plan, full=bodies.full if bodies is not None else None)
    index = made.index(name)
    count = 0
    new_index = {}
    for job in jobs:
        entry = index.get(job.name)
        if (
            entry is None
            or inputs.key(entry[1]) != entry[0]
            or not all(made.have(e[1:]) for e in entry[2])
        ):
            reads = inputs.reads()
            kept = tuple((f.path, *made.blobs.put(f.data or b"")) for f in job.make(reads))
            deps = reads.deps()
            entry = (inputs.key(deps), deps, kept)
            count += 1
        new_index[job.name] = entry
    made.save(name, new_index)
    files = [
        OutputFile(path=path, source=made.blobs.blob_path(sha))
        for entry in new_index.values()
        for path, sha, _size in entry[2]
    ]
    return files, (count, len(jobs) - count), new_index
