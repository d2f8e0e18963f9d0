"""How a third-party library's error is put into polyphony's one-line messages."""

from polyphony.errors import one_line


def test_one_line_keeps_the_type_and_the_first_line_cut_short():
    long = RuntimeError("\n  first line " + "x" * 300 + "\nsecond line\n")
    text = one_line(long)
    assert text.startswith("RuntimeError: first line x") and text.endswith("...")
    assert "\n" not in text and "second" not in text
    assert len(text) == len("RuntimeError: ") + 150
    assert one_line(ValueError()) == "ValueError"
