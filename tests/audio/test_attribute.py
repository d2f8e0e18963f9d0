from polyphony.audio.attribute import Turn, attribute, overlapped_regions, speaker_of
from polyphony.conversation import Word


def test_word_goes_to_the_speaker_active_over_most_of_its_span():
    exclusive = [Turn(0, 1.2, "A"), Turn(1.2, 3, "B")]
    assert speaker_of(Word(1.0, 1.5, "yes"), exclusive) == "B"
    assert speaker_of(Word(0.9, 1.3, "yes"), exclusive) == "A"


def test_word_in_a_gap_goes_to_the_nearest_speaker():
    exclusive = [Turn(0, 1, "A"), Turn(3, 4, "B")]
    assert speaker_of(Word(2.6, 2.8, "so"), exclusive) == "B"


def test_a_whisper_segment_spanning_two_speakers_is_split_at_the_change():
    words = [Word(0.1, 0.4, "how"), Word(0.5, 0.9, "are"), Word(1.0, 1.4, "you?"),
             Word(1.6, 1.9, "fine"), Word(2.0, 2.4, "thanks.")]
    turns = [Turn(0, 1.5, "A"), Turn(1.5, 2.5, "B")]
    utts = attribute(words, turns, turns)
    assert [(u.speaker, u.text) for u in utts] == [("A", "how are you?"), ("B", "fine thanks.")]
    assert all(w.speaker == u.speaker for u in utts for w in u.words)


def test_diarized_speech_without_words_stays_as_an_empty_utterance():
    words = [Word(0.2, 0.8, "hello"), Word(0.9, 1.8, "everyone")]
    overlap_aware = [Turn(0, 2, "A"), Turn(1.0, 1.4, "B"), Turn(5, 5.05, "C")]
    exclusive = [Turn(0, 2, "A")]
    utts = attribute(words, overlap_aware, exclusive)
    assert [(u.speaker, u.text, u.start, u.end) for u in utts] == [
        ("A", "hello everyone", 0, 2), ("B", "", 1.0, 1.4)]  # the 50 ms sliver is dropped


def test_overlapped_words_are_marked():
    words = [Word(0.2, 0.8, "hello"), Word(1.1, 1.3, "there")]
    overlap_aware = [Turn(0, 2, "A"), Turn(1.0, 1.5, "B")]
    utts = attribute(words, overlap_aware, [Turn(0, 2, "A")])
    assert [w.overlap for w in utts[0].words] == [False, True]
    assert overlapped_regions(overlap_aware) == [(1.0, 1.5)]
