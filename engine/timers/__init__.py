"""Timers that fire on time.

One APScheduler job per case at its earliest due time (never a poll over all cases), leadership so that
only one scheduler acts, timer start events that create a new case per occurrence, and the admin API to
inspect, fire and move a case's waiting timers. See docs/timers.md.
"""
