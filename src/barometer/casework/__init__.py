"""The platform the case modules share: database, users and roles, login, access log, CPR vault.

It imports no case domain: ``barometer.programme`` and ``barometer.welcomehouse`` each build
their pages, models and rules on it, and register their roles and migrations with it.
"""
