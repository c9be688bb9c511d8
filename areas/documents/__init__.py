"""Printable documents (issue 19): 一人一档, 委托监护责任确认书, 通报处置卡, 走访记录表 — Word
(python-docx) and PDF (LibreOffice headless), masked by the reads, every print audited."""
