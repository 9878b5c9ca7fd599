"""Article loading: every format, stable order, one-line errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.articles import load_articles, read_file
from summarizer.errors import ArticleError

from .conftest import ARTICLES, SEEDS


def test_sample_articles_keep_the_seed_text_unchanged() -> None:
    """articles/ holds the five seeds, byte for byte under their front matter."""
    loaded = load_articles([ARTICLES])
    assert [a.id for a in loaded.articles] == sorted(p.stem for p in ARTICLES.glob("*.txt"))
    assert len(loaded.articles) == 5
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for article in loaded.articles:
        assert article.text == (SEEDS / f"{article.id}.txt").read_text(encoding="utf-8")


def test_front_matter_carries_only_what_the_text_says() -> None:
    """Outlet and date come from the article's own words."""
    by_id = {a.id: a for a in load_articles([ARTICLES]).articles}
    first = by_id["000_a113bbf3b4bae158"]
    assert first.source == "The Palestine Telegraph Newspaper"
    assert first.published is not None
    assert first.published.isoformat() == "2026-01-24"
    assert "24 January 2026" in first.text
    assert by_id["002_2ee78586a9d7a01e"].source == "Rudaw"
    assert by_id["004_da7e377536fca962"].published is None


def test_text_with_front_matter(tmp_path: Path) -> None:
    """YAML front matter fills title, source, url and published; the body stays as written."""
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: T\nsource: Rudaw\nurl: https://example.org/a\npublished: 2026-01-25\n---\n"
        "Body “quoted”.\n",
        encoding="utf-8",
    )
    (article,) = read_file(path)
    assert (article.title, article.source, article.url) == ("T", "Rudaw", "https://example.org/a")
    assert article.published is not None
    assert article.text == "Body “quoted”.\n"
    assert article.id == "a"


def test_html_main_text_is_extracted(tmp_path: Path) -> None:
    """HTML goes through trafilatura: navigation and scripts are dropped, the story kept."""
    story = " ".join(["Iraq received 150 detainees from Syria on Tuesday."] * 8)
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Iraq story</title><script>alert('x')</script></head><body>"
        "<nav><a href='/'>Home</a><a href='/world'>World</a></nav>"
        f"<article><h1>Iraq story</h1><p>{story}</p><p>{story}</p></article>"
        "<footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    (article,) = read_file(path)
    assert "150 detainees" in article.text
    assert "alert" not in article.text
    assert "Home" not in article.text


def test_json_and_jsonl(tmp_path: Path) -> None:
    """A JSON object, a JSON array and JSON lines each give one article per object."""
    (tmp_path / "one.json").write_text(json.dumps({"text": "A.", "source": "X"}), "utf-8")
    (tmp_path / "many.json").write_text(json.dumps([{"id": "m1", "text": "B."}, {"text": "C."}]))
    (tmp_path / "lines.jsonl").write_text('{"id": "l1", "text": "D."}\n\n{"text": "E."}\n')
    loaded = load_articles([tmp_path])
    assert [a.id for a in loaded.articles] == ["l1", "lines-2", "m1", "many-2", "one"]
    assert not loaded.failures


def test_a_bad_record_in_a_feed_fails_alone(tmp_path: Path) -> None:
    """One unparsable line or bad object fails by itself; the feed's other articles load."""
    lines = '{"text": "Alpha said 5 people came."}\nnot json\n{"text": "Beta said 7."}\n'
    (tmp_path / "feed.jsonl").write_text(lines, "utf-8")
    array = [{"text": "One."}, {"title": "no text"}, {"text": "Three."}]
    (tmp_path / "arr.json").write_text(json.dumps(array), "utf-8")
    loaded = load_articles([tmp_path])
    assert [a.id for a in loaded.articles] == ["arr-1", "arr-3", "feed-1", "feed-3"]
    assert [f.error for f in loaded.failures] == [
        f"{tmp_path / 'arr.json'}[1]: missing string field 'text'",
        f"{tmp_path / 'feed.jsonl'}:2: invalid JSON: Expecting value",
    ]
    with pytest.raises(ArticleError, match=r"feed.jsonl:2: invalid JSON"):
        read_file(tmp_path / "feed.jsonl")


def test_a_feed_may_be_larger_than_one_article(tmp_path: Path) -> None:
    """The size limit applies to each article of a feed, not to the whole feed."""
    records = [{"text": f"Article {i}. " + "x" * 900} for i in range(30)]
    records.append({"text": "y" * 5_000})
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    assert path.stat().st_size > 20_000
    loaded = load_articles([path], max_bytes=2_000)
    assert len(loaded.articles) == 30
    (failure,) = loaded.failures
    assert failure.error == f"{path}:31: text is 5,000 bytes, over the 2,000 limit"
    big = tmp_path / "big.txt"
    big.write_text("z" * 5_000, "utf-8")
    assert "over the 2,000 limit" in load_articles([big], max_bytes=2_000).failures[0].error


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG", "binary"),
        ("latin1.txt", "Caf\u00e9 owner said".encode("latin-1"), "not valid UTF-8"),
        ("bad.json", b"{not json", "invalid JSON"),
        ("missing.json", b'{"title": "no text"}', "missing string field 'text'"),
        ("extra.json", b'{"text": "x", "author": "y"}', "unknown fields"),
        ("fm.md", b"---\nauthor: x\n---\nBody", "unknown front matter keys"),
        ("date.md", b"---\npublished: yesterday\n---\nBody", "not a YYYY-MM-DD date"),
        ("file.pdf", b"%PDF", "unsupported file type"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    """Each bad file gets a single-line error that starts with its path."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        read_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert problem in message
    assert "\n" not in message


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    """UTF-16 with a byte-order mark decodes."""
    path = tmp_path / "u16.txt"
    path.write_bytes("Iraq said “yes”.".encode("utf-16"))
    assert read_file(path)[0].text == "Iraq said “yes”."


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """Files over the size limit are refused before they are read."""
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2000)
    with pytest.raises(ArticleError, match="over the 1,000 limit"):
        read_file(path, max_bytes=1000)


def test_bad_files_do_not_stop_the_batch(tmp_path: Path) -> None:
    """A batch with broken files still loads the good ones, and reports each broken one."""
    (tmp_path / "a.txt").write_text("Good article.", "utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.txt").write_text("Another good one.", "utf-8")
    loaded = load_articles([tmp_path, tmp_path / "nope.txt"])
    assert [a.id for a in loaded.articles] == ["a", "c"]
    assert [Path(f.source).name for f in loaded.failures] == ["b.txt", "nope.txt"]
    assert "no such file" in loaded.failures[1].error


def test_directory_order_is_stable_and_skips_unsupported(tmp_path: Path) -> None:
    """A folder gives its supported files sorted by path; other files are ignored."""
    for name in ["b.txt", "a.md", "notes.pdf", ".hidden.txt"]:
        (tmp_path / name).write_text("Some text.", "utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("More text.", "utf-8")
    assert [a.id for a in load_articles([tmp_path]).articles] == ["a", "b", "sub/c"]


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    """Two articles with one id: the second is a failure, not a silent overwrite."""
    (tmp_path / "a.txt").write_text("One.", "utf-8")
    (tmp_path / "more.jsonl").write_text('{"id": "a", "text": "Two."}\n', "utf-8")
    loaded = load_articles([tmp_path])
    assert len(loaded.articles) == 1
    assert "duplicate article id 'a'" in loaded.failures[0].error


def test_same_file_names_in_sub_folders_are_different_articles(tmp_path: Path) -> None:
    """One folder per outlet: ap/story.txt and reuters/story.txt are both read."""
    for outlet in ("ap", "reuters"):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "story.txt").write_text(f"{outlet} story.", "utf-8")
    loaded = load_articles([tmp_path])
    assert [a.id for a in loaded.articles] == ["ap/story", "reuters/story"]
    assert not loaded.failures


def test_a_folder_without_articles_is_reported(tmp_path: Path) -> None:
    """An empty folder (or one of PDFs) is a failure, not a silent empty brief."""
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    loaded = load_articles([tmp_path])
    assert not loaded.articles
    assert "no articles found" in loaded.failures[0].error


def test_uppercase_jsonl_suffix(tmp_path: Path) -> None:
    """UP.JSONL is JSON lines, whatever the case of its suffix."""
    (tmp_path / "UP.JSONL").write_text('{"text": "A."}\n{"text": "B."}\n', "utf-8")
    assert len(load_articles([tmp_path]).articles) == 2


def test_scalar_titles_and_timestamps(tmp_path: Path) -> None:
    """`title: 1984` is a title, and a published timestamp gives its day."""
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 1984\npublished: 2026-01-23T10:00:00Z\n---\nBody.", "utf-8")
    (article,) = read_file(path)
    assert article.title == "1984"
    assert article.published is not None
    assert article.published.isoformat() == "2026-01-23"
