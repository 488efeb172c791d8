"""Chinese (pinyin) ordering of names. Pure: no Django import.

Government lists are read in pinyin order (区发改委 before 区住建局). The key is
stored beside each name (`sort_key` columns) so the database can ORDER BY it
on both SQLite and PostgreSQL, whatever collation the server was built with.
"""

from pypinyin import Style, lazy_pinyin


def pinyin_key(name: str) -> str:
    """A sortable key: each character's toneless pinyin (non-Chinese kept as is), lower case.

    Characters are joined with a separator lower than any letter, so 区长 (qu zhang)
    sorts before 区政协 (qu zheng xie) as a reader expects, syllable by syllable.
    """
    syllables = lazy_pinyin(name.strip(), style=Style.NORMAL, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]  # pypinyin accepts a list
    return "\x01".join(s.lower() for s in syllables)
