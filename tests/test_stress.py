"""Small versions of the reliability report's rows for what the user writes and what the
commands print (bench/stress.py; the full ones run in ``python -m bench.reliability``)."""

from __future__ import annotations

from bench import stress


def test_concurrent_writers_and_the_browser_all_land(tmp_path):
    result = stress.concurrent_writers(tmp_path, processes=3, per=8, tui_presses=6)
    assert result.failures == []
    assert (result.missing_lines, result.missing_tags, result.unstarred) == (0, 0, 0)
    assert result.tui_status == result.tui_expected == "read"


def test_every_printing_command_fails_on_a_full_disk_and_is_quiet_on_a_closed_pipe(tmp_path):
    result = stress.output_failures(tmp_path)
    assert result.tried == len(stress.OUTPUT_COMMANDS)
    assert result.failures == []


def test_a_100k_character_query_answers_within_a_second(tmp_path):
    result = stress.query_length(tmp_path)
    assert result.passed, result.seconds
