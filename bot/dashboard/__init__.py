"""The support leads' dashboard drawn: its labels (knowledge/dashboard.yml), its charts (matplotlib, imported only
when a chart is drawn), and the files of `python -m bot report`."""
