"""The stored goal status of an area (re-exported for the command line)."""

from barometer.publish.snapshot import goal_frames

__all__ = ["goal_frames"]
