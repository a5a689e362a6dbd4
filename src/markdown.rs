//! Markdown to safe HTML: pulldown-cmark (tables, footnotes, strikethrough),
//! raw HTML sanitised with ammonia.
