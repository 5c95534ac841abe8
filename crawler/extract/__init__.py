"""Pure helpers shared by the page objects: text, dates, URLs and HTML bodies."""
