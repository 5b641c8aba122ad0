"""The notes' exercises as a Russian student writes them (examples/homework/lecture_*_ru.yaml), and the
notes' own slips (examples/homework/slips/notes_slips.yaml), all checked.

The right value of each slip is worked out by hand beside it; the files hold the notes' numbers,
not cnncalc's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnncalc.homework.check import check_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "homework"
RUSSIAN = sorted(EXAMPLES.glob("lecture_*_ru.yaml"))


def test_every_notes_file_is_there_in_russian() -> None:
    assert [p.stem for p in RUSSIAN] == [f"lecture_{n}_ru" for n in range(5)]


@pytest.mark.parametrize("path", RUSSIAN, ids=[p.stem for p in RUSSIAN])
def test_the_russian_answers_are_all_right(path: Path) -> None:
    report = check_file(path)
    assert report.wrong == 0 and report.unanswered == 0 and report.right >= 10, [
        (r.key, r.given, r.expected_text, str(r.reason or r.mistake)) for r in report.results if not r.correct]


def test_they_are_written_as_a_russian_student_writes() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in RUSSIAN)
    assert re.search(r"\d+х\d+х\d+", text)  # Cyrillic х between the sizes
    assert "млн" in text and "МиБ" in text and "МБ" in text
    assert re.search(r"~\d+,\d+ млн", text)  # a decimal comma: ~2,4 млн
    assert re.search(r"\d \d{3}", text)  # a space between the thousands: 73 728
    assert "да" in text or "нет" in text


# key -> (the notes' number, the right value from CLAIMS.md, the mistake code cnncalc names or None)
SLIPS = {
    # C0.29: ⌊(224 − 7)/2⌋ + 1 = 109; 111 is the size on 227
    "conv1.output_shape#1": ((96, 109, 109), "wrong_input_size"),
    # C0.40: ⌈(27 − 3)/2⌉ + 1 = 13 -> 13×13×512
    "maxpool8.output_shape": ((512, 13, 13), None),
    # C1.10: ⌊(224 − 11)/4⌋ + 1 = 54
    "conv1.output_shape#3": ((96, 54, 54), "wrong_input_size"),
    # C1.12: VGG-19 (E) has 143,667,240; 138,357,544 is VGG-16
    "total.params#4": (143667240, "sibling_network"),
    # C1.18: the GoogLeNet of Table 1 has 6,998,552
    "total.params#5": (6998552, None),
    # C4.04: 34,944 + 307,456 + 885,120 + 663,936 + 442,624 = 2,334,080 (3,747,200 without the GPU split)
    "total.params#6": (2334080, "ignored_groups"),
    # C4.15: DenseNet-121 takes 224×224×3
    "total.input_shape": ((3, 224, 224), None),
    # C4.02: the paper's LeNet-5, C1 5·5·1·6 + 6 = 156, S2 6·2 = 12, C3 (6·3 + 9·4 + 6)·25 + 16 = 1,516
    "total.params#8": (156 + 12 + 1516, None),
}


def test_the_notes_slips_are_caught() -> None:
    report = check_file(EXAMPLES / "slips" / "notes_slips.yaml")
    assert report.right == 0 and report.wrong == len(SLIPS) == len(report.results)
    for r in report.results:
        key = r.key if f"{r.key}#{r.problem}" not in SLIPS else f"{r.key}#{r.problem}"
        expected, code = SLIPS[key]
        assert r.expected == expected, key
        assert (r.codes[0] if r.codes else None) == code, (key, r.codes)


def test_the_readme_answer_file_example_is_all_right(tmp_path: Path) -> None:
    readme = (EXAMPLES.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Homework and exams"):readme.index("## Writing a network")]
    text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    report = check_file(path)
    assert report.wrong == 0 and report.right == 7
    assert "$ cnncalc check examples/student_mistakes_ru.yaml --lang ru" in section
    assert "забыты смещения (bias)" in section  # a mistake recognised, in Russian
