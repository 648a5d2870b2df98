"""Fakes of remote APIs (HTTP servers on 127.0.0.1) that the loader tests run real clients against."""
