"""organize 3.3 filter and action names that this version does not have.

A rules file that uses one of them gets an error that says what it is in
organize, not "unknown action". A name that is registered (an action or filter
this version has) is never looked up here, so adding one needs no change here.
"""

from __future__ import annotations

#: organize action name -> what it does there (every organize 3.3 action is
#: registered now: ``shell``, ``python``, ``write``, ``confirm``, ``macos_tags``).
ORGANIZE_ACTIONS: dict[str, str] = {}

#: organize filter name -> what it does there.
ORGANIZE_FILTERS: dict[str, str] = {}
