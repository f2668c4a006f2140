"""The acceptance scenarios reuse the hearings scenario's settings (media in a temporary
folder, English in the test's own thread, tasks run on commit in the process) and its
parties, members and criteria — but file through the doors people use."""

from tests.hearings import conftest as scenario

_media = scenario._media
_english = scenario._english
_eager_tasks = scenario._eager_tasks
at = scenario.at
signing_key = scenario.signing_key
