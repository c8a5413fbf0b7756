"""``presssite import``: a release from the plain text of a translated article."""
