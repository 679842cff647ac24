"""Answers and quiz items -> Discord embeds, within Discord's size limits."""

from __future__ import annotations

from typing import Callable

import discord

from bot.core.glossary import glossary_hint
from bot.core.models import Answer, BlockKind, Hit

# Discord rejects messages over these limits; stay well inside them.
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
TOTAL_EMBED_LIMIT = 6000
# Three hits plus titles, footers and the quiz field fit in the 6000-character total; an
# excerpt (about 600 characters) with its escapes and bold marks stays well inside it.
SECTION_TEXT_LIMIT = 1400
QUESTION_ECHO_LIMIT = 200
UNWRITTEN_WORD_LIMIT = 40  # each word the notes never write, named in a refusal
COLOR = discord.Color.teal()

# (hit, before, after) -> at most about 600 characters of the hit's text, around the
# matched words, which are put between before and after (AnswerService.excerpt)
Excerpt = Callable[[Hit, str, str], str]
# Control characters never occur in a section's text: they mark the highlights while the
# rest is escaped.
_START, _END = "\x02", "\x03"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_content(answer: Answer) -> str:
    question = discord.utils.escape_markdown(clip(answer.question.replace("\n", " "), QUESTION_ECHO_LIMIT))
    if not answer.hits:
        words = [discord.utils.escape_markdown(clip(word, UNWRITTEN_WORD_LIMIT)) for word in answer.unwritten]
        hint = glossary_hint(words)
        return f"ごめんなさい、ノートには「{question}」に関係する内容が見つかりませんでした。別の言葉で聞いてみてください。" + (
            f"\n{hint}" if hint else ""
        )
    return f"「{question}」について、ノートから見つけました。"


def hit_description(hit: Hit, excerpt: Excerpt) -> str:
    """The hit as Discord shows it, from its block kind: code and math in a code block
    (not highlighted: bold marks would show as text there); a table one row a line
    ("header: value / ..."); other text with Discord's own markup escaped and the matched
    words in bold. At most about 600 characters of a long hit, around the matched words,
    with … where it was cut (AnswerService.excerpt)."""
    section = hit.section
    if section.kind in (BlockKind.CODE, BlockKind.MATH):
        body = excerpt(hit, "", "").replace("```", "`\u200b``")
        return f"```\n{body}\n```"
    escaped = discord.utils.escape_markdown(excerpt(hit, _START, _END))
    return escaped.replace(_START, "**").replace(_END, "**")


def answer_embeds(answer: Answer, excerpt: Excerpt) -> list[discord.Embed]:
    embeds = []
    for hit in answer.hits:
        s = hit.section
        source = f"{s.file}:{s.line_start}-{s.line_end}"
        description = clip(hit_description(hit, excerpt), SECTION_TEXT_LIMIT)
        embed = discord.Embed(title=clip(s.title, TITLE_LIMIT), description=description, color=COLOR)
        embed.set_footer(text=f"出典: {source}")
        embeds.append(embed)
    if embeds and answer.quiz:
        lines = [f"Q{i}. {clip(item.question, 300)}" for i, item in enumerate(answer.quiz, start=1)]
        embeds[-1].add_field(name="確認クイズ", value=clip("\n".join(lines), FIELD_LIMIT), inline=False)
    return embeds
