"""The search stage: a Pagefind index of every published release and page, per locale."""
