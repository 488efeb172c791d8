"""工作台 (workbench): the roof over the apps.

`core` is the floor every app imports; this app is the one that imports every app: the home page
(工作台, `home.py` and `views.home`), the left navigation naming every app's pages
(`context_processors.py`), the API mounting every app's router (`api.py`), loading the demo data
(`manage.py load_demo`) and the nightly `manage.py sweep` that drives reports, supervision and the
audit anchor. Nothing below imports it (import-linter contract in pyproject.toml).
"""
