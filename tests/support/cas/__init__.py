"""A real CAS 2/3 server for the tests: django-cas-server (GPLv3, a test-only dependency) in its own process."""
