"""Portable SQL helpers shared by the reads: the same expression compiles for SQLite and
PostgreSQL, so a rule written with them runs unchanged on both."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


def _portable(name: str, result_type, sqlite: str, default: str, doc: str) -> type[FunctionElement]:
    """A two-argument SQL function `name(a, b)` written once per dialect as a template."""
    fn = type(name, (FunctionElement,), {"type": result_type, "inherit_cache": True, "name": name, "__doc__": doc})

    def template(text: str):
        def _compile(element, compiler, **kw):
            a, b = (compiler.process(c, **kw) for c in element.clauses)
            return text.format(a=a, b=b)
        return _compile

    compiles(fn, "sqlite")(template(sqlite))
    compiles(fn)(template(default))
    return fn


date_add = _portable("date_add", Date(), "date({a}, '+' || CAST({b} AS INTEGER) || ' days')",
                     "(CAST({a} AS DATE) + CAST({b} AS INTEGER))", "date + integer days → date.")
days_between = _portable("days_between", Integer(), "CAST(julianday({a}) - julianday({b}) AS INTEGER)",
                         "(CAST({a} AS DATE) - CAST({b} AS DATE))", "Whole days a − b, an integer.")


def day(value: dt.date):
    """A date parameter typed as a date (SQLite would otherwise compare it as text)."""
    return literal(value, Date)


def later(a, b):
    """The later of two dates (NULL-free arguments)."""
    return case((a > b, a), else_=b)
