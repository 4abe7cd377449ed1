"""Københavnermodellen: the refugee programme module (issue #17, PROGRAMME.md).

Person-level case data in its own database. Nothing under ``barometer.publish`` imports this
package; its only way into the barometer is ``aggregates.compute_barometer_cells``, whose counts
the pipeline's finishing stage protects. The person-independent parts (database, users, login,
access log, CPR vault) are the shared platform, ``barometer.casework``.
"""
