"""The browser app (sources in ``web/``), built into ``dist/`` here and served at ``/app/``."""
