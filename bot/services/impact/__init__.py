"""The funder's report: figures computed from the data, never typed. rules.py decides what
counts; the CLI, the web app and the PDF share them."""
