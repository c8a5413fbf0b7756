"""The Jinja environment of a build and each kind of page's template key, kept between
builds: the environment by a long-running process (``serve``), the keys in the cache."""

from __future__ import annotations

from typing import Any

from presssite.cache.hashes import FileHashes, tree_fingerprint
from presssite.cache.store import BuildCache
from presssite.settings import Settings


class Templates:
    """Where a build gets its environment (made once, kept in ``holder.env``) and its
    template keys (``templates.template_keys``)."""

    def __init__(
        self, settings: Settings, store: BuildCache | None, holder: Any, hashes: FileHashes
    ) -> None:
        self.settings = settings
        self.store = store
        self.holder = holder  # has ``env``: the build state, which ``serve`` keeps
        self.hashes = hashes
        self._kinds: tuple[str, dict[str, str]] | None = None

    def environment(self) -> Any:
        if self.holder.env is None:
            from presssite.render import templates

            compiled = self.store.root / "jinja" if self.store is not None else None
            self.holder.env = templates.make_environment(self.settings, compiled=compiled)
        return self.holder.env

    def warm(self) -> None:
        """Make the environment, compile the templates and hash them ahead (while the
        documents parse in workers); an error is reported when pages render."""
        from presssite.render import templates

        try:
            env = self.environment()
        except Exception:  # noqa: BLE001 - made again, and reported, when pages render
            self.holder.env = None
            return
        templates.warm_templates(env)
        self.keys()

    def keys(self) -> dict[str, str]:
        """Each kind of page's templates, hashed (``templates.template_keys``): kept in
        the cache while no file of the site's templates changed (the theme's are
        presssite's code, which salts the cache)."""
        from presssite.render import templates

        name = "template-keys"
        where = tree_fingerprint([self.settings.templates_dir], self.hashes)
        kept = self._kinds
        if kept is None or kept[0] != where:
            kept = self.store.load(name) if self.store is not None else None
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == where:
            self._kinds = kept
            return dict(kept[1])
        try:
            keys = templates.template_keys(self.environment())
        except Exception:  # noqa: BLE001 - the render stage makes it again, and reports
            self.holder.env = None
            return {kind: where for kind in templates.KIND_TEMPLATES}
        self._kinds = (where, keys)
        if self.store is not None:
            self.store.save(name, self._kinds)
        return keys
