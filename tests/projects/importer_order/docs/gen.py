"""Runs first by name; it loads pkg.models as a plain import before pkg.models is run itself."""

from pkg import encoders, models

for module in (encoders, models):
    print(module.__name__, module.__doc__)
