"""Statistics over observations, independent of any engine: intervals and peers."""
