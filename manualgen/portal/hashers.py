"""Argon2id with OWASP's recommended cost (19 MiB, 2 passes, 1 lane) instead of Django's
default (100 MiB, 8 lanes): fifty people signing in together must not need 5 GB of
memory and every core of a small server. Hashes made with other settings still verify
and are upgraded at the next sign-in."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
