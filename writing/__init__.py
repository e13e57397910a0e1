"""The plenary report: check a draft's figures against the database, and draft the figures.

    check.py       核对稿件: every figure of a draft → match / differs / missing / not_checked
    derived.py     growth and shares written beside a figure (同比增长5.4%, 完成年度任务的140%)
    figures.py     how a figure is written (3.89万人, 2900多家) and how to write another the same way
    stored.py      the stored figure of a region × metric × year × period, its source, completeness
    paragraphs.py  起草数字段落: paragraphs per area from the templates in lexicon/phrasings.toml
    word.py        .docx out: the draft with comments on wrong figures, the paragraphs
    cli.py         `python -m etl check-draft`, `python -m export paragraphs`
"""
