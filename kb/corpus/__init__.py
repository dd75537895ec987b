"""Reading the human-edited corpus: BibLaTeX records (`bibtex`) and YAML claim files (`claims`)."""
