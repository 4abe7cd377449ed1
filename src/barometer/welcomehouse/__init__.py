"""Welcome House: volunteer organisations, volunteers and their certificates, activities,
sessions, assignments and attendance (issue #18, PROGRAMME.md §4.4-4.6).

The volunteer domain is kept apart from case data. It shares the case platform (``casework``:
database, users and login, the access log) with the programme, but none of its tables: nothing
here reads a case, except ``reach.py``, which links a person to attendance only under a
purpose-specific consent that expires and can be withdrawn. No CPR number is kept for volunteers.
"""
