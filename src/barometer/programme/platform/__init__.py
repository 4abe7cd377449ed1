"""Person-independent platform of the case modules: database, users and roles, login, access log.

Nothing here imports ``barometer.programme`` outside this folder, so a sibling domain
(``barometer.welcomehouse``) can build on the same database, login, roles and access log.
"""
